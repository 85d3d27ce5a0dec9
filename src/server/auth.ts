/**
 * Who is calling: a bearer token (`Authorization: Bearer flt_...`) for API clients, or a session cookie
 * for the dashboard (made by logging in with a token; it holds a random id, never the token). Tokens
 * are verified with scrypt, then remembered for 30 seconds as a SHA-256 so that every request does
 * not pay for a scrypt; revoking a token here forgets it at once.
 */
import type { Capability, Principal, Role, TokenScope } from '../auth/roles.js';
import { newSessionId, newToken, parseToken, secretMatches, sha256 } from '../auth/tokens.js';
import type { DaemonStore, TokenRecord } from '../store/daemon-store.js';
import { unauthorized } from './errors.js';

const CACHE_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;
export const SESSION_MS = 12 * 60 * 60 * 1000;

export class Authenticator {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: DaemonStore) {}

  /** The principal of a token, or a 401 ApiError saying why not. */
  async verifyToken(text: string): Promise<Principal> {
    const key = sha256(text);
    const cached = this.verified.get(key);
    if (cached && cached.until > Date.now()) return cached.principal;
    this.verified.delete(key);
    const parsed = parseToken(text);
    if (!parsed) throw unauthorized('malformed token: expected flt_<id>_<secret>, as `faultline token create` prints it');
    const record = await this.store.getTokenSecret(parsed.id);
    if (!record || !(await secretMatches(parsed.secret, record.salt, record.hash))) throw unauthorized('unknown token');
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
  async login(token: string): Promise<{ sessionId: string; principal: Principal; expiresAt: string }> {
    const principal = await this.verifyToken(token);
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
