/**
 * `faultline approve GAMEDAY_RUN_ID [--stage N]`: lets a waiting game day go on. Locally it writes the
 * approval to the game-day store (audited as the operator); with `--server URL` it asks the daemon's API,
 * with the token in $FAULTLINE_TOKEN, which needs the operator role.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import { operator } from '../../safety/halt.js';
import { UserError } from '../../util/errors.js';
import { storeOption } from '../options.js';
import { say } from '../output.js';

function parseStage(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--stage ${text}: expected a stage number, 1 for the first stage`);
  return n;
}

async function approveThroughApi(server: string, id: string, stage: number | undefined): Promise<string> {
  const token = process.env.FAULTLINE_TOKEN;
  if (!token) throw new UserError('--server needs a token in $FAULTLINE_TOKEN (make one with `faultline token create --role operator`)');
  let response: Response;
  const url = `${server.replace(/\/+$/, '')}/api/v1/gamedays/${encodeURIComponent(id)}/approve`;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(stage === undefined ? {} : { stage }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new UserError(
      `--server ${server}: cannot reach the daemon (${(error as Error).message}); check the URL and that \`faultline serve\` runs`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string }; stage?: { name?: string; index?: number } };
  if (!response.ok) {
    const why = body.error?.message ?? `HTTP ${response.status}`;
    const fix =
      response.status === 401
        ? '; check $FAULTLINE_TOKEN'
        : response.status === 403
          ? '; approving needs a token with the operator role'
          : '';
    throw new UserError(`cannot approve ${id}: ${why}${fix}`);
  }
  return `stage ${(body.stage?.index ?? 0) + 1} (${body.stage?.name ?? '?'})`;
}

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve the next stage of a game day that waits for it (or --stage N ahead of time)')
    .argument('<gameday-run-id>', 'the game-day run id (or an unambiguous prefix), as `faultline gameday run` prints it')
    .addOption(new Option('--stage <n>', 'the stage to approve, 1 for the first (default: the one waiting)').argParser(parseStage))
    .option('--server <url>', "approve through the daemon's API (token in $FAULTLINE_TOKEN, operator role)")
    .addOption(storeOption())
    .action(async (id, options) => {
      const index = options.stage === undefined ? undefined : options.stage - 1;
      if (options.server) {
        const what = await approveThroughApi(options.server, id, options.stage);
        say(`approved ${what} of game day ${id}`);
        return;
      }
      const { auditCli, findGameDay, withGameDayStore } = await import('../gameday-state.js');
      await withGameDayStore(options.store, async (store) => {
        const record = await findGameDay(store, id);
        const outcome = await store.approve(record.id, index, operator(), new Date().toISOString());
        if (!outcome.ok) throw new UserError(outcome.detail);
        await auditCli(options.store, {
          action: 'gameday.approve',
          resource: `gameday/${record.id}`,
          detail: `stage ${outcome.stage.index + 1} (${outcome.stage.name})`,
        });
        say(`approved stage ${outcome.stage.index + 1} (${outcome.stage.name}) of game day ${record.name} (${record.id})`);
      });
    });
}
