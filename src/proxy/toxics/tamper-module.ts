/**
 * The user module of a tamper toxic: an ES module exporting `tamper(message, context)` that returns a
 * message, an array of messages, or none (null, undefined or []), possibly through a promise. It is
 * how an experiment scripts byzantine behaviour: double signing, equivocation, invalid blocks.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface TamperContext {
  framing: 'lines' | 'length-prefixed' | 'http';
  /** upstream (client to server) or downstream */
  stream: 'upstream' | 'downstream';
  /** http framing: request or response */
  phase?: 'request' | 'response';
  /** the connection, numbered from 1 per proxy */
  connection: number;
  /** the message's number in its direction on this connection, from 0 */
  index: number;
  proxy: string;
  /** a seeded random number in [0, 1) */
  random: () => number;
}

export type TamperFunction = (message: unknown, context: TamperContext) => unknown;

/** The absolute path of a module given as written (relative paths are relative to the working directory). */
export function modulePath(module: string): string {
  return isAbsolute(module) ? module : resolve(process.cwd(), module);
}

export async function loadTamperModule(module: string): Promise<TamperFunction> {
  const path = modulePath(module);
  if (!existsSync(path))
    throw new Error(`tamper module ${path} does not exist; give a path to an .mjs file exporting tamper(message, context)`);
  let loaded: { tamper?: unknown; default?: { tamper?: unknown } | unknown };
  try {
    loaded = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new Error(`tamper module ${path} cannot be loaded: ${(error as Error).message}`);
  }
  const fn = loaded.tamper ?? (loaded.default as { tamper?: unknown } | undefined)?.tamper ?? loaded.default;
  if (typeof fn !== 'function') throw new Error(`tamper module ${path} exports no function tamper(message, context)`);
  return fn as TamperFunction;
}

/** A module's result as a list (none, one or several). */
export function resultList(result: unknown): unknown[] {
  if (result === null || result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}
