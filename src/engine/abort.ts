/** Ends a run `aborted`: a guard refused, the steady state did not hold first, a stop condition tripped, a halt. */
export class Abort extends Error {
  override name = 'Abort';
}
