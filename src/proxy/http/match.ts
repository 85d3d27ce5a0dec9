/**
 * Which requests an HTTP toxic applies to: `method`, `path` (a glob), `headers` (all must match),
 * `status` (responses only), and `percent` of the matching requests, drawn per request.
 *
 * Globs: `*` matches any run of characters except `/`, `**` any run including `/`, `?` one character.
 * `/api/*` matches `/api/users` but not `/api/users/7`; `/api/**` matches both. Header values are
 * globs too (`*` there matches anything); an empty value only asks for the header to be present.
 */
import { getHeader } from './message.js';

export interface HttpMatch {
  method?: string[];
  path?: string;
  headers?: Record<string, string>;
  status?: number[];
  percent: number;
}

const globCache = new Map<string, RegExp>();

/** A glob as an anchored regular expression (`pathMode`: `*` stops at `/`). */
export function globToRegExp(glob: string, pathMode = true): RegExp {
  const key = `${pathMode ? 'p' : 'v'}${glob}`;
  const cached = globCache.get(key);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += pathMode ? '[^/]*' : '.*';
    } else if (c === '?') source += pathMode ? '[^/]' : '.';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, pathMode ? '' : 'i');
  if (globCache.size > 1000) globCache.clear();
  globCache.set(key, re);
  return re;
}

export interface RequestInfo {
  method: string;
  path: string;
  headers: readonly [string, string][];
}

/** Whether the request (and, on the response phase, the response status) matches; `percent` is not drawn here. */
export function matches(match: HttpMatch, request: RequestInfo, status?: number): boolean {
  if (match.method && !match.method.includes(request.method.toUpperCase())) return false;
  if (match.path && !globToRegExp(match.path).test(request.path)) return false;
  if (match.headers) {
    for (const [name, want] of Object.entries(match.headers)) {
      const have = getHeader(request.headers, name);
      if (have === undefined) return false;
      if (want !== '' && !globToRegExp(want, false).test(have)) return false;
    }
  }
  if (match.status && status !== undefined && !match.status.includes(status)) return false;
  return true;
}
