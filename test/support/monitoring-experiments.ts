/** Helpers for experiments that drive the monitoring stack: isolated stores, and argv commands that set an exporter's gauge. */
import { join } from 'node:path';
import { Journal, type RunOptions, RunStore } from '../../src/index.js';
import { openControlDb } from '../../src/safety/control-db.js';
import { tempDir } from './cli.js';

/** A journal, a run store and a control database of its own, so the test shares no state. */
export function isolatedStores(): Pick<RunOptions, 'journal' | 'store' | 'control'> {
  const dir = tempDir();
  return {
    journal: new Journal(join(dir, 'journal.db')),
    store: new RunStore(join(dir, 'runs.db')),
    control: openControlDb(join(dir, 'control.db')),
  };
}

/** A YAML flow sequence of the argv that sets gauge `name` of the exporter at `url` to `value` (node's fetch, no shell). */
export function setGaugeCommand(url: string, name: string, value: number): string {
  const script = 'fetch(process.argv[1],{method:"POST"}).then(r=>process.exit(r.ok?0:1),()=>process.exit(2))';
  return `[ ${[process.execPath, '-e', script, `${url}/set?name=${name}&value=${value}`].map((w) => JSON.stringify(w)).join(', ')} ]`;
}
