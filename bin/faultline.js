#!/usr/bin/env node
// The CLI entry point: the compiled TypeScript lives in dist/ (built by `npm ci` through `prepare`).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('faultline: not built yet; run `npm run build` (or `npm ci`) in the faultline folder\n');
    process.exit(3);
  }
  throw error;
});
