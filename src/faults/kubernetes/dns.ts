/**
 * dns.error and dns.random: DNS answers that fail or lie, for pods. Only backend kubernetes can do them
 * (Chaos Mesh DNSChaos; Litmus pod-dns-error for dns.error): faultline has no local DNS fault, so on
 * backend local the step is refused while the run is planned, before any harm.
 */

import { strict } from '../../spec/fields.js';
import { UserError } from '../../util/errors.js';
import { z } from '../../util/zod.js';
import { registerFault } from '../registry.js';

const params = strict({
  patterns: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('domains to hit, with ? and a trailing * as wildcards (Chaos Mesh patterns); default every domain'),
});

type Params = z.infer<typeof params>;

function kubernetesOnly(name: string, engines: string): never {
  throw new UserError(`${name} runs only on backend kubernetes (${engines}); set spec.backend: kubernetes`);
}

for (const [name, action, engines] of [
  ['dns.error', 'fail', 'Chaos Mesh DNSChaos error, Litmus pod-dns-error'],
  ['dns.random', 'answer with random addresses', 'Chaos Mesh DNSChaos random'],
] as const) {
  registerFault<Params, never>({
    name,
    summary: `DNS lookups of the selected pods ${action} (backend kubernetes)`,
    params,
    needs: 'host',
    // The local backend plans a step with describe(): refusing here stops the run before any harm.
    describe: () => kubernetesOnly(name, engines),
    inject: async () => kubernetesOnly(name, engines),
    async revert() {},
  });
}
