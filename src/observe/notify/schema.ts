/** The schema of `spec.notifications` in the project file; importing it registers every channel. */
import './slack.js';
import './pagerduty.js';
import './webhook.js';
import { dispatch } from '../../spec/dispatch.js';
import { discriminated } from '../../spec/editor-schema.js';
import { didYouMean } from '../../util/suggest.js';
import { z } from '../../util/zod.js';
import { type Channel, type CommonConfig, channelTypes, findChannel } from './channel.js';

/** One entry of `spec.notifications`, validated (defaults filled in). */
export type NotificationSpec = CommonConfig & Record<string, unknown>;
function pickSchema(value: unknown): z.ZodType {
  const type = (value as { type?: unknown } | null)?.type;
  const channel = typeof type === 'string' ? findChannel(type) : undefined;
  if (channel) return channel.schema;
  const types = channelTypes();
  return z.object({
    type: z.custom<never>(() => false, {
      error: () =>
        type === undefined
          ? `required field is missing (one of ${types.join(', ')})`
          : `unknown notification type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, types) : ''}; known types: ${types.join(', ')}`,
    }),
  });
}

let schemaCache: z.ZodType<NotificationSpec[]> | undefined;

/** The schema of `spec.notifications`: a list of channel configs, each checked by its channel's schema. */
export function notificationsSchema(): z.ZodType<NotificationSpec[]> {
  schemaCache ??= z
    .array(
      dispatch<NotificationSpec>(
        (value) => pickSchema(value) as z.ZodType<NotificationSpec>,
        () => ({
          json: (ctx) =>
            discriminated(
              'type',
              channelTypes().map((type) => ({ value: type, schema: ctx.toJson((findChannel(type) as Channel).schema) })),
            ),
        }),
      ),
    )
    .describe('where to send the outcome of every run: slack, pagerduty, webhook');
  return schemaCache;
}
