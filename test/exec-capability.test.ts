/**
 * The exec capability, over real sockets: every construct that runs a command or code on the daemon's
 * host (a cmd probe, a write probe with a command, custom.action, a tamper module, rollbacks) is refused
 * to a token without `exec`, whatever its role or scope, at every entry point that may lead to a run
 * (run, dry run, schedule, store, game day). Each construct touches a marker file: a refused request must leave
 * none behind, a granted run must leave one (so the test sees the commands really are the ones that run).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../src/server/daemon.js';
import { freePort } from '../src/util/ports.js';
import { runCli, tempDir, tempHome } from './support/cli.js';
import { call, makeToken } from './support/daemon.js';
import { waitFor } from './support/processes.js';

let daemon: Daemon;
let url: string;
let marks: string;
let tamperModule: string;
let upstream: Server;
let upstreamPort: number;
const tokens: Record<string, string> = {};

/** name -> [role, scoped, exec] */
const PRINCIPALS = {
  viewer: ['viewer', false, true],
  operator: ['operator', false, false],
  'operator-exec': ['operator', false, true],
  scoped: ['operator', true, false],
  'scoped-exec': ['operator', true, true],
  admin: ['admin', false, false],
  'admin-exec': ['admin', false, true],
} as const;
type PrincipalName = keyof typeof PRINCIPALS;

const CONSTRUCTS = ['none', 'cmd-probe', 'write-probe', 'custom-action', 'tamper-module', 'rollback'] as const;
type Construct = (typeof CONSTRUCTS)[number];
const ENTRIES = ['run', 'dry-run', 'schedule', 'store', 'gameday'] as const;
type Entry = (typeof ENTRIES)[number];

/** The spec of an experiment holding one construct, whose command touches `mark`. */
async function specOf(construct: Construct, mark: string): Promise<string> {
  const port = await freePort();
  const target = `  targets: [ { name: svc, labels: { team: payments }, endpoint: { listen: "127.0.0.1:${port}", upstream: "127.0.0.1:${upstreamPort}" } } ]\n`;
  const pause = '  method: [ { pause: 50ms } ]\n';
  switch (construct) {
    case 'none':
      return `  hypothesis: h\n${pause}`;
    case 'cmd-probe':
      return `  hypothesis: h\n  probes: [ { name: p, type: cmd, cmd: { command: [ touch, "${mark}" ] }, mode: SOT } ]\n${pause}`;
    case 'write-probe':
      return `  hypothesis: h\n  probes:\n    - name: w\n      type: write\n      interval: 100ms\n      write: { command: [ sh, -c, 'touch "$1"', "{seq}", "${mark}" ], read: { command: [ test, -n, "{seq}" ] } }\n${pause}`;
    case 'custom-action':
      return `  hypothesis: h\n  method: [ { fault: custom.action, params: { run: [ touch, "${mark}" ], revert: [ "true" ] }, duration: 50ms } ]\n`;
    case 'tamper-module':
      return `  hypothesis: h\n${target}  method: [ { fault: message.tamper, selector: { names: [ svc ] }, params: { module: "${tamperModule}", framing: lines }, duration: 50ms } ]\n`;
    case 'rollback':
      return `  hypothesis: h\n${pause}  rollbacks: [ { cmd: [ touch, "${mark}" ] } ]\n`;
  }
}

function expected(principal: PrincipalName, construct: Construct, entry: Entry): 'ok' | 'role' | 'scope' | 'exec' {
  const [role, scoped, exec] = PRINCIPALS[principal];
  const needed = entry === 'schedule' ? 'admin' : 'operator';
  if (role === 'viewer' || (needed === 'admin' && role !== 'admin')) return 'role';
  if (scoped && construct === 'custom-action') return 'scope';
  if (construct !== 'none' && !exec) return 'exec';
  return 'ok';
}

async function attempt(principal: PrincipalName, construct: Construct, entry: Entry) {
  const name = `${principal}-${construct}-${entry}`;
  const mark = join(marks, name);
  const spec = await specOf(construct, mark);
  const token = tokens[principal] as string;
  if (entry === 'run' || entry === 'dry-run') {
    const yaml = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${spec}`;
    return { name, mark, res: await call(url, 'POST', entry === 'run' ? '/api/v1/runs' : '/api/v1/dry-run', { token, json: { yaml } }) };
  }
  if (entry === 'gameday') {
    // a game day whose one stage runs the experiment, sent in the same body
    const gameDay = `apiVersion: faultline.dev/v1\nkind: GameDay\nmetadata: { name: ${name} }\nspec:\n  facilitator: ada\n  stages: [ { name: only, experiments: [ { name: ${name} } ] } ]\n`;
    const yaml = `${gameDay}---\napiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${spec}`;
    return { name, mark, res: await call(url, 'POST', '/api/v1/gamedays', { token, yaml }) };
  }
  if (entry === 'store') {
    const yaml = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n${spec}`;
    return { name, mark, res: await call(url, 'POST', '/api/v1/experiments', { token, yaml }) };
  }
  const indented = spec
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  const yaml = `apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: ${name} }\nspec:\n  schedule: "0 3 1 1 *"\n  suspend: true\n  experiment:\n    spec:\n${indented}`;
  return { name, mark, res: await call(url, 'POST', '/api/v1/schedules', { token, yaml }) };
}

beforeAll(async () => {
  const home = tempHome();
  process.env.FAULTLINE_HOME = home;
  // the tamper module's target needs an upstream that answers; an echo server on loopback
  upstream = createServer((socket) => socket.pipe(socket));
  upstreamPort = await freePort();
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, '127.0.0.1', resolve));
  marks = tempDir('faultline-exec-marks-');
  tamperModule = join(tempDir('faultline-exec-module-'), 'tamper.mjs');
  // importing the module is running the author's code: it leaves a mark of its own
  writeFileSync(
    tamperModule,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(marks, 'tamper-module-imported'))}, '');\nexport function tamper(m) { return m; }\n`,
  );
  for (const [name, [role, scoped, exec]] of Object.entries(PRINCIPALS)) {
    const extra = [...(scoped ? ['--scope-labels', 'team=payments'] : []), ...(exec ? ['--capability', 'exec'] : [])];
    tokens[name] = await makeToken(home, name, role, extra);
  }
  const { Daemon } = await import('../src/server/daemon.js');
  daemon = await Daemon.start({ port: 0, log: () => {} });
  url = daemon.url;
}, 60_000);

afterAll(async () => {
  await daemon?.stop('tests done');
  upstream?.close();
});

describe('the exec capability', () => {
  it('is refused, at every entry point, to every token without it; granted, the commands really run', async () => {
    const started: { runId: string; mark: string; construct: Construct }[] = [];
    const gameDays: { id: string; mark: string; construct: Construct }[] = [];
    const deniedMarks: string[] = [];
    for (const principal of Object.keys(PRINCIPALS) as PrincipalName[]) {
      for (const construct of CONSTRUCTS) {
        for (const entry of ENTRIES) {
          const { name, mark, res } = await attempt(principal, construct, entry);
          const want = expected(principal, construct, entry);
          const where = `${name}: ${res.status} ${res.text.slice(0, 300)}`;
          if (want === 'ok') {
            expect(res.status, where).toBe({ run: 202, 'dry-run': 200, schedule: 201, store: 201, gameday: 202 }[entry]);
            if (entry === 'run') started.push({ runId: res.json.runId, mark, construct });
            if (entry === 'gameday') gameDays.push({ id: res.json.id, mark, construct });
            continue;
          }
          expect(res.status, where).toBe(403);
          if (want === 'role') expect(res.json.error.message, where).toMatch(/needs the (operator|admin) role/);
          if (want === 'scope') expect(res.json.error.details[0].message, where).toMatch(/acts on this host itself/);
          if (want === 'exec') {
            expect(res.json.error.message, where).toMatch(/lacks the exec capability/);
            expect(res.json.error.details[0].message, where).toMatch(/needs a token with the exec capability/);
          }
          deniedMarks.push(mark);
        }
      }
    }
    expect(deniedMarks.length).toBeGreaterThan(100);
    // the granted runs end, and each construct's command ran (the tamper module leaves its own mark)
    await waitFor(
      () => daemon.runs.list().length === 0 && daemon.gameDayRuns.list().length === 0,
      60_000,
      'the granted runs and game days to end',
    );
    for (const { id, mark, construct } of gameDays) {
      const report = (await call(url, 'GET', `/api/v1/gamedays/${id}`, { token: tokens.admin })).json;
      expect(report.stages[0].runs, `game day ${id}: ${report.reason}`).toHaveLength(1);
      if (construct === 'none' || construct === 'tamper-module') continue;
      expect(existsSync(mark), `${construct} of game day ${id} (${report.status}: ${report.reason}) did not run`).toBe(true);
    }
    for (const { runId, mark, construct } of started) {
      if (construct === 'none') continue;
      const ran = construct === 'tamper-module' ? join(marks, 'tamper-module-imported') : mark;
      const run = await call(url, 'GET', `/api/v1/runs/${runId}`, { token: tokens.admin });
      expect(existsSync(ran), `${construct} of run ${runId} (${run.json.run.verdict}: ${run.json.run.reason}) did not run`).toBe(true);
    }
    // nothing a refused request carried ran, then or since
    expect(deniedMarks.filter((m) => existsSync(m))).toEqual([]);
  }, 120_000);

  it("refuses a trigger of a schedule, or a replaced stored experiment, that would run another's commands", async () => {
    const cmdSpec = await specOf('cmd-probe', join(marks, 'triggered'));
    const stored = `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: shared }\nspec:\n${await specOf('none', '')}`;
    expect((await call(url, 'POST', '/api/v1/experiments', { token: tokens.operator, yaml: stored })).status).toBe(201);
    const schedule = `apiVersion: faultline.dev/v1\nkind: Schedule\nmetadata: { name: nightly }\nspec:\n  schedule: "0 3 1 1 *"\n  suspend: true\n  experiment: shared\n`;
    expect((await call(url, 'POST', '/api/v1/schedules', { token: tokens['admin-exec'], yaml: schedule })).status).toBe(201);
    // an operator without exec may not slip a command into the experiment that the schedule runs
    const replaced = await call(url, 'PUT', '/api/v1/experiments/shared', {
      token: tokens.operator,
      yaml: `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: shared }\nspec:\n${cmdSpec}`,
    });
    expect(replaced.status).toBe(403);
    expect(replaced.json.error.details[0].message).toMatch(/spec.probes p \(cmd probe\) runs a command/);
    // one with exec may; then a trigger by a token without exec is refused, and nothing ran
    expect(
      (
        await call(url, 'PUT', '/api/v1/experiments/shared', {
          token: tokens['operator-exec'],
          yaml: `apiVersion: faultline.dev/v1\nkind: Experiment\nmetadata: { name: shared }\nspec:\n${cmdSpec}`,
        })
      ).status,
    ).toBe(200);
    const trigger = await call(url, 'POST', '/api/v1/schedules/nightly/trigger', { token: tokens.operator });
    expect(trigger.status).toBe(403);
    expect(trigger.json.error.message).toMatch(/lacks the exec capability/);
    expect(existsSync(join(marks, 'triggered'))).toBe(false);
    // a project whose probes execute is refused to an admin without exec
    const project = `apiVersion: faultline.dev/v1\nkind: Project\nspec:\n  probes: [ { name: up, type: cmd, cmd: { command: [ "true" ] } } ]\n`;
    const refused = await call(url, 'PUT', '/api/v1/project', { token: tokens.admin, yaml: project });
    expect(refused.status).toBe(403);
    expect((await call(url, 'PUT', '/api/v1/project', { token: tokens['admin-exec'], yaml: project })).status).toBe(200);
  });

  it('shows the capabilities of a token, and takes only known ones', async () => {
    expect((await call(url, 'GET', '/api/v1/whoami', { token: tokens['scoped-exec'] })).json.capabilities).toEqual(['exec']);
    expect((await call(url, 'GET', '/api/v1/whoami', { token: tokens.scoped })).json.capabilities).toEqual([]);
    const bad = await call(url, 'POST', '/api/v1/tokens', { token: tokens.admin, json: { user: 'operator', capabilities: ['root'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/capabilities: expected a list of exec/);
    // an admin without exec may not give it (to itself, or to anyone)
    const escalation = await call(url, 'POST', '/api/v1/tokens', { token: tokens.admin, json: { user: 'admin', capabilities: ['exec'] } });
    expect(escalation.status).toBe(403);
    expect(escalation.json.error.message).toMatch(/only a token that has exec may give it/);
    const made = await call(url, 'POST', '/api/v1/tokens', {
      token: tokens['admin-exec'],
      json: { user: 'operator', capabilities: ['exec'] },
    });
    expect(made.status).toBe(201);
    expect(made.json.capabilities).toEqual(['exec']);
    const cli = await runCli(['token', 'create', '--user', 'x', '--role', 'operator', '--capability', 'root'], { home: tempHome() });
    expect(cli.code).toBe(3);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/--capability.*root.*exec/);
    const listed = await runCli(['token', 'list'], { home: process.env.FAULTLINE_HOME as string });
    expect(listed.stdout).toMatch(/admin-exec\s+admin\s+unscoped\s+exec/);
  });
});
