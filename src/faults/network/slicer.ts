/** network.slicer: cuts the traffic through the target's proxy into small slices sent with a delay between them. */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import { z } from '../../util/zod.js';
import { registerProxyFault, streamParam, streams, toxicityParam } from './proxy-fault.js';

const params = strict({
  averageSize: z.number().int().min(1).default(64).describe('average slice size in bytes'),
  sizeVariation: z.number().int().min(0).default(0).describe('uniform ± spread of the slice size, below averageSize'),
  delay: duration.default(0).describe('time between slices'),
  stream: streamParam('downstream'),
  toxicity: toxicityParam,
}).refine((p) => p.sizeVariation === 0 || p.sizeVariation < p.averageSize, {
  message: 'sizeVariation must be smaller than averageSize',
  path: ['sizeVariation'],
});

registerProxyFault<z.infer<typeof params>>({
  name: 'network.slicer',
  summary: 'cut the traffic through the endpoint proxy into small delayed slices',
  params,
  toxics: (p) =>
    streams(p.stream).map((stream) => ({
      type: 'slicer',
      stream,
      toxicity: p.toxicity,
      attributes: { average_size: p.averageSize, size_variation: p.sizeVariation, delay: p.delay * 1000 },
    })),
  what: (p) =>
    `slice ${p.stream} traffic into ${p.averageSize}${p.sizeVariation ? `±${p.sizeVariation}` : ''}-byte pieces ${formatDuration(p.delay)} apart`,
});
