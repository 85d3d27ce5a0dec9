/**
 * Modules the commands load when they run, not when the CLI starts: a command's declaration imports only
 * commander and small helpers, so `faultline --help`, `validate`, `halt` and `recover` start at once.
 */

/** The experiment loader with every document kind registered (experiments, schedules, programmes, game days). */
export async function specLoader(): Promise<typeof import('../spec/load.js')> {
  await import('../programme/index.js'); // registers the Programme and GameDay kinds with the loader
  return import('../spec/load.js');
}

/** The programme loader (with the experiment loader it uses). */
export async function programmeLoader(): Promise<typeof import('../programme/programme.js')> {
  await specLoader();
  return import('../programme/programme.js');
}
