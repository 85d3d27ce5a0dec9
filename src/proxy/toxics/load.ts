/**
 * The toxic types load with the first toxic a proxy is given, not with the proxy: their attribute schemas
 * are zod's, and an idle `faultline proxy` without them took about 7 MiB less here (bench/RESULTS.md).
 */
let loading: Promise<unknown> | undefined;

/** Registers every toxic type once; later calls wait for the same load. */
export function loadToxicTypes(): Promise<unknown> {
  loading ??= import('./index.js');
  return loading;
}
