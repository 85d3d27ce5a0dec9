/**
 * The audit log: append-only, hash-chained (audit-chain.ts), its head anchored outside the database
 * (audit-anchor.ts). Written by the app's audit middleware, the daemon, the dashboard and the CLI
 * (`faultline token`, game days); read by the admin routes and verified by verifyStoreAudit. Part of
 * DaemonStore (daemon-store.ts).
 */
import type { AuditAnchor } from './audit-anchor.js';

export interface AuditInput {
  actor: string;
  role: string;
  action: string;
  resource: string;
  /** where the request came from (remote address) */
  source: string;
  outcome: 'ok' | 'denied' | 'error' | 'invalid';
  detail: string;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: string;
  beforeSeq?: number;
  limit: number;
}

export interface AuditStore {
  /** appends an entry, then moves the anchor (outside the database) to it */
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** the file that holds the chain's head outside the database */
  readonly auditAnchor: AuditAnchor;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** every entry, oldest first, for verifying the chain */
  auditChain(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}
