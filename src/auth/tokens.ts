/**
 * API tokens: `flt_<id>_<secret>`. The id names the token (in lists and the audit log); the secret,
 * 256 random bits, is shown once when the token is made and stored only as a scrypt hash with its own
 * salt (OWASP parameters: N=2^15, r=8, p=1). Verifying costs a scrypt, so a token verified recently is
 * remembered for a short while as a SHA-256 of itself, in memory only.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;
const TOKEN = /^flt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewToken {
  id: string;
  /** the whole token: give it to its user, never store or log it */
  token: string;
  salt: string;
  hash: string;
}

function scryptHex(secret: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(secret, Buffer.from(salt, 'hex'), KEY_LENGTH, SCRYPT, (error, key) => (error ? reject(error) : resolve(key.toString('hex')))),
  );
}

export async function newToken(): Promise<NewToken> {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { id, token: `flt_${id}_${secret}`, salt, hash: await scryptHex(secret, salt) };
}

/** The id and secret of a token, or null when the text is not shaped like one. */
export function parseToken(text: string): { id: string; secret: string } | null {
  const match = TOKEN.exec(text.trim());
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

export async function secretMatches(secret: string, salt: string, hash: string): Promise<boolean> {
  const actual = Buffer.from(await scryptHex(secret, salt), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A random session id for a dashboard cookie (stored only as its SHA-256). */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
