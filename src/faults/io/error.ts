/** io.error: matching file calls of a process started by `faultline wrap` fail with an errno, without running (IOChaos fault). */
import { constants } from 'node:os';
import { strict } from '../../spec/fields.js';
import { didYouMean } from '../../util/suggest.js';
import { z } from '../../util/zod.js';
import { registerIoFault } from './io-fault.js';
import { IO_OPS } from './rules.js';
import { ioPercentParam, methodsParam, pathParam } from './scope.js';

const ERRNO_NAMES = Object.keys(constants.errno);
const errnoError = (input: unknown) =>
  `unknown errno ${JSON.stringify(input)}${typeof input === 'string' ? didYouMean(input, ERRNO_NAMES) : ''}; expected a name such as EIO, ENOSPC, EACCES or EROFS, or its number`;

/** `EIO` or `5` (Chaos Mesh writes numbers): the errno's name. */
const errnoParam = z
  .union([z.string(), z.number()], { error: (i) => errnoError(i.input) })
  .transform((value, ctx) => {
    const name =
      typeof value === 'number'
        ? Object.entries(constants.errno).find(([, n]) => n === value)?.[0]
        : ERRNO_NAMES.find((n) => n === value.toUpperCase());
    if (!name) {
      ctx.addIssue({ code: 'custom', message: errnoError(value) });
      return z.NEVER;
    }
    return name as keyof typeof constants.errno;
  })
  .meta({ description: 'an errno name (EIO, ENOSPC, EACCES, ...) or number', examples: ['EIO'] });

const params = strict({
  errno: errnoParam,
  path: pathParam,
  methods: methodsParam(IO_OPS),
  percent: ioPercentParam,
});

registerIoFault<z.infer<typeof params>>({
  name: 'io.error',
  summary: 'make the file calls of a process started under `faultline wrap` fail with an errno (EIO, ENOSPC, ...)',
  example: { errno: 'EIO' },
  params,
  kind: 'error',
  fields: (p) => ({ errno: constants.errno[p.errno] }),
  what: (p) => `fail ${p.percent === 100 ? '' : `${p.percent}% of `}${p.methods.join(', ')} with ${p.errno}`,
});
