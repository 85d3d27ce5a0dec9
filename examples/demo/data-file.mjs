// The demo provider's data file (its price list): JSON {"payload": {...}, "sha256": hex of JSON(payload)}.
// The provider re-reads it when it changes (inotify, and a poll every 500 ms as a fallback) and accepts
// it only if it parses and its checksum matches; a damaged file is rejected and the last good data is
// kept, so a corrupted file never reaches a customer. The state is served on GET /data.
// With no file name, there is no data file (state "none").
import { createHash } from 'node:crypto';
import fs from 'node:fs';

const DEFAULT_PAYLOAD = { version: 1, currency: 'EUR', prices: { basic: 10, plus: 25, pro: 99 } };
const checksum = (payload) => createHash('sha256').update(JSON.stringify(payload)).digest('hex');

/** Watches `file` (created with default data when missing); returns { status() }. */
export function watchDataFile(file, service) {
  const status = { state: 'none', version: null, reason: null, rejected: 0 };
  if (!file) return { status: () => status };
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${JSON.stringify({ payload: DEFAULT_PAYLOAD, sha256: checksum(DEFAULT_PAYLOAD) })}\n`);
  }
  let lastRaw = null;
  const reload = () => {
    let raw;
    try {
      raw = fs.readFileSync(file);
    } catch (err) {
      raw = Buffer.from(`unreadable: ${err.code}`);
    }
    if (lastRaw && raw.equals(lastRaw)) return;
    lastRaw = raw;
    try {
      const doc = JSON.parse(raw.toString('utf8'));
      if (!doc || typeof doc.payload !== 'object' || checksum(doc.payload) !== doc.sha256) throw new Error('checksum mismatch');
      Object.assign(status, { state: 'ok', version: doc.payload.version, reason: null });
      console.error(`[${service}] data file ${file} loaded (version ${doc.payload.version})`);
    } catch (err) {
      Object.assign(status, { state: 'rejected', reason: err.message.slice(0, 100), rejected: status.rejected + 1 });
      console.error(`[${service}] data file ${file} rejected (${status.reason}); keeping the last good data`);
    }
  };
  reload();
  try {
    fs.watch(file, { persistent: false }, reload);
  } catch {
    // no inotify: the poll below is enough
  }
  setInterval(reload, 500).unref();
  return { status: () => ({ ...status }) };
}
