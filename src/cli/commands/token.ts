/**
 * `faultline token create|list|revoke` and `faultline user list|delete`: the daemon's users and API
 * tokens, written straight to its store (how the first admin token is made). A new token is printed
 * once, alone on stdout, for scripts; it is stored only as a scrypt hash.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import { CAPABILITIES, isRole, ROLES, type TokenScope } from '../../auth/roles.js';
import { operator } from '../../safety/halt.js';
import type { AuditStore } from '../../store/audit-store.js';
import type { DaemonStore } from '../../store/daemon-store.js';
import { parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/errors.js';
import { say, table, warn } from '../output.js';

const storeOption = () =>
  new Option('--store <store>', 'sqlite (default), sqlite:PATH or postgres://... (or FAULTLINE_STORE): the store of the daemon');

async function withStore<T>(spec: string | undefined, work: (store: DaemonStore) => Promise<T>): Promise<T> {
  const { openDaemonStore } = await import('../../store/open.js');
  const store = await openDaemonStore(spec ?? process.env.FAULTLINE_STORE ?? 'sqlite');
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function parseLabels(text: string): Record<string, string> {
  const set: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [key, value, extra] = pair.split('=').map((p) => p.trim());
    if (!key || value === undefined || extra !== undefined)
      throw new UserError(`--scope-labels ${text}: expected KEY=VALUE[,KEY=VALUE], such as team=payments`);
    set[key] = value;
  }
  return set;
}

async function audit(store: AuditStore, action: string, resource: string, detail: string): Promise<void> {
  await store.appendAudit({ actor: operator(), role: 'admin', action, resource, source: 'cli', outcome: 'ok', detail });
}

export function registerToken(program: Command): void {
  const token = program.command('token').description("manage the daemon's API tokens (stored hashed; shown once)");
  token
    .command('create')
    .description('make a token for a user (created with --role if new); prints the token alone on stdout')
    .requiredOption('--user <name>', 'who the token is for')
    .addOption(new Option('--role <role>', 'the role of a new user').choices(ROLES))
    .option('--scope-labels <labels...>', 'limit the token to targets with these labels (KEY=VALUE,...; several sets: any of them)')
    .option('--scope-namespaces <namespaces>', 'limit the token to these Kubernetes namespaces (comma-separated)')
    .addOption(
      new Option(
        '--capability <name...>',
        "let the token's experiments run commands or code on the daemon's host (cmd probes, custom.action, rollbacks, tamper modules); none by default",
      ).choices(CAPABILITIES),
    )
    .option('--expires <duration>', 'the token stops working after this long, e.g. 90d')
    .option('--description <text>', 'what the token is for')
    .addOption(storeOption())
    .action(async (options) => {
      const { Authenticator } = await import('../../server/auth.js');
      const { describeScope } = await import('../../auth/scope.js');
      const { describeCapabilities } = await import('../../auth/capabilities.js');
      if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(options.user))
        throw new UserError('--user: expected letters, digits, ".", "_", "@" and "-"');
      let expiresAt: string | null = null;
      if (options.expires) {
        const ms = parseDuration(options.expires);
        if (!ms) throw new UserError(`--expires ${options.expires}: expected a duration such as 12h or 90d`);
        expiresAt = new Date(Date.now() + ms).toISOString();
      }
      const scope: TokenScope = {};
      if (options.scopeLabels) scope.labels = options.scopeLabels.map(parseLabels);
      if (options.scopeNamespaces)
        scope.namespaces = options.scopeNamespaces
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean);
      await withStore(options.store, async (store) => {
        let user = await store.getUser(options.user);
        if (!user) {
          if (!options.role || !isRole(options.role))
            throw new UserError(`no user ${options.user}: give --role ${ROLES.join('|')} to create it`);
          user = { name: options.user, role: options.role, createdAt: new Date().toISOString(), createdBy: operator() };
          await store.createUser(user);
          await audit(store, 'user.create', options.user, `${options.user} as ${user.role}`);
        } else if (options.role && options.role !== user.role) {
          throw new UserError(`user ${options.user} is ${user.role}, not ${options.role}; delete the user to change the role`);
        }
        const made = await new Authenticator(store).createToken(user.name, {
          description: options.description ?? '',
          scope: scope.labels || scope.namespaces ? scope : null,
          capabilities: [...new Set(options.capability ?? [])],
          expiresAt,
          createdBy: operator(),
        });
        await audit(
          store,
          'token.create',
          made.record.id,
          `token ${made.record.id} for ${user.name} (${user.role}, ${describeScope(made.record.scope)}, capabilities ${describeCapabilities(made.record.capabilities)})`,
        );
        say(made.token);
        warn(
          `token ${made.record.id} for ${user.name} (${user.role}, ${describeScope(made.record.scope)})${expiresAt ? `, expires ${expiresAt}` : ''}: store it now, it is not shown again`,
        );
      });
    });
  token
    .command('list')
    .description('list the tokens (never their secrets)')
    .addOption(storeOption())
    .action(async (options) => {
      const { describeScope } = await import('../../auth/scope.js');
      const { describeCapabilities } = await import('../../auth/capabilities.js');
      await withStore(options.store, async (store) => {
        const tokens = await store.listTokens();
        const roles = new Map((await store.listUsers()).map((u) => [u.name, u.role]));
        if (!tokens.length) return say('no token yet: faultline token create --user NAME --role admin');
        say(
          table(
            ['id', 'user', 'role', 'scope', 'capabilities', 'created', 'last used', 'state'],
            tokens.map((t) => [
              t.id,
              t.user,
              roles.get(t.user) ?? '(deleted)',
              describeScope(t.scope),
              describeCapabilities(t.capabilities),
              t.createdAt.slice(0, 19),
              t.lastUsedAt?.slice(0, 19) ?? '-',
              t.revokedAt
                ? `revoked ${t.revokedAt.slice(0, 19)}`
                : t.expiresAt && Date.parse(t.expiresAt) < Date.now()
                  ? 'expired'
                  : 'active',
            ]),
          ),
        );
      });
    });
  token
    .command('revoke')
    .description('revoke a token by its id')
    .argument('<id>', 'the token id (faultline token list)')
    .addOption(storeOption())
    .action(async (id, options) => {
      await withStore(options.store, async (store) => {
        if (!(await store.revokeToken(id, new Date().toISOString())))
          throw new UserError(`no active token ${id}; list them with faultline token list`);
        await audit(store, 'token.revoke', id, id);
        say(`token ${id} revoked (a running daemon stops accepting it within 30 seconds)`);
      });
    });

  const user = program.command('user').description("manage the daemon's users");
  user
    .command('list')
    .description('list the dashboard users (never their passwords)')
    .addOption(storeOption())
    .action(async (options) => {
      await withStore(options.store, async (store) => {
        const users = await store.listUsers();
        say(
          users.length
            ? table(
                ['user', 'role', 'created', 'by'],
                users.map((u) => [u.name, u.role, u.createdAt.slice(0, 19), u.createdBy]),
              )
            : 'no user yet',
        );
      });
    });
  user
    .command('delete')
    .description('delete a user and revoke every token of theirs')
    .argument('<name>')
    .addOption(storeOption())
    .action(async (name, options) => {
      await withStore(options.store, async (store) => {
        if (!(await store.deleteUser(name, new Date().toISOString()))) throw new UserError(`no user named ${name}`);
        await audit(store, 'user.delete', name, name);
        say(`user ${name} deleted; their tokens are revoked`);
      });
    });
}
