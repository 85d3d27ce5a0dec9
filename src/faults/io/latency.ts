/** io.latency: each matching file call of a process started by `faultline wrap` waits `delay` first (IOChaos latency). */

import { duration, strict } from '../../spec/fields.js';
import { formatDuration } from '../../util/duration.js';
import type { z } from '../../util/zod.js';
import { registerIoFault } from './io-fault.js';
import { IO_OPS } from './rules.js';
import { ioPercentParam, methodsParam, pathParam } from './scope.js';

const params = strict({
  delay: duration.describe('how long each matching call waits before it runs, such as 100ms'),
  path: pathParam,
  methods: methodsParam(IO_OPS),
  percent: ioPercentParam,
});

registerIoFault<z.infer<typeof params>>({
  name: 'io.latency',
  summary: 'delay the file calls (open, read, write, fsync, stat) of a process started under `faultline wrap`',
  example: { delay: '50ms' },
  params,
  kind: 'latency',
  fields: (p) => ({ delay_us: p.delay * 1000 }),
  what: (p) => `delay ${p.percent === 100 ? '' : `${p.percent}% of `}${p.methods.join(', ')} by ${formatDuration(p.delay)}`,
});
