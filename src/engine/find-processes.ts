/** The processes a process target names (`match`, `pid` or `pidFile`), as of now. */
import { readFileSync } from 'node:fs';
import type { TargetSpec } from '../spec/schema.js';
import { UserError } from '../util/errors.js';
import { currentUid, listProcesses, type ProcessInfo, processInfo, selfAndAncestors } from '../util/processes.js';

function readPidFile(target: TargetSpec, file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new UserError(`target ${target.name}: pid file ${file} cannot be read; is the process running?`);
  }
  const pid = Number(text.split(/\s/)[0]);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new UserError(`target ${target.name}: pid file ${file} holds ${JSON.stringify(text.slice(0, 20))}, not a pid`);
  return pid;
}

/** Refuses a process of another user unless faultline runs as root. */
export function checkOwnership(target: TargetSpec, info: ProcessInfo): void {
  const uid = currentUid();
  if (uid !== 0 && uid !== -1 && info.uid !== uid) {
    throw new UserError(`target ${target.name}: pid ${info.pid} belongs to user ${info.uid}; run faultline as that user or as root`);
  }
}

/** The processes of a process target, as of now. */
export function findProcesses(target: TargetSpec): ProcessInfo[] {
  const spec = target.process;
  if (!spec) return [];
  if (spec.match !== undefined) {
    const pattern = new RegExp(spec.match);
    const excluded = selfAndAncestors();
    return listProcesses().filter((p) => !excluded.has(p.pid) && p.state !== 'Z' && p.command !== '' && pattern.test(p.command));
  }
  const pid = spec.pid ?? readPidFile(target, spec.pidFile as string);
  const info = processInfo(pid);
  if (!info || info.state === 'Z') {
    const source = spec.pidFile ? ` (from ${spec.pidFile})` : '';
    throw new UserError(`target ${target.name}: no process with pid ${pid}${source}; check that it is running`);
  }
  return [info];
}
