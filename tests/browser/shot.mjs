// Development aid: signs in to a running Wheelhouse as a demo role and saves a screenshot of
// each given screen, printing any console error. Not a test (run.mjs is the test).
//   node tests/browser/shot.mjs http://127.0.0.1:8080 dispatcher /freight/loads [/other ...]
// Options by environment: WIDTH (default 1280), OUT (directory, default /tmp/wh-shots).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, role, ...paths] = process.argv.slice(2);
const out = process.env.OUT || '/tmp/wh-shots';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const width = Number(process.env.WIDTH || 1280);
const page = await browser.newPage({ viewport: { width, height: 900 } });
page.on('console', (m) => { if (m.type() === 'error') console.log(`console error: ${m.text()}`); });
page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
await page.goto(`${base}/`);
await page.fill('#login-email', `${role.toLowerCase().replace(/_/g, '.')}@demo.wheelhouse.test`);
await page.fill('#login-password', 'wheelhouse-demo-2026');
await page.click('#login-form button[type=submit]');
await page.waitForSelector('#app-view:not([hidden])');
for (const p of paths) {
  await page.goto(`${base}/#${p}`);
  await page.waitForTimeout(700);
  const file = `${out}/${role}${p.replace(/[^a-z0-9]+/gi, '_')}-${width}.png`;
  await page.screenshot({ path: file, fullPage: true });
  console.log(`${file}: h1 = ${await page.locator('#content h1').first().textContent()}`);
}
await browser.close();
