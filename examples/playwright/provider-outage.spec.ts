// Tenant isolation and provider failover, written as end-to-end tests: each test holds a fault through the
// `chaos` fixture, which reverts it after the test whatever happens (a failure, a timeout, a crashed worker).
import { fileURLToPath } from 'node:url';
import { expect, test } from 'faultline/playwright';

// the demo's targets (provider-a, ...) and its protected supervisor
const project = fileURLToPath(new URL('../experiments/faultline.yaml', import.meta.url));

test('a tenant sees a clear message while provider A hangs, and only its own orders', async ({ page, chaos }) => {
  const status = chaos.watch({
    name: 'tenant-api',
    type: 'http',
    http: { url: `${test.info().project.use.baseURL}/health` },
    interval: '250ms',
  });
  await chaos.inject({ fault: 'process.pause', target: 'provider-a', project });

  const response = await page.goto('/tenants/acme/page?token=token-acme');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('alert')).toHaveText(/provider unavailable, retrying with the fallback/);
  await expect(page.locator('#orders')).toContainText('acme-1001');
  await expect(page.locator('body')).not.toContainText('globex');
  expect(status.availability('during')).not.toBe(0); // the API itself stays up
});

test('another tenant is refused during the outage', async ({ page, chaos }) => {
  await chaos.inject({ fault: 'process.pause', target: 'provider-a', project });
  const response = await page.goto('/tenants/acme/page?token=token-globex');
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).not.toContainText('acme-1001');
});

test('the banner is gone once the provider is back', async ({ page, chaos }) => {
  const outage = await chaos.inject({ fault: 'process.pause', target: 'provider-a', project });
  await page.goto('/tenants/acme/page?token=token-acme');
  await expect(page.getByRole('alert')).toBeVisible();
  await outage.revert();
  await page.reload();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
