/**
 * The audit log is a hash chain: each entry's hash covers its fields and the previous entry's hash, so
 * an entry changed, removed or inserted after the fact breaks every hash after it. Both stores write
 * entries one at a time under a lock, with this function, and `verifyAuditChain` checks them. The chain
 * cannot show its own tail cut off, nor a database replaced by another: the anchor (./audit-anchor.ts),
 * kept outside the database, says how long the chain was and how it ended, and the check compares.
 */
import { createHash } from 'node:crypto';
import type { AnchorRecord, AnchorSource } from './audit-anchor.js';
import type { AuditEntry, AuditInput, AuditStore } from './audit-store.js';

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
  /** the anchor compared with, when one was given */
  anchor?: (AnchorRecord & { file: string }) | null;
}

/**
 * Verifies entries given oldest first, in pages, from the genesis; then, given the anchor, that the
 * chain ends where the anchor says (nothing cut off, nothing replaced, nothing added behind its back).
 */
export async function verifyAuditChain(
  page: (afterSeq: number, limit: number) => Promise<AuditEntry[]>,
  anchorSource?: AnchorSource,
): Promise<ChainCheck> {
  let anchor: AnchorRecord | null = null;
  try {
    anchor = anchorSource?.read() ?? null;
  } catch (error) {
    return { ok: false, checked: 0, brokenAt: null, detail: `the anchor cannot be read: ${(error as Error).message}`, anchor: null };
  }
  const chain = await walkChain(page, anchor?.seq ?? 0);
  if (!anchorSource || !chain.ok) return chain.check;
  return compareWithAnchor(chain, anchor, anchorSource);
}

/** The whole audit log of a store, against its anchor: what the API, the dashboard and the CLI show. */
export function verifyStoreAudit(store: Pick<AuditStore, 'auditChain' | 'auditAnchor'>): Promise<ChainCheck> {
  return verifyAuditChain((after, limit) => store.auditChain(after, limit), store.auditAnchor);
}

interface Walk {
  ok: boolean;
  check: ChainCheck;
  lastSeq: number;
  lastHash: string;
  /** the hash of the entry the anchor names, when the chain reaches it */
  hashAtAnchor: string | null;
}

function compareWithAnchor(chain: Walk, before: AnchorRecord | null, source: AnchorSource): ChainCheck {
  const { lastSeq, lastHash } = chain;
  const broken = (brokenAt: number | null, detail: string, anchor: AnchorRecord | null): ChainCheck => ({
    ok: false,
    checked: chain.check.checked,
    brokenAt,
    detail,
    anchor: anchor && { ...anchor, file: source.file },
  });
  if (!before) {
    if (lastSeq === 0) return { ...chain.check, anchor: null };
    return broken(
      null,
      `the audit log has ${lastSeq} entries but no anchor at ${source.file}: a cut tail or a replaced database cannot be ruled out (the anchor was deleted, or the database came from elsewhere)`,
      null,
    );
  }
  if (before.seq > lastSeq) {
    return broken(
      lastSeq + 1,
      `the audit log ends at entry ${lastSeq}, but its anchor (${source.file}, written ${before.at}) says ${before.seq} entries were written: entries ${lastSeq + 1} to ${before.seq} were removed`,
      before,
    );
  }
  if (chain.hashAtAnchor !== before.hash) {
    return broken(
      before.seq,
      `entry ${before.seq} is not the one its anchor (${source.file}) recorded: the database was replaced, or its chain rewritten`,
      before,
    );
  }
  if (before.seq < lastSeq && source.exclusive) {
    // an entry written while we walked moves the anchor too: read it again before calling it foreign
    let after: AnchorRecord | null = null;
    try {
      after = source.read();
    } catch {}
    const caughtUp = after && (after.seq > lastSeq || (after.seq === lastSeq && after.hash === lastHash));
    if (!caughtUp) {
      return broken(
        before.seq + 1,
        `entries ${before.seq + 1} to ${lastSeq} came after the anchor (${source.file}) without moving it: they were added outside faultline`,
        before,
      );
    }
  }
  return { ...chain.check, detail: `${chain.check.detail}; it ends where its anchor says`, anchor: { ...before, file: source.file } };
}

async function walkChain(page: (afterSeq: number, limit: number) => Promise<AuditEntry[]>, anchorSeq: number): Promise<Walk> {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let checked = 0;
  let hashAtAnchor: string | null = null;
  const fail = (check: ChainCheck): Walk => ({ ok: false, check, lastSeq: prevSeq, lastHash: prevHash, hashAtAnchor });
  for (;;) {
    const entries = await page(prevSeq, 1000);
    for (const e of entries) {
      if (e.seq !== prevSeq + 1) return fail({ ok: false, checked, brokenAt: e.seq, detail: `entry ${prevSeq + 1} is missing` });
      if (e.prevHash !== prevHash || auditHash(prevHash, e.seq, e.at, e) !== e.hash) {
        return fail({
          ok: false,
          checked,
          brokenAt: e.seq,
          detail: `entry ${e.seq} does not match its hash: it was changed after it was written`,
        });
      }
      prevHash = e.hash;
      prevSeq = e.seq;
      if (e.seq === anchorSeq) hashAtAnchor = e.hash;
      checked++;
    }
    if (entries.length < 1000) {
      const check = { ok: true, checked, brokenAt: null, detail: `${checked} entries, chain intact` };
      return { ok: true, check, lastSeq: prevSeq, lastHash: prevHash, hashAtAnchor };
    }
  }
}
