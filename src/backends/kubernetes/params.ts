/**
 * Reading a fault step's params for an engine. The params were already parsed by the fault's own
 * schema (durations may be milliseconds, sizes `{ bytes }` or `{ percent }`); these helpers read them
 * in whichever form they come and write them the way the engines want (Go durations, percent strings).
 */

import { parseRate } from '../../faults/network/bandwidth.js';
import { parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { parseSize } from '../../util/size.js';

export type Params = Record<string, unknown>;

export class ParamReader {
  readonly params: Params;
  constructor(
    params: Params,
    /** `network.latency on Chaos Mesh`, for messages */
    private readonly where: string,
  ) {
    // a network fault's `mechanism: kernel` wraps its params: the engine has its own mechanism
    this.params =
      params.mechanism === 'kernel' && typeof params.params === 'object' && params.params !== null ? (params.params as Params) : params;
  }

  /** The first of `names` that is set. */
  raw(...names: string[]): unknown {
    for (const name of names) if (this.params[name] !== undefined && this.params[name] !== null) return this.params[name];
    return undefined;
  }

  missing(name: string, example: string): never {
    throw new UserError(`${this.where} needs params.${name} (e.g. ${name}: ${example})`);
  }

  bad(name: string, value: unknown, expected: string): never {
    throw new UserError(`${this.where}: params.${name} ${JSON.stringify(value)} cannot be expressed: expected ${expected}`);
  }

  /** Milliseconds of a duration param given as a number (ms) or a string (`300ms`, `-10m`). */
  durationMs(names: string[], required: true, example: string): number;
  durationMs(names: string[], required?: false): number | undefined;
  durationMs(names: string[], required = false, example = '100ms'): number | undefined {
    const value = this.raw(...names);
    if (value === undefined) return required ? this.missing(names[0] as string, example) : undefined;
    const ms = toMs(value);
    if (ms === null) return this.bad(names[0] as string, value, 'a duration such as 300ms');
    return ms;
  }

  /** KB/s (1000 bytes) of a rate param, in faultline's meaning (network.bandwidth's rateField). */
  rateKBs(names: string[], example: string): number {
    const value = this.raw(...names);
    if (value === undefined) return this.missing(names[0] as string, example);
    const kbs = typeof value === 'number' || typeof value === 'string' ? parseRate(value) : null;
    if (kbs === null) return this.bad(names[0] as string, value, 'a rate such as 1mbps (bytes/s), 8mbit (bits/s) or a number of KB/s');
    return kbs;
  }

  number(names: string[], fallback?: number): number | undefined {
    const value = this.raw(...names);
    if (value === undefined) return fallback;
    const n = typeof value === 'string' && /^-?\d+(\.\d+)?%?$/.test(value) ? Number(value.replace('%', '')) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) return this.bad(names[0] as string, value, 'a number');
    return n;
  }

  /** A percentage as Chaos Mesh writes it: a string such as "25". */
  percent(names: string[], required: true, example: string): string;
  percent(names: string[], required?: false): string | undefined;
  percent(names: string[], required = false, example = '"25"'): string | undefined {
    const value = this.raw(...names);
    if (value === undefined) return required ? this.missing(names[0] as string, example) : undefined;
    const n = typeof value === 'number' ? value : Number(String(value).replace('%', ''));
    if (!Number.isFinite(n) || n < 0 || n > 100) return this.bad(names[0] as string, value, 'a percentage from 0 to 100');
    return String(n);
  }

  string(names: string[]): string | undefined {
    const value = this.raw(...names);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') return this.bad(names[0] as string, value, 'a string');
    return String(value);
  }

  strings(names: string[]): string[] | undefined {
    const value = this.raw(...names);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      return this.bad(names[0] as string, value, 'a list of strings');
    return value as string[];
  }

  /** Bytes of a size param: `{ bytes }` (parsed), a number of bytes, or a string such as `512Mi`; percent sizes separately. */
  size(names: string[]): { bytes?: number; percent?: number } | undefined {
    const value = this.raw(...names);
    if (value === undefined) return undefined;
    if (typeof value === 'object' && value !== null && ('bytes' in value || 'percent' in value)) {
      return value as { bytes?: number; percent?: number };
    }
    if (typeof value === 'number') return { bytes: value };
    if (typeof value === 'string') {
      const percent = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
      if (percent) return { percent: Number(percent[1]) };
      const bytes = parseSize(value);
      if (bytes !== null) return { bytes };
    }
    return this.bad(names[0] as string, value, 'a size such as 512Mi or a percentage such as "25%"');
  }
}

/** Milliseconds of a number (already ms) or a duration string, signed (`-10m`); null when neither. */
export function toMs(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const sign = text.startsWith('-') ? -1 : 1;
  const ms = parseDuration(text.replace(/^[+-]/, ''));
  return ms === null ? null : sign * ms;
}

/**
 * A Go duration with a single unit, which every Chaos Mesh duration field accepts (`latency` and
 * `jitter` even require one unit: `^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$`): `300ms`, `30s`, `5m`, `-10m`.
 */
export function goDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  if (abs !== 0 && abs % 3_600_000 === 0) return `${sign}${abs / 3_600_000}h`;
  if (abs !== 0 && abs % 60_000 === 0) return `${sign}${abs / 60_000}m`;
  if (abs !== 0 && abs % 1000 === 0) return `${sign}${abs / 1000}s`;
  return `${sign}${abs}ms`;
}

/** Whole seconds, at least 1 (Litmus env values). */
export function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A size in Chaos Mesh's units (binary: `512MB` is 512 MiB for its memory stressor). */
export function chaosMeshSize(size: { bytes?: number; percent?: number }): string {
  if (size.percent !== undefined) return `${size.percent}%`;
  const bytes = size.bytes ?? 0;
  const mib = 2 ** 20;
  if (bytes % (1024 * mib) === 0 && bytes > 0) return `${bytes / (1024 * mib)}GB`;
  if (bytes % mib === 0 && bytes > 0) return `${bytes / mib}MB`;
  if (bytes % 1024 === 0 && bytes > 0) return `${bytes / 1024}KB`;
  return `${bytes}B`;
}

/** `n` when it is a whole number (to a millionth), else null. */
function whole(n: number): number | null {
  const r = Math.round(n);
  return Math.abs(n - r) < 1e-6 ? r : null;
}

/** `n` in the largest unit that divides it exactly: `[value, unit]`. */
function largestUnit(n: number, base: number, units: readonly string[]): string {
  let k = units.length - 1;
  while (k > 0 && n % base ** k !== 0) k--;
  return `${n / base ** k}${units[k]}`;
}

/**
 * A rate (KB/s) the way Chaos Mesh reads it, or null when it cannot be written exactly. Its webhook
 * takes a whole number and a unit (isValidRateUnit in api/v1alpha1/networkchaos_webhook.go), and
 * chaos-daemon counts bps/kbps/mbps/gbps in 1024s of bytes but bit/kbit/mbit/gbit in 1000s of bits
 * (parseRate in pkg/chaosdaemon/netem/utils.go): faultline's 1000-based rates are written in bytes
 * with the 1024 units that divide them exactly, else in bits, else refused.
 */
export function chaosMeshRate(kbs: number): string | null {
  const bytes = whole(kbs * 1000);
  if (bytes !== null && bytes > 0) return largestUnit(bytes, 1024, ['bps', 'kbps', 'mbps', 'gbps']);
  const bits = whole(kbs * 8000);
  if (bits !== null && bits > 0) return largestUnit(bits, 1000, ['bit', 'kbit', 'mbit', 'gbit']);
  return null;
}

/** A rate (KB/s) as tc reads it (Litmus's pod-network-rate-limit hands NETWORK_BANDWIDTH to tc): bits, 1000-based. */
export function tcRate(kbs: number): string {
  const bits = Math.max(1, Math.round(kbs * 8000));
  return largestUnit(bits, 1000, ['bit', 'kbit', 'mbit', 'gbit']);
}

/** A Chaos Mesh rate in faultline's words (bytes per second, `1048576bps` for its `1mbps`), or null. */
export function fromChaosMeshRate(rate: string): string | null {
  const m = /^(\d+)\s*(bps|kbps|mbps|gbps|tbps|bit|kbit|mbit|gbit|tbit)$/i.exec(rate.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] as string).toLowerCase();
  const bytes = unit.endsWith('bps')
    ? n * 1024 ** ['bps', 'kbps', 'mbps', 'gbps', 'tbps'].indexOf(unit)
    : (n * 1000 ** ['bit', 'kbit', 'mbit', 'gbit', 'tbit'].indexOf(unit)) / 8;
  return Number.isInteger(bytes) ? `${bytes}bps` : `${n * 1000 ** ['bit', 'kbit', 'mbit', 'gbit', 'tbit'].indexOf(unit)}bit`;
}
