// Playwright tests of the demo system with faultline's `chaos` fixture (docs/testing.md).
// Start the demo first (`node examples/demo/supervisor.mjs`, or `faultline demo`), then:
//   npx playwright test -c examples/playwright
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 30_000,
  workers: 1, // the faults hit shared processes: one test at a time
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${process.env.DEMO_TENANT_PORT ?? 17003}`,
    // Debian's Chromium; FAULTLINE_CHROMIUM points elsewhere
    launchOptions: { executablePath: process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] },
  },
});
