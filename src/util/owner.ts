/**
 * Who owns a journal entry, a lock or a run: this process, identified by pid, start time and host so
 * that a reused pid is never taken for the original owner.
 */
import { hostname } from 'node:os';
import { processInfo } from './processes.js';

export interface Owner {
  pid: number;
  start: string;
  host: string;
}

let self: Owner | undefined;

export function selfOwner(): Owner {
  self ??= { pid: process.pid, start: processInfo(process.pid)?.startTime ?? '', host: hostname() };
  return self;
}

/**
 * True when the owner process still runs (a zombie counts as gone). An owner on another host (a shared
 * FAULTLINE_HOME) is taken to be alive: only that host can tell, and reverting its faults from here
 * could undo the wrong thing.
 */
export function ownerIsAlive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  const info = processInfo(owner.pid);
  return info !== undefined && info.state !== 'Z' && info.startTime === owner.start;
}
