// The journeys of issue 13, each driven through the screens as a person would (labels, button
// names); the API is only read to check the outcome. ctx: {browser, base, fakeBase, fail,
// signIn, shot, settled}.

// The API as the page's session sees it.
const apiGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(`/api/v1${p}`, { headers: { Accept: 'application/json' } });
  return r.json();
}, path);

const unique = (p) => `${p}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

// The sign-in code in the newest e-mail the fake SendGrid accepted for address.
async function mailedCode(fakeBase, address) {
  for (let i = 0; i < 150; i++) {
    const log = await (await fetch(`${fakeBase}/_requests/sendgrid`)).json();
    for (const item of [...log.items].reverse()) {
      let body;
      try { body = JSON.parse(item.body); } catch (e) { continue; }
      const to = body.personalizations?.[0]?.to?.[0]?.email;
      const m = /code is (\d{6})/.exec(body.content?.[0]?.value || '');
      if (item.status >= 200 && item.status < 300 && to === address && m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in code e-mail reached ${address}`);
}

export const journeys = {
  // A form submitted empty shows each field's error beside it and a summary in an alert.
  async empty_form_shows_field_errors({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'HR_ADMIN');
    await page.goto(`${base}/#/admin/users`);
    await settled(page);
    await page.getByRole('link', { name: 'New user' }).click();
    await settled(page);
    await page.getByRole('button', { name: 'Create user' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'need attention' });
    await alert.waitFor();
    for (const label of ['E-mail', 'Full name']) {
      const input = page.locator('#content').getByLabel(label, { exact: true });
      if ((await input.getAttribute('aria-invalid')) !== 'true') fail('empty form', `${label} is not marked invalid`);
      const described = await input.getAttribute('aria-describedby');
      const text = described ? await page.locator(`[id="${described.split(' ')[0]}"]`).textContent() : '';
      if (!/required/.test(text)) fail('empty form', `${label} has no "required" message beside it (got "${text}")`);
    }
    await shot(page, 'HR_ADMIN', 'journey-empty-user-form');
    if (page.errors.length) fail('empty form', page.errors.join(' | '));
    await page.context().close();
  },

  // HR creates a user without a password, with a venture membership; the user signs in with
  // an e-mailed code (read from the fake SendGrid) and sees that venture.
  async hr_creates_user_who_signs_in_by_code({ browser, base, fakeBase, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'HR_ADMIN');
    const email = `${unique('new.hire.')}@wheelhouse.test`;
    await page.goto(`${base}/#/admin/users/new`);
    await settled(page);
    // a privileged role is not offered to HR
    const content = page.locator('#content');
    const roles = await content.getByLabel('Role').locator('option').allTextContents();
    if (roles.includes('CEO') || roles.includes('Admin')) fail('hr journey', `HR is offered ${roles.join(', ')}`);
    await content.getByLabel('E-mail', { exact: true }).fill(email);
    await content.getByLabel('Full name', { exact: true }).fill('Nadia Newhire');
    await content.getByLabel('Role').selectOption('EMPLOYEE');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.waitForURL(/#\/admin\/users\/\d+$/);
    await settled(page);
    await content.getByLabel('Bright Voice BPO (BPO)').check();
    await page.getByRole('button', { name: 'Save ventures' }).click();
    await page.getByText('Ventures saved.').waitFor();
    await shot(page, 'HR_ADMIN', 'journey-new-user');
    if (page.errors.length) fail('hr journey', page.errors.join(' | '));
    await page.context().close();

    const context = await browser.newContext();
    const user = await context.newPage();
    user.on('pageerror', (e) => fail('hr journey (new user)', e.message));
    await user.goto(`${base}/`);
    await user.getByRole('button', { name: 'E-mail me a code instead' }).click();
    await user.getByLabel('E-mail').nth(1).fill(email);
    await user.getByRole('button', { name: 'E-mail me a code' }).click();
    const code = await mailedCode(fakeBase, email);
    await user.getByLabel('Sign-in code').fill(code);
    await user.getByRole('button', { name: 'Sign in with the code' }).click();
    await user.waitForSelector('#app-view:not([hidden])');
    await settled(user);
    const me = await apiGet(user, '/me');
    if (me.user.email !== email) fail('hr journey', `signed in as ${me.user.email}`);
    if (!me.ventures.some((v) => v.code === 'BPO')) fail('hr journey', 'the new user is not in the BPO venture');
    const h1 = (await user.locator('#content h1').textContent()).trim();
    if (h1 !== 'My day') fail('hr journey', `the first screen is "${h1}"`);
    await shot(user, 'EMPLOYEE', 'journey-code-sign-in');
    await context.close();
  },
};
