/**
 * Who may call the daemon: users, their tokens and the dashboard's sessions, secrets only as hashes.
 * Used by the Authenticator (server/auth.ts), the admin routes and `faultline token`. Part of
 * DaemonStore (daemon-store.ts).
 */
import type { Capability, Role, TokenScope } from '../auth/roles.js';

export interface UserRecord {
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
}

export interface TokenRecord {
  id: string;
  user: string;
  description: string;
  scope: TokenScope | null;
  /** what the token may make the host do beyond its role (`exec`) */
  capabilities: Capability[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A token with what verifying it needs; never leaves the server. */
export interface TokenSecretRecord extends TokenRecord {
  salt: string;
  hash: string;
  /** the user's role, null when the user was deleted */
  role: Role | null;
}

export interface SessionRecord {
  tokenId: string;
  user: string;
  createdAt: string;
  expiresAt: string;
}

export interface IdentitiesStore {
  listUsers(): Promise<UserRecord[]>;
  getUser(name: string): Promise<UserRecord | undefined>;
  createUser(user: UserRecord): Promise<void>;
  /** deletes the user and revokes every token of theirs */
  deleteUser(name: string, at: string): Promise<boolean>;
  listTokens(): Promise<TokenRecord[]>;
  createToken(token: TokenSecretRecord): Promise<void>;
  getTokenSecret(id: string): Promise<TokenSecretRecord | undefined>;
  revokeToken(id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
  createSession(idHash: string, session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
}
