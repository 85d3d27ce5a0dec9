/**
 * Is an upstream there? Checked before a run sets up its endpoint, and by `faultline proxy` for each
 * proxy it starts. Apart from the endpoint setups, so the long-lived proxy does not load the run engine's
 * registries for it.
 */
import { connect } from 'node:net';
import { UserError } from '../util/errors.js';
import { parseHostPort } from './address.js';

/** Connects once to the upstream; a UserError when it refuses or does not answer. */
export function checkUpstream(upstream: string, target: string, timeoutMs = 3000, fix = 'fix endpoint.upstream'): Promise<void> {
  const { host, port } = parseHostPort(upstream, `target ${target}: endpoint.upstream`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new UserError(`target ${target}: its upstream ${upstream} does not accept a connection within ${timeoutMs}ms; start it, or ${fix}`),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ECONNREFUSED' ? 'refuses connections (ECONNREFUSED)' : `cannot be reached (${error.message})`;
      reject(new UserError(`target ${target}: its upstream ${upstream} ${why}; start it, or ${fix}`));
    });
  });
}
