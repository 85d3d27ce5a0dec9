/**
 * What editors see of the format's choices (JSON Schema export only; the loader checks with the zod
 * schemas themselves): a fault step's `params` typed by its `fault`, a probe's block and expectations by
 * its `type`, each from the schema the fault or probe type registered.
 */

import { allFaults } from '../faults/index.js';
import type { FaultType } from '../faults/types.js';
import { findProbeType, probeTypeNames } from '../probes/index.js';
import type { z } from '../util/zod.js';
import type { EditorView } from './dispatch.js';
import { discriminated, type EditorContext, type JsonSchema, withoutRequired } from './editor-schema.js';
import { strict } from './fields.js';

type Shape = Record<string, z.ZodType>;

/** The params of `fault`, kept once in the schema. */
function paramsOf(ctx: EditorContext, fault: FaultType): JsonSchema {
  return ctx.shared(`params.${fault.name}`, () => ctx.toJson(fault.params));
}

/** The params of `fault` with none of its own fields required: a part to be merged with another. */
function partialParamsOf(ctx: EditorContext, fault: FaultType): JsonSchema {
  return ctx.shared(`params.${fault.name}.partial`, () => withoutRequired(ctx.toJson(fault.params)));
}

/** A step may leave `params` out only when the fault takes its defaults. */
const needsParams = (fault: FaultType) => !fault.params.safeParse({}).success;

/** A fault step: its common fields, and `params` by `fault`. */
export function faultStepView(shape: Shape): EditorView {
  const { fault: _fault, params: _params, ...common } = shape;
  return {
    json: (ctx) =>
      ctx.shared('faultStep', () =>
        discriminated(
          'fault',
          allFaults().map((fault) => ({
            value: fault.name,
            description: fault.summary,
            schema: { properties: { params: paramsOf(ctx, fault) }, ...(needsParams(fault) ? { required: ['params'] } : {}) },
          })),
          ctx.toJson(strict(common)),
        ),
      ),
  };
}

/** A progressive step's body: its params and each stage's, merged, are the fault's params. */
export function progressiveView(shape: Shape): EditorView {
  const { fault: _fault, ...common } = shape;
  return {
    json: (ctx) =>
      discriminated(
        'fault',
        allFaults().map((fault) => {
          const params = partialParamsOf(ctx, fault);
          return {
            value: fault.name,
            description: fault.summary,
            schema: { properties: { params, stages: { type: 'array', items: { type: 'object', properties: { params } } } } },
          };
        }),
        ctx.toJson(strict(common)),
      ),
  };
}

/** A probe: its common fields, then the block named by its `type` and that type's expectations. */
export function probeView(common: Shape): EditorView {
  return {
    json: (ctx) =>
      ctx.shared('probe', () =>
        discriminated(
          'type',
          probeTypeNames().map((type) => {
            const probeType = findProbeType(type) as NonNullable<ReturnType<typeof findProbeType>>;
            return {
              value: type,
              description: probeType.summary,
              schema: {
                properties: { [type]: ctx.toJson(probeType.config), expect: ctx.toJson(probeType.expect) },
                required: [type],
              },
            };
          }),
          ctx.toJson(strict(common)),
        ),
      ),
  };
}
