import { defineConfig } from 'vitest/config';

/**
 * Files that may run two at a time: they measure no timing bound tighter than seconds, bind no fixed port,
 * and stress no CPU. They run first, side by side. Every other file (crash tests with the guardian's 1s
 * bound, latency and bandwidth accuracy, CPU stress, the demo system on its fixed ports, and any new file
 * until it is known to be safe here) runs afterwards, one file at a time, alone on the machine.
 */
const PARALLEL_SAFE = [
  'kubernetes-yaml',
  'import-fidelity',
  'editor-language-server',
  'check-layers',
  'http-framing',
  'alert-stop-condition',
  'alertmanager-receiver',
  'api',
  'api-auth',
  'api-documents',
  'api-fuzz',
  'api-runs',
  'audit-anchor',
  'bad-input',
  'comparators',
  'dashboard',
  'dashboard-history',
  'duration',
  'exec-capability',
  'fault-contract-coverage',
  'gameday',
  'gameday-store',
  'guard-freeze',
  'guard-pagerduty',
  'html-report',
  'import-export',
  'journal',
  'json-schema',
  'k8s-probe',
  'kubernetes-compile',
  'kubernetes-contract',
  'kubernetes-deploy',
  'kubernetes-engines',
  'kubernetes-rbac',
  'kubernetes-run',
  'kubernetes-workloads',
  'metrics',
  'notify',
  'notify-cli',
  'objectives',
  'one-history',
  'postgres-store',
  'programme',
  'prometheus-deploy-observability',
  'prometheus-probe',
  'report-formats',
  'route-services',
  'schedule',
  'scorecard',
  'slo',
  'stdin-inputs',
  'stop-conditions',
  'tamper',
  'tracing',
  'validate-cli',
].map((name) => `test/${name}.test.ts`);

const shared = {
  // Tests start real processes, servers and runs: give them room.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // never the host's ~/.faultline (file.corrupt's backups went there from an in-process contract test)
  setupFiles: ['./test/support/isolated-home.ts'],
};

export default defineConfig({
  test: {
    reporters: ['default', './test/support/count-reporter.ts'],
    projects: [
      {
        test: { ...shared, name: 'side-by-side', include: PARALLEL_SAFE, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        test: {
          ...shared,
          name: 'alone',
          include: ['test/**/*.test.ts'],
          exclude: PARALLEL_SAFE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
