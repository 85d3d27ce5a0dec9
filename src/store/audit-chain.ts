/**
 * The audit log is a hash chain: each entry's hash covers its fields and the previous entry's hash, so
 * an entry changed, removed or inserted after the fact breaks every hash after it. Both stores write
 * entries one at a time under a lock, with this function, and `verifyAuditChain` checks them.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditInput } from './daemon-store.js';

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, seq: number, at: string, entry: AuditInput): string {
  const fields = [seq, at, entry.actor, entry.role, entry.action, entry.resource, entry.source, entry.outcome, entry.detail];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

export interface ChainCheck {
  ok: boolean;
  checked: number;
  /** the first entry whose hash or link does not match */
  brokenAt: number | null;
  detail: string;
}

/** Verifies entries given oldest first, in pages, from the genesis. */
export async function verifyAuditChain(page: (afterSeq: number, limit: number) => Promise<AuditEntry[]>): Promise<ChainCheck> {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let checked = 0;
  for (;;) {
    const entries = await page(prevSeq, 1000);
    for (const e of entries) {
      if (e.seq !== prevSeq + 1) return { ok: false, checked, brokenAt: e.seq, detail: `entry ${prevSeq + 1} is missing` };
      if (e.prevHash !== prevHash || auditHash(prevHash, e.seq, e.at, e) !== e.hash) {
        return {
          ok: false,
          checked,
          brokenAt: e.seq,
          detail: `entry ${e.seq} does not match its hash: it was changed after it was written`,
        };
      }
      prevHash = e.hash;
      prevSeq = e.seq;
      checked++;
    }
    if (entries.length < 1000) return { ok: true, checked, brokenAt: null, detail: `${checked} entries, chain intact` };
  }
}
