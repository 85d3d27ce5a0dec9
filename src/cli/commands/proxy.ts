/**
 * `faultline proxy`: a long-lived fault-injecting proxy server with Toxiproxy's v2 HTTP API (default
 * 127.0.0.1:8474), for systems that need their proxies to exist before they start and between runs.
 * Proxies come from the command line (`--proxy NAME=LISTEN,UPSTREAM`), a config file (Toxiproxy's
 * `-config` format, JSON or YAML, toxics included) and the API. It runs until SIGINT or SIGTERM.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import type { ApiServer, ProxySpec } from '../../proxy/api/server.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { inputName, readInputText } from '../../util/input-file.js';
import { say, warn } from '../output.js';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${text}: expected a port from 0 to 65535`);
  return port;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new UserError(`--seed ${text}: expected a whole number from 0 to 4294967295`);
  return seed;
}

/** The proxy's modules, loaded when `faultline proxy` runs (not when the CLI starts). */
async function proxyLibrary() {
  const { parseProxySpec, ProxyCollection, startApiServer, TOXIPROXY_VERSION } = await import('../../proxy/api/server.js');
  const { checkUpstream } = await import('../../proxy/upstream-check.js');
  const { ProxyError } = await import('../../proxy/errors.js');
  const { tuneAllocatorForRelaying } = await import('../../proxy/malloc-tuning.js');
  const { newProxySeed } = await import('../../proxy/random.js');
  const { buildToxic } = await import('../../proxy/toxic.js');
  const { loadToxicTypes } = await import('../../proxy/toxics/load.js');
  return {
    parseProxySpec,
    checkUpstream,
    ProxyCollection,
    ProxyError,
    startApiServer,
    TOXIPROXY_VERSION,
    newProxySeed,
    buildToxic,
    loadToxicTypes,
    tuneAllocatorForRelaying,
  };
}
type ProxyLibrary = Awaited<ReturnType<typeof proxyLibrary>>;

/** `NAME=LISTEN,UPSTREAM`, e.g. `payments=127.0.0.1:17001,127.0.0.1:7001`. */
function proxyFromFlag(text: string, { parseProxySpec }: ProxyLibrary): ProxySpec {
  const m = /^([^=,\s]+)=([^,\s]+),([^,\s]+)$/.exec(text.trim());
  if (!m) throw new UserError(`--proxy ${text}: expected NAME=LISTEN,UPSTREAM such as payments=127.0.0.1:17001,127.0.0.1:7001`);
  try {
    return parseProxySpec({ name: m[1], listen: m[2], upstream: m[3] });
  } catch (error) {
    throw new UserError(`--proxy ${text}: ${errorMessage(error)}`);
  }
}

/** A config file: a JSON or YAML array of proxies (or `{ proxies: [...] }`), as Toxiproxy's `-config`. */
async function proxiesFromFile(file: string, { parseProxySpec }: ProxyLibrary): Promise<ProxySpec[]> {
  const { parse } = await import('../../util/yaml.js'); // only with --config: a few MiB less for the long-lived proxy
  const text = readInputText(file, '--config');
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new UserError(`${inputName(file)}: not valid JSON or YAML: ${errorMessage(error).split('\n')[0]}`);
  }
  const list = Array.isArray(data) ? data : (data as { proxies?: unknown } | null)?.proxies;
  if (!Array.isArray(list))
    throw new UserError(`${inputName(file)}: expected an array of proxies { name, listen, upstream, enabled?, toxics? }`);
  return list.map((entry, i) => {
    try {
      return parseProxySpec(entry, `proxy ${i + 1}`);
    } catch (error) {
      throw new UserError(`${inputName(file)}: ${errorMessage(error)}`);
    }
  });
}

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('serve the Toxiproxy v2 HTTP API and fault-injecting proxies until SIGINT/SIGTERM (Toxiproxy clients work unchanged)')
    .option('--host <host>', 'address of the HTTP API', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port of the HTTP API').default(8474).argParser(parsePort))
    .option('--config <file>', 'proxies to create at start: a JSON or YAML array of { name, listen, upstream, enabled?, toxics? }')
    .option('--proxy <spec...>', 'a proxy to create at start, NAME=LISTEN,UPSTREAM (repeatable)')
    .addOption(new Option('--seed <n>', 'seed of every random draw of the proxies (toxicity, jitter, loss)').argParser(parseSeed))
    .action(async (options) => {
      const lib = await proxyLibrary();
      const {
        buildToxic,
        loadToxicTypes,
        checkUpstream,
        ProxyCollection,
        ProxyError,
        startApiServer,
        TOXIPROXY_VERSION,
        newProxySeed,
        tuneAllocatorForRelaying,
      } = lib;
      // Everything is checked before anything listens.
      const specs = [
        ...(options.config ? await proxiesFromFile(options.config, lib) : []),
        ...(options.proxy ?? []).map((flag) => proxyFromFlag(flag, lib)),
      ];
      if (specs.some((spec) => spec.toxics?.length)) await loadToxicTypes();
      const names = new Set<string>();
      for (const spec of specs) {
        if (names.has(spec.name)) throw new UserError(`proxy ${spec.name} is declared twice; give each proxy its own name`);
        names.add(spec.name);
        (spec.toxics ?? []).forEach((toxic, i) => {
          try {
            buildToxic(toxic, 0);
          } catch (error) {
            throw new UserError(`${options.config ?? '--proxy'}: proxy ${spec.name}, toxic ${i + 1}: ${errorMessage(error)}`);
          }
        });
      }
      const seed = options.seed ?? newProxySeed();
      const collection = new ProxyCollection({ seed, onWarning: (message) => warn(`faultline proxy: ${message}`) });
      let api: ApiServer | null = null;
      const stop = async () => {
        await api?.close();
        await collection.closeAll();
      };
      try {
        api = await startApiServer({ host: options.host, port: options.port, collection });
        for (const spec of specs) await collection.create(spec);
      } catch (error) {
        await stop();
        if (error instanceof ProxyError) throw new UserError(error.message);
        throw error;
      }
      say(`faultline proxy: Toxiproxy API ${TOXIPROXY_VERSION} on ${api.url} (seed ${seed}; --seed ${seed} replays the same draws)`);
      for (const proxy of collection.list()) {
        say(
          `  proxy ${proxy.name}: ${proxy.listen} -> ${proxy.upstream}${proxy.enabled ? '' : ' (disabled)'}, ${proxy.toxics().length} toxic(s)`,
        );
        checkUpstream(proxy.upstream, proxy.name, 1000, 'update the proxy').catch((error) =>
          warn(`faultline proxy: ${errorMessage(error).replace(/^target /, 'proxy ')} (its clients are reset until it listens)`),
        );
      }
      const tuning = tuneAllocatorForRelaying();
      if (!tuning.tuned)
        warn(`faultline proxy: allocator tuning not applied (${tuning.why}); relaying costs about three times the CPU per GiB`);
      say('ready');
      await new Promise<void>((resolve) => {
        const onSignal = () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      await stop();
      say('faultline proxy: stopped');
    });
}
