/**
 * `faultline/testing`: faults held by tests. See docs/testing.md.
 *
 * ```ts
 * import { inject } from 'faultline/testing';
 * await using fault = await inject({ fault: 'process.pause', target: 'provider-a' });
 * ```
 */

export { UserError } from '../util/errors.js';
export { FaultHandle } from './handle.js';
export { inject } from './inject.js';
export { closeChaosSession, InjectRefusedError } from './session.js';
export { FaultSpecError, type FaultSpecProblem, type InjectOptions, type TargetInput } from './spec.js';
