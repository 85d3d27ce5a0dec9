/**
 * The IO faults (io.latency, io.error, io.attr, io.mistake): rules added to the IO control file of a
 * process started by `faultline wrap`, which faultline's preload library (native/io.c) applies to the
 * process's file calls, and removed on revert. One file per fault declares its params and its rules.
 *
 * Journal first: the state names the control file and the rules' id before the rules are written, so
 * `faultline recover` removes them after a crash. The library looks at the file at most every 50ms:
 * inject and revert wait that long, so the change is in effect when they return.
 */

import { instanceLabel, type TargetInstance } from '../../engine/target-instance.js';
import { errorMessage, UserError } from '../../util/errors.js';
import { isSameProcess } from '../../util/processes.js';
import type { z } from '../../util/zod.js';
import { heldFor } from '../describe.js';
import { registerFault } from '../registry.js';
import { addRules, type IoOp, type IoRule, ioControlOf, newRuleId, removeRules } from './rules.js';
import { globsOf } from './scope.js';

interface IoFaultState {
  controlFile: string;
  ruleId: string;
  /** the process under the library, for reports */
  pid: number;
}

/** What every IO fault's params have. */
export interface IoScope {
  path?: string;
  methods: IoOp[];
  percent: number;
}

export interface IoFaultDefinition<P extends IoScope> {
  name: string;
  summary: string;
  example?: Record<string, unknown>;
  params: z.ZodType<P>;
  kind: IoRule['kind'];
  /** the rule's own fields for the library (delay_us, errno, ...) */
  fields(params: P): IoRule['fields'];
  /** what the process sees, e.g. `EIO on 50% of fsync` */
  what(params: P): string;
}

export function registerIoFault<P extends IoScope>(definition: IoFaultDefinition<P>): void {
  const { name } = definition;
  registerFault<P, IoFaultState>({
    name,
    summary: definition.summary,
    example: definition.example,
    params: definition.params,
    needs: 'process',
    describe: (p, target, durationMs) => {
      let scope: string;
      try {
        scope = globsOf(p.path, target, name).join(', ');
      } catch (error) {
        scope = `(${errorMessage(error)})`;
      }
      return `${definition.what(p)} for ${instanceLabel(target)} on ${scope} ${heldFor(durationMs)}, then back (IO control file of faultline wrap)`;
    },
    async inject({ params: p, target, journal }) {
      const label = instanceLabel(target);
      const rules = rulesOf(definition, p, target);
      const control = ioControlOf(target.pid as number, label, name);
      const ruleId = newRuleId();
      journal({ controlFile: control.controlFile, ruleId, pid: control.pid });
      if (!(await addRules(control.controlFile, ruleId, rules))) {
        throw new UserError(
          `${name}: the IO control file ${control.controlFile} of ${label} is gone (was faultline wrap killed?); restart the process under faultline wrap`,
        );
      }
      if (!isSameProcess(control.pid, undefined)) throw new UserError(`${name}: ${label} exited while its IO fault was being applied`);
    },
    async revert({ controlFile, ruleId }) {
      // A missing file means `faultline wrap` has ended with its process: nothing is left to remove.
      await removeRules(controlFile, ruleId);
    },
  });
}

function rulesOf<P extends IoScope>(definition: IoFaultDefinition<P>, p: P, target: TargetInstance): IoRule[] {
  const fields = definition.fields(p);
  return globsOf(p.path, target, definition.name).map((path) => ({
    kind: definition.kind,
    ops: p.methods,
    percent: p.percent,
    path,
    fields,
  }));
}
