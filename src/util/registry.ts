/**
 * A registry of plug-ins keyed by name, one per plug-in kind (faults, probe types, guard kinds,
 * notification channels, toxics, report formats, kernel mechanisms). Each plug-in file registers itself
 * when it is imported; the generated `registered.ts` of each folder imports them all.
 */
export class Registry<T> {
  private readonly entries = new Map<string, T>();

  /** `kind` names the plug-ins in the message of a double registration: `fault`, `probe type`... */
  constructor(private readonly kind: string) {}

  /** Adds `entry` under `name` and returns it as given; a name registered twice is a programming error. */
  add<E extends T>(name: string, entry: E): E {
    if (this.entries.has(name)) throw new Error(`${this.kind} ${name} is registered twice`);
    this.entries.set(name, entry);
    return entry;
  }

  get(name: string): T | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Entries in registration order. */
  values(): T[] {
    return [...this.entries.values()];
  }
}
