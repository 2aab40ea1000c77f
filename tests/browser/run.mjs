// Browser test of the Wheelhouse web UI (issue 13): playwright-core driving Debian's chromium
// (never a downloaded browser) against the real server on a fresh SQLite database seeded with
// the demo data, with wh-fake standing in for FMCSA and SendGrid.
//
// 1. For each of the 16 demo roles: sign in, open every navigation item, and check that it
//    renders its <h1> equal to the item's label with no console or page error; a screenshot of
//    every screen per role is kept (WH_BROWSER_ARTIFACTS, default build/browser-artifacts).
// 2. The journeys of the issue, each through the screens only (the API is read only to check).
//
// Environment: WH_TEST_BINARY (the wheelhouse binary), WH_TEST_FAKE (wh-fake),
// WH_BROWSER_ARTIFACTS (screenshot directory), WH_WEB_DIR (default: web/ next to this file).
// Exit status 0 when every check passed; each failure is printed with its role and screen.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { journeys } from './journeys.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BINARY = process.env.WH_TEST_BINARY;
const FAKE = process.env.WH_TEST_FAKE;
const ARTIFACTS = resolve(process.env.WH_BROWSER_ARTIFACTS || join(here, '../../build/browser-artifacts'));
const WEB = process.env.WH_WEB_DIR || join(here, '../../web');
const PASSWORD = 'wheelhouse-demo-2026';
// The business time zone of the server under test, and of the browser's clock.
const ZONE = 'America/New_York';

export const ROLES = ['CEO', 'ADMIN', 'COO', 'VENTURE_HEAD', 'OFFICE_MANAGER', 'TEAM_LEAD', 'EMPLOYEE',
  'CONTRACTOR', 'AUDITOR', 'FINANCE', 'HR_ADMIN', 'TEST_USER', 'CSR', 'DISPATCHER', 'CARRIER_TEAM',
  'ACCOUNTING'];

if (!BINARY || !FAKE) {
  console.error('run.mjs: WH_TEST_BINARY and WH_TEST_FAKE must name the wheelhouse and wh-fake binaries');
  process.exit(2);
}

const failures = [];
function fail(where, what) {
  failures.push(`${where}: ${what}`);
  console.log(`FAIL ${where}: ${what}`);
}

const children = [];
function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);

// Starts a child and resolves with the first line of stdout that matches re (or rejects).
function start(cmd, args, env, re) {
  return new Promise((ok, no) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => no(new Error(`${cmd} did not start: ${out}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = re && re.exec(out);
      if (m) { clearTimeout(timer); ok({ child, match: m }); }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => { clearTimeout(timer); no(new Error(`${cmd} exited ${code}: ${out}`)); });
    if (!re) { clearTimeout(timer); ok({ child }); }
  });
}

async function waitHealthy(base) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${base} never became healthy`);
}

async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

const emailOf = (role) => `${role.toLowerCase().replace(/_/g, '.')}@demo.wheelhouse.test`;

// A signed-in page for role; console and page errors after sign-in are collected in page.errors.
export async function signIn(browser, base, role, opts) {
  const context = await browser.newContext({ viewport: (opts && opts.viewport) || { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error' && page.signedIn) page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/`);
  // the sign-in form shows once the page knows nobody is signed in (GET /me answered 401)
  await page.waitForSelector('#login-view:not([hidden])', { timeout: 60000 });
  await page.getByLabel('E-mail').first().fill((opts && opts.email) || emailOf(role));
  await page.getByLabel('Password').fill((opts && opts.password) || PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('#app-view:not([hidden])');
  page.signedIn = true;
  return page;
}

export async function shot(page, role, name) {
  const dir = join(ARTIFACTS, role);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

// Waits until the screen has its h1 and no list is still loading.
export async function settled(page) {
  await page.waitForSelector('#content h1');
  await page.waitForFunction(() => ![...document.querySelectorAll('.list-status, .muted')]
    .some((el) => el.textContent === 'Loading…'), null, { timeout: 10000 }).catch(() => {});
  await page.waitForLoadState('networkidle').catch(() => {});
}

async function sweepRole(browser, base, role) {
  const page = await signIn(browser, base, role);
  const nav = await page.evaluate(async () => (await fetch('/api/v1/me/navigation', { headers: { Accept: 'application/json' } })).json());
  const items = nav.sections.flatMap((s) => s.items.map((it) => ({ ...it, section: s.key })));
  if (!items.length) fail(role, 'the navigation is empty');
  for (const it of items) {
    const where = `${role} ${it.path}`;
    page.errors.length = 0;
    await page.goto(`${base}/#${it.path}`);
    try {
      await settled(page);
      const h1 = (await page.locator('#content h1').first().textContent()).trim();
      if (h1 !== it.label) fail(where, `h1 is "${h1}", the navigation label is "${it.label}"`);
      const count = await page.locator('#content h1').count();
      if (count !== 1) fail(where, `${count} h1 elements`);
      const current = await page.locator(`#sidebar a[aria-current=page]`).getAttribute('href');
      if (current !== `#${it.path}`) fail(where, `the navigation marks ${current} as current`);
    } catch (e) {
      fail(where, `did not render: ${e.message.split('\n')[0]}`);
    }
    if (page.errors.length) fail(where, `console errors: ${page.errors.join(' | ')}`);
    await shot(page, role, `${it.section}-${it.key}`);
  }
  // a screen of a navigation item the role was not given is not drawn, even under one it has
  const mine = new Set(items.map((it) => it.path));
  const foreign = ['/eod/team', '/admin/audit', '/admin/users', '/freight/loads', '/hotels/list']
    .find((p) => !mine.has(p));
  if (foreign) {
    await page.goto(`${base}/#${foreign}`);
    await settled(page);
    const h1 = (await page.locator('#content h1').first().textContent()).trim();
    if (h1 !== 'Page not found') fail(`${role} ${foreign}`, `a screen not in the role's navigation shows "${h1}"`);
  }
  await page.context().close();
  return items.length;
}

// At phone width (390 px): the navigation sits behind the "Menu" button and no screen of the
// role scrolls sideways.
async function sweepPhone(browser, base, role) {
  const page = await signIn(browser, base, role, { viewport: { width: 390, height: 844 } });
  const nav = await page.evaluate(async () => (await fetch('/api/v1/me/navigation', { headers: { Accept: 'application/json' } })).json());
  const items = nav.sections.flatMap((s) => s.items.map((it) => ({ ...it, section: s.key })));
  if (await page.locator('#sidebar').isVisible()) fail(`${role} 390px`, 'the navigation is open before the menu button is pressed');
  await page.getByRole('button', { name: 'Menu' }).click();
  if (!(await page.locator('#sidebar').isVisible())) fail(`${role} 390px`, 'the Menu button does not show the navigation');
  await page.locator('#sidebar a').first().click();
  for (const it of items) {
    await page.goto(`${base}/#${it.path}`);
    await settled(page).catch(() => {});
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 390) fail(`${role} 390px ${it.path}`, `the page is ${wide} px wide`);
    await shot(page, `${role}-390px`, `${it.section}-${it.key}`);
  }
  if (page.errors.length) fail(`${role} 390px`, `console errors: ${page.errors.join(' | ')}`);
  await page.context().close();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'wh-browser-'));
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const fake = await start(FAKE, ['--port', '0'], {}, /listening on (\d+)/);
  const fakeBase = `http://127.0.0.1:${fake.match[1]}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    WH_DATABASE_URL: `sqlite:${join(dir, 'wh.db')}`, WH_LISTEN: `127.0.0.1:${port}`, WH_WEB_DIR: WEB,
    WH_JOBS: 'off', WH_THREADS: '8', WH_LOG_LEVEL: 'warn', WH_TIMEZONE: ZONE,
    WH_FMCSA_BASE_URL: fakeBase, WH_FMCSA_WEBKEY: 'fake-fmcsa-webkey',
    WH_SENDGRID_BASE_URL: fakeBase, WH_SENDGRID_API_KEY: 'SG.fake-sendgrid-key', WH_SENDGRID_FROM: 'noreply@wheelhouse.test',
    WH_OUTBOX_POLL_MS: '100', WH_RETRY_BASE_MS: '20',
    WH_RATE_AUTH_IP_PER_MIN: '100000', WH_RATE_AUTH_EMAIL_PER_HOUR: '100000',
    WH_RATE_READ_PER_MIN: '1000000', WH_RATE_WRITE_PER_MIN: '1000000',
  };
  for (const args of [['migrate'], ['seed', '--demo']]) {
    execFileSync(BINARY, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const server = await start(BINARY, ['serve'], env, null);
  server.child.stderr.on('data', (d) => writeFileSync(join(dir, 'server.log'), d, { flag: 'a' }));
  await waitHealthy(base);
  const browser = await chromium.launch({
    executablePath: process.env.WH_CHROMIUM || '/usr/bin/chromium',
    // the people of the test work in the business time zone: the browser's "today" (date fields'
    // defaults and limits) is the server's, also in the hours after midnight UTC
    env: { ...process.env, TZ: ZONE },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  let screens = 0;
  try {
    // WH_BROWSER_JOURNEY=name runs that journey alone (while writing one); the test runs all
    const only = process.env.WH_BROWSER_JOURNEY;
    for (const role of only ? [] : ROLES) {
      const n = await sweepRole(browser, base, role);
      screens += n;
      console.log(`ok ${role}: ${n} screens`);
    }
    for (const role of only ? [] : ['EMPLOYEE', 'DISPATCHER', 'CSR']) {
      await sweepPhone(browser, base, role);
      console.log(`ok ${role} at 390 px`);
    }
    const ctx = { browser, base, fakeBase, fail, signIn, shot, settled, ARTIFACTS };
    for (const [name, run] of Object.entries(journeys).filter(([n]) => !only || n === only)) {
      const before = failures.length;
      try {
        await run(ctx);
      } catch (e) {
        fail(`journey ${name}`, e.message.split('\n').slice(0, 3).join(' '));
        // what the screen showed when it failed
        const pages = browser.contexts().flatMap((c) => c.pages());
        for (const [i, p] of pages.entries()) {
          await shot(p, 'failures', `${name}-${i}`).catch(() => {});
          await Promise.all(browser.contexts().map((c) => c.close().catch(() => {})));
        }
      }
      console.log(`${failures.length === before ? 'ok' : 'FAILED'} journey ${name}`);
    }
  } finally {
    await browser.close();
    stopAll();
  }
  console.log(`${screens} screens over ${ROLES.length} roles, ${Object.keys(journeys).length} journeys; ` +
    `screenshots in ${ARTIFACTS}`);
  if (failures.length) {
    console.log(`${failures.length} failure(s):\n${failures.join('\n')}`);
    console.log(`server log kept in ${dir}`);
    process.exit(1);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); stopAll(); process.exit(1); });
