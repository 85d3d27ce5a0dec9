/**
 * Roles of the daemon's API, each including the one before it:
 *   viewer   reads everything (runs, reports, experiments, schedules, audit) and validates documents
 *   operator runs, dry-runs, stops, halts; creates and deletes experiments
 *   admin    schedules, users and tokens, the project (targets, probes, policy)
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What a token may make the host do beyond its role (see ./capabilities.ts); given by name only. */
export const CAPABILITIES = ['exec'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(value: unknown): value is Capability {
  return typeof value === 'string' && (CAPABILITIES as readonly string[]).includes(value);
}

/**
 * What a token may act on (Chaos Mesh's security mode, for faultline's targets): a scoped token may only
 * run, schedule or store experiments whose every fault step can hit nothing outside its scope.
 * Empty: unscoped.
 */
export interface TokenScope {
  /** a target must carry every label of one of these sets */
  labels?: Record<string, string>[];
  /** kubernetes: every namespace a step selects must be one of these */
  namespaces?: string[];
}

export function isScoped(scope: TokenScope | null | undefined): boolean {
  return Boolean(scope && ((scope.labels?.length ?? 0) > 0 || (scope.namespaces?.length ?? 0) > 0));
}

/** Who made a request: the user behind a token (directly, or through a dashboard session). */
export interface Principal {
  user: string;
  role: Role;
  tokenId: string;
  scope: TokenScope | null;
  /** granted by name when the token was made; none by default */
  capabilities: Capability[];
  via: 'token' | 'session';
}
