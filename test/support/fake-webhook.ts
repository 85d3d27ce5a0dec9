/**
 * A webhook receiver on 127.0.0.1 that checks faultline's signature the way a real receiver should:
 * the HMAC-SHA256 of the raw body with the shared secret, compared in constant time with
 * `X-Faultline-Signature: sha256=<hex>`. 204 when valid, 401 when not. Scriptable (hang, 500).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type RecordingServer, startRecordingServer, text } from './recording-server.js';

export interface FakeWebhook extends RecordingServer {
  secret: string;
  /** bodies whose signature was valid, parsed */
  deliveries: unknown[];
  /** requests whose signature was missing or wrong */
  rejected: number;
}

export function validSignature(body: string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body, 'utf8').digest('hex'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startFakeWebhook(secret = 'whsec-fake-7c1d9e0b5a3f'): Promise<FakeWebhook> {
  const deliveries: unknown[] = [];
  const server: FakeWebhook = Object.assign(
    await startRecordingServer((req) => {
      if (req.method !== 'POST') return text(405, 'method not allowed');
      if (!validSignature(req.body, req.headers['x-faultline-signature'], secret)) {
        server.rejected++;
        return text(401, 'bad signature');
      }
      deliveries.push(JSON.parse(req.body));
      return { status: 204, body: '' };
    }),
    { secret, deliveries, rejected: 0 },
  );
  return server;
}
