/**
 * Who is calling: a bearer token (`Authorization: Bearer flt_...`) for API clients, or a session cookie
 * for the dashboard (made by logging in with a token; it holds a random id, never the token). Tokens
 * are verified with scrypt, then remembered for 30 seconds as a SHA-256 so that every request does
 * not pay for a scrypt; revoking a token here forgets it at once.
 *
 * What a wrong secret costs is bounded, so that guessing costs the attacker more than the daemon:
 *   - failures are counted per token id and per client address; past 10 a minute, attempts are
 *     refused (429, Retry-After) before any scrypt. A token verified recently is never refused: an
 *     attacker who knows a token's id cannot lock its owner out while the owner keeps using it.
 *   - a client address may have at most four token ids waiting for verification at once;
 *   - scrypt runs in a small pool (one computation per spare core, bounded queues; 503 beyond them),
 *     one verification per token id at a time: the same token presented by many requests at once is
 *     hashed once, the others finding the result remembered. Tokens and addresses that failed
 *     recently wait in a lane of their own, behind everyone else.
 *   - a refusal (429, 503) is answered after a second, so a client that ignores Retry-After cannot
 *     turn refusals into a flood of its own;
 *   - the safety endpoints (halt, stop a run) go first in the pool and are not refused for their
 *     address, which an attacker on the same network may share; their token id is still limited.
 */

import { availableParallelism } from 'node:os';
import type { Capability, Principal, Role, TokenScope } from '../auth/roles.js';
import { newSessionId, newToken, parseToken, secretMatches, sha256 } from '../auth/tokens.js';
import type { IdentitiesStore, TokenRecord } from '../store/identities-store.js';
import { sleep } from '../util/sleep.js';
import { ApiError, retryLater, unauthorized } from './errors.js';
import { FailureLimiter } from './failure-limiter.js';
import { HashPool, type Lane, PoolFullError } from './hash-pool.js';

const CACHE_MS = 30_000;
const FAILURES = { max: 10, windowMs: 60_000 };
const HASH_QUEUE = 64;
const TARPIT_MS = 1000;
/** token ids one client address may have waiting for verification at once */
const IDS_PER_ADDRESS = 4;

/** Where a token comes from, for the limits above. */
export interface Attempt {
  /** the client address */
  source: string;
  /** a safety endpoint: first in the hashing pool, not limited by address */
  urgent?: boolean;
}
const TOUCH_EVERY_MS = 60_000;
export const SESSION_MS = 12 * 60 * 60 * 1000;

export class Authenticator {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly touched = new Map<string, number>();
  private readonly failures = new FailureLimiter(FAILURES);
  private readonly pool = new HashPool(Math.max(1, Math.min(4, availableParallelism() - 1)), HASH_QUEUE);
  private readonly perToken = new Map<string, Promise<void>>();
  /** address -> token id -> requests waiting for its verification */
  private readonly pending = new Map<string, Map<string, number>>();
  private computed = 0;

  constructor(private readonly store: IdentitiesStore) {}

  /** The principal of a token, or a 401 ApiError saying why not (429 or 503 with Retry-After when limited). */
  async verifyToken(text: string, attempt: Attempt = { source: 'local' }): Promise<Principal> {
    try {
      return await this.verifyUnlimited(text, attempt);
    } catch (error) {
      // a refusal answered at once lets a client that ignores Retry-After send the next at once: answer
      // it after a second instead, which costs the daemon a timer and slows the flood to its connections
      if (error instanceof ApiError && (error.status === 429 || error.status === 503)) await sleep(TARPIT_MS);
      throw error;
    }
  }

  private async verifyUnlimited(text: string, attempt: Attempt): Promise<Principal> {
    const key = sha256(text);
    const cached = this.remembered(key);
    if (cached) return cached;
    const parsed = parseToken(text);
    if (!parsed) {
      this.failures.fail(`address ${attempt.source}`);
      throw unauthorized('malformed token: expected flt_<id>_<secret>, as `faultline token create` prints it');
    }
    this.refuseWhileLimited(parsed.id, attempt);
    const release = this.holdPending(parsed.id, attempt);
    try {
      // one computation per token id at a time: a stampede of one token waits for the first result (then
      // finds it remembered), and a flood of wrong secrets for one id meets the limit after ten
      return await this.oneAtATime(parsed.id, async () => {
        const now = this.remembered(key);
        if (now) return now;
        this.refuseWhileLimited(parsed.id, attempt);
        return this.check(key, parsed, attempt);
      });
    } finally {
      release();
    }
  }

  /**
   * One client may have a few token ids waiting at once, however many requests per id: a client trying
   * many ids in parallel is refused at once, rather than queued until its failures reach the limit.
   */
  private holdPending(id: string, attempt: Attempt): () => void {
    if (attempt.urgent) return () => {};
    const ids = this.pending.get(attempt.source) ?? new Map<string, number>();
    if (!ids.has(id) && ids.size >= IDS_PER_ADDRESS) {
      throw retryLater(429, `too many tokens being verified at once from ${attempt.source}; try again in 1s`, 1);
    }
    ids.set(id, (ids.get(id) ?? 0) + 1);
    this.pending.set(attempt.source, ids);
    return () => {
      const left = (ids.get(id) ?? 1) - 1;
      if (left) ids.set(id, left);
      else ids.delete(id);
      if (!ids.size) this.pending.delete(attempt.source);
    };
  }

  /** Computations of scrypt so far, and the pool's load (metrics, the bench). */
  get hashing(): { computed: number; active: number; queued: number } {
    return { computed: this.computed, ...this.pool.load };
  }

  private remembered(key: string): Principal | undefined {
    const cached = this.verified.get(key);
    if (cached && cached.until > Date.now()) return cached.principal;
    this.verified.delete(key);
    return undefined;
  }

  private refuseWhileLimited(id: string, attempt: Attempt): void {
    const wait = Math.max(
      this.failures.retryAfter(`token ${id}`),
      attempt.urgent ? 0 : this.failures.retryAfter(`address ${attempt.source}`),
    );
    if (wait)
      throw retryLater(429, `too many failed authentications from ${attempt.source} or for token ${id}; try again in ${wait}s`, wait);
  }

  /** Safety endpoints first; then tokens and addresses with no recent failure; the suspect last. */
  private laneOf(id: string, attempt: Attempt): Lane {
    if (attempt.urgent) return 'urgent';
    const failed = this.failures.count(`token ${id}`) + this.failures.count(`address ${attempt.source}`);
    return failed ? 'suspect' : 'normal';
  }

  private async oneAtATime<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.perToken.get(id) ?? Promise.resolve();
    let release = () => {};
    const mine = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.perToken.set(id, mine);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.perToken.get(id) === mine) this.perToken.delete(id);
    }
  }

  private async check(key: string, parsed: { id: string; secret: string }, attempt: Attempt): Promise<Principal> {
    const record = await this.store.getTokenSecret(parsed.id);
    const matches =
      record !== undefined &&
      (await this.pool
        .run(
          async () => {
            // the limit may have been reached while this waited in the pool: then it costs nothing
            this.refuseWhileLimited(parsed.id, attempt);
            this.computed++;
            return secretMatches(parsed.secret, record.salt, record.hash);
          },
          this.laneOf(parsed.id, attempt),
        )
        .catch((error: unknown) => {
          if (error instanceof PoolFullError)
            throw retryLater(503, 'the daemon is verifying too many tokens at once; try again in a second', error.retryAfterSeconds);
          throw error;
        }));
    if (!record || !matches) {
      this.failures.fail(`address ${attempt.source}`);
      this.failures.fail(`token ${parsed.id}`);
      throw unauthorized('unknown token');
    }
    if (record.revokedAt) throw unauthorized(`token ${record.id} was revoked at ${record.revokedAt}`);
    if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now())
      throw unauthorized(`token ${record.id} expired at ${record.expiresAt}`);
    if (!record.role) throw unauthorized(`the user of token ${record.id} (${record.user}) was deleted`);
    const principal: Principal = {
      user: record.user,
      role: record.role,
      tokenId: record.id,
      scope: record.scope,
      capabilities: record.capabilities,
      via: 'token',
    };
    this.verified.set(key, {
      principal,
      until: Math.min(Date.now() + CACHE_MS, record.expiresAt ? Date.parse(record.expiresAt) : Number.POSITIVE_INFINITY),
    });
    this.touch(record.id);
    return principal;
  }

  /** A session for the dashboard: the cookie value (shown once) and who it is. */
  async login(token: string, attempt: Attempt): Promise<{ sessionId: string; principal: Principal; expiresAt: string }> {
    const principal = await this.verifyToken(token, attempt);
    const sessionId = newSessionId();
    const now = Date.now();
    const expiresAt = new Date(now + SESSION_MS).toISOString();
    await this.store.createSession(sha256(sessionId), {
      tokenId: principal.tokenId,
      user: principal.user,
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { sessionId, principal: { ...principal, via: 'session' }, expiresAt };
  }

  async verifySession(sessionId: string): Promise<Principal> {
    const session = await this.store.getSession(sha256(sessionId));
    if (!session || Date.parse(session.expiresAt) <= Date.now()) throw unauthorized('the session has ended; log in again');
    const record = await this.store.getTokenSecret(session.tokenId);
    if (!record || record.revokedAt || (record.expiresAt && Date.parse(record.expiresAt) <= Date.now())) {
      throw unauthorized('the token of this session is no longer valid; log in again');
    }
    if (!record.role) throw unauthorized(`the user ${record.user} was deleted`);
    this.touch(record.id);
    return {
      user: record.user,
      role: record.role,
      tokenId: record.id,
      scope: record.scope,
      capabilities: record.capabilities,
      via: 'session',
    };
  }

  async logout(sessionId: string): Promise<void> {
    await this.store.deleteSession(sha256(sessionId));
  }

  /** Makes a token for a user; the token text is returned once and never stored. */
  async createToken(
    user: string,
    options: {
      description?: string;
      scope?: TokenScope | null;
      capabilities?: Capability[];
      expiresAt?: string | null;
      createdBy: string;
    },
  ) {
    const made = await newToken();
    const record: TokenRecord = {
      id: made.id,
      user,
      description: options.description ?? '',
      scope: options.scope ?? null,
      capabilities: options.capabilities ?? [],
      createdAt: new Date().toISOString(),
      createdBy: options.createdBy,
      expiresAt: options.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.createToken({ ...record, salt: made.salt, hash: made.hash, role: null });
    return { token: made.token, record };
  }

  /** Forgets every remembered verification (after a revoke or a user deletion). */
  forgetAll(): void {
    this.verified.clear();
  }

  private touch(tokenId: string): void {
    const last = this.touched.get(tokenId) ?? 0;
    if (Date.now() - last < TOUCH_EVERY_MS) return;
    this.touched.set(tokenId, Date.now());
    this.store.touchToken(tokenId, new Date().toISOString()).catch(() => {});
  }
}

export type { Role };
