// The journeys of issue 13, each driven through the screens as a person would (labels, button
// names); the API is only read to check the outcome. ctx: {browser, base, fakeBase, fail,
// signIn, shot, settled}.

// The API as the page's session sees it.
const apiGet = (page, path) => page.evaluate(async (p) => {
  const r = await fetch(`/api/v1${p}`, { headers: { Accept: 'application/json' } });
  return r.json();
}, path);

// A write through the API as the page's session (for a journey's preconditions only).
const apiSend = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const r = await fetch(`/api/v1${p}`, { method: m, body: JSON.stringify(b),
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-Requested-With': 'wheelhouse' } });
  return { status: r.status, body: await r.json() };
}, [method, path, body]);

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

  // A dispatcher enters a load and takes it OPEN → WORKING → COVERED (with the demo carrier
  // that may haul; the out-of-service one cannot be chosen) → IN_TRANSIT → DELIVERED.
  async dispatcher_takes_a_load_to_delivered({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'DISPATCHER');
    const content = page.locator('#content');
    await page.goto(`${base}/#/freight/loads`);
    await settled(page);
    await content.getByRole('link', { name: 'New load' }).click();
    await settled(page);
    const reference = unique('PO-');
    await content.getByLabel('Reference').fill(reference);
    await content.getByLabel('Pickup city').fill('Chicago');
    await content.getByLabel('Pickup state').fill('IL');
    await content.getByLabel('Drop city').fill('Dallas');
    await content.getByLabel('Drop state').fill('TX');
    await content.getByLabel('Bill (USD)').fill('2,450.00');
    await content.getByLabel('Cost (USD)').fill('1900');
    await content.getByRole('button', { name: 'Create load' }).click();
    await page.waitForURL(/#\/freight\/loads\/\d+$/);
    const id = Number(/(\d+)$/.exec(page.url())[1]);
    await settled(page);
    const move = async (to) => {
      await content.getByRole('button', { name: to, exact: true }).click();
    };
    await move('Working');
    await content.getByText('Moved to Working.').waitFor();
    await move('Covered');
    await content.getByPlaceholder('Name, MC or DOT number').fill('demo');
    await content.getByRole('button', { name: 'Search' }).click();
    const blocked = content.getByRole('radio', { name: /RUSTY WHEELS/ });
    await blocked.waitFor();
    if (!(await blocked.isDisabled())) fail('dispatcher journey', 'the out-of-service carrier can be chosen');
    await content.getByRole('radio', { name: /Lakeside Haulers/ }).check();
    await shot(page, 'DISPATCHER', 'journey-cover-load');
    await content.getByRole('button', { name: 'Assign carrier' }).click();
    await content.getByText('Moved to Covered.').or(content.getByRole('button', { name: 'In transit', exact: true })).first().waitFor();
    await move('In transit');
    await content.getByRole('button', { name: 'Delivered', exact: true }).waitFor();
    await move('Delivered');
    await content.getByRole('button', { name: 'Confirm delivery' }).click();
    await content.getByText(/final/).first().waitFor();
    await settled(page);
    await shot(page, 'DISPATCHER', 'journey-delivered-load');
    const load = await apiGet(page, `/loads/${id}`);
    if (load.status !== 'DELIVERED') fail('dispatcher journey', `the load is ${load.status}`);
    if (!load.carrier_id) fail('dispatcher journey', 'the load has no carrier');
    if (load.reference !== reference || load.bill_cents !== 245000 || load.cost_cents !== 190000) {
      fail('dispatcher journey', `the load holds ${JSON.stringify(load)}`);
    }
    const history = await apiGet(page, `/loads/${id}/history`);
    const path = history.items.map((m) => m.to_status).join(' ');
    if (path !== 'OPEN WORKING COVERED IN_TRANSIT DELIVERED') fail('dispatcher journey', `history ${path}`);
    if (page.errors.length) fail('dispatcher journey', page.errors.join(' | '));
    await page.context().close();
  },

  // A dispatcher adds a carrier by hand (FMCSA not asked): it is stored "Pending FMCSA", shown
  // with that badge, and the directory's verification filter finds it.
  async dispatcher_adds_a_carrier_manually({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'DISPATCHER');
    const content = page.locator('#content');
    await page.goto(`${base}/#/freight/carriers`);
    await settled(page);
    await content.getByRole('link', { name: 'Add manually' }).click();
    await settled(page);
    const dot = String(10000000 + (Date.now() % 89999999)).slice(0, 8);
    const name = unique('HAND HAULING ');
    await content.getByLabel('DOT number').fill(dot);
    await content.getByLabel('Legal name').fill(name);
    await content.getByLabel('Phone').fill('(555) 010-4040');
    await content.getByLabel('City').fill('Reno');
    await content.getByLabel('State').fill('NV');
    await shot(page, 'DISPATCHER', 'journey-manual-carrier-form');
    await content.getByRole('button', { name: 'Add carrier' }).click();
    await page.waitForURL(/#\/freight\/carriers\/\d+$/);
    const id = Number(/(\d+)$/.exec(page.url())[1]);
    await settled(page);
    await content.getByText('Pending FMCSA').first().waitFor();
    await shot(page, 'DISPATCHER', 'journey-manual-carrier');
    const carrier = await apiGet(page, `/carriers/${id}`);
    if (carrier.source !== 'MANUAL' || carrier.verification !== 'PENDING' || carrier.dot_number !== String(Number(dot))) {
      fail('manual carrier journey', `the carrier holds ${JSON.stringify(carrier)}`);
    }
    await page.goto(`${base}/#/freight/carriers?verification=PENDING&q=${encodeURIComponent(dot)}`);
    await settled(page);
    await content.getByRole('link', { name }).or(content.getByText(name)).first().waitFor();
    if (page.errors.length) fail('manual carrier journey', page.errors.join(' | '));
    await page.context().close();
  },

  // An employee submits today's end-of-day report.
  async employee_submits_todays_eod({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'EMPLOYEE');
    const content = page.locator('#content');
    await page.goto(`${base}/#/eod`);
    await settled(page);
    const summary = unique('Closed the Acme backlog ');
    await content.getByLabel('Summary').fill(summary);
    await content.getByLabel('Plan for tomorrow').fill('Follow up on the open quotes.');
    await content.getByRole('button', { name: 'Submit report' }).click();
    await content.getByRole('button', { name: 'Save changes' }).first().waitFor();
    await shot(page, 'EMPLOYEE', 'journey-eod');
    const me = await apiGet(page, '/me');
    const reports = await apiGet(page, `/eod-reports?user_id=${me.user.id}`);
    if (!reports.items.some((r) => r.summary === summary)) fail('eod journey', 'the report is not stored');
    if (page.errors.length) fail('eod journey', page.errors.join(' | '));
    await page.context().close();
  },

  // The EMPLOYEE, an agent of the demo campaign, logs a call and sees it in their list.
  async agent_logs_a_call({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'EMPLOYEE');
    const content = page.locator('#content');
    await page.goto(`${base}/#/bpo/calls`);
    await settled(page);
    await content.getByRole('link', { name: 'Log a call' }).click();
    await settled(page);
    const note = unique('Asked for a demo ');
    await content.getByLabel('Length').fill('4:30');
    await content.getByLabel('Connected').check();
    await content.getByLabel('Notes').fill(note);
    await content.getByRole('button', { name: 'Log call' }).click();
    await content.getByText(/logged|saved/i).first().waitFor();
    await shot(page, 'EMPLOYEE', 'journey-call');
    const calls = await apiGet(page, '/bpo/call-logs');
    const call = calls.items.find((c) => c.notes === note);
    if (!call) fail('call journey', 'the call is not stored');
    else if (!call.connected || !call.ended_at) fail('call journey', `the call holds ${JSON.stringify(call)}`);
    if (page.errors.length) fail('call journey', page.errors.join(' | '));
    await page.context().close();
  },

  // A CSR answers the demo hotel's review that is waiting for a response.
  async csr_responds_to_a_review({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'CSR');
    const content = page.locator('#content');
    await page.goto(`${base}/#/hotels/reviews`);
    await settled(page);
    await content.getByRole('button', { name: 'Respond' }).first().click();
    const text = unique('Thank you for staying with us; we have spoken to the front desk. ');
    await content.getByLabel(/Response to this/).fill(text);
    await content.getByRole('button', { name: 'Send response' }).click();
    await content.getByText(text).waitFor();
    await shot(page, 'CSR', 'journey-review-response');
    const hotels = await apiGet(page, '/hotels');
    const reviews = await apiGet(page, `/hotels/${hotels.items[0].id}/reviews`);
    if (!reviews.items.some((r) => r.response_text === text)) fail('review journey', 'the response is not stored');
    if (page.errors.length) fail('review journey', page.errors.join(' | '));
    await page.context().close();
  },

  // The engines through their screens (issue 14): a CEO writes an incentive plan for the BPO
  // venture paying per connected call, previews and commits today (the agent journey logged a
  // connected call), generates today's payout and approves it, runs a job from the Jobs screen
  // and finds its run, and sees the approval in the audit log.
  async ceo_runs_the_engines({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'CEO');
    const content = page.locator('#content');
    const today = await page.evaluate(() => WH.today());
    const bpo = (await apiGet(page, '/ventures?limit=200')).items.find((v) => v.code === 'BPO');
    // a connected call of the demo agent today, for the plan to pay on
    const agent = (await apiGet(page, `/bpo/agents?venture_id=${bpo.id}`)).items[0];
    const call = await apiSend(page, 'POST', '/bpo/call-logs', { agent_id: agent.id, venture_id: bpo.id,
      started_at: new Date(Date.now() - 600000).toISOString(), ended_at: new Date(Date.now() - 300000).toISOString(),
      connected: true });
    if (call.status !== 201) fail('engines journey', `could not log the call: ${JSON.stringify(call)}`);
    await page.goto(`${base}/#/admin/incentive-plans`);
    await settled(page);
    await content.getByRole('link', { name: 'New plan' }).click();
    await settled(page);
    await content.getByLabel('Venture').selectOption(String(bpo.id));
    await content.getByLabel('Name', { exact: true }).fill(unique('Connects bonus '));
    await content.getByRole('button', { name: 'Create plan' }).click();
    await page.waitForURL(/#\/admin\/incentive-plans\/\d+/);
    await settled(page);
    await content.getByRole('button', { name: 'New rule' }).click();
    const rule = content.getByRole('form', { name: 'New rule' });
    await rule.getByLabel('Metric').selectOption('bpo_connects');
    await rule.getByLabel('Calculation').selectOption('FLAT_PER_UNIT');
    await rule.getByLabel(/^Amount per/).fill('5');
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await content.getByRole('button', { name: /^Edit rule #/ }).first().waitFor();
    const day = content.getByRole('form', { name: 'Preview and commit a day' });
    await day.getByLabel('Day').fill(today);
    await day.getByRole('button', { name: 'Preview' }).click();
    await content.getByRole('heading', { name: /^Preview for/ }).waitFor();
    await day.getByRole('button', { name: 'Commit' }).click();
    await content.getByText(/^Committed/).first().waitFor();
    await shot(page, 'CEO', 'journey-plan-commit');
    const daily = await apiGet(page, `/incentives/daily?venture_id=${bpo.id}&from=${today}&to=${today}&limit=200`);
    if (!daily.items.some((d) => d.amount_cents >= 500)) fail('engines journey', `no committed row of $5 or more: ${JSON.stringify(daily.items)}`);

    await page.goto(`${base}/#/admin/payouts`);
    await settled(page);
    const gen = content.getByRole('form', { name: 'Generate payouts' });
    await gen.getByLabel('Venture').selectOption(String(bpo.id));
    await gen.getByLabel('Period start').fill(today);
    await gen.getByLabel('Period end').fill(today);
    await gen.getByRole('button', { name: 'Generate payouts' }).click();
    await content.getByText(/calculated/).first().waitFor();
    await settled(page);
    await content.getByRole('button', { name: /^Approve/ }).first().click();
    await content.getByText(/is now approved/).first().waitFor();
    await shot(page, 'CEO', 'journey-payout-approved');
    const payouts = await apiGet(page, `/incentives/payouts?venture_id=${bpo.id}&status=APPROVED`);
    if (!payouts.items.some((p) => p.period_start === today)) fail('engines journey', 'no approved payout for today');

    await page.goto(`${base}/#/admin/jobs`);
    await settled(page);
    const run = content.getByRole('form', { name: 'Run a job now' });
    await run.getByLabel('Job').selectOption('kpi_aggregation');
    await run.getByLabel('Day').fill(today);
    await run.getByRole('button', { name: 'Run now' }).click();
    await run.locator('.notice').filter({ hasText: /finished: succeeded/ }).waitFor({ timeout: 30000 });
    await settled(page);
    await shot(page, 'CEO', 'journey-job-run');
    const runs = await apiGet(page, '/jobs/runs?job=kpi_aggregation');
    if (!runs.items.length || runs.items[0].status !== 'SUCCEEDED') fail('engines journey', `the run log shows ${JSON.stringify(runs.items[0])}`);
    const shown = await content.getByRole('link', { name: `#${runs.items[0].id}` }).count();
    if (!shown) fail('engines journey', 'the run is not in the run log on screen');

    await page.goto(`${base}/#/admin/audit?action=incentive_payout.approve`);
    await settled(page);
    // the list arrives after the screen's heading: wait for its first row
    const first = content.locator('tbody tr').first();
    if (!(await first.waitFor({ timeout: 20000 }).then(() => true, () => false))) {
      fail('engines journey', 'the audit log shows no approval');
    }
    await shot(page, 'CEO', 'journey-audit');
    if (page.errors.length) fail('engines journey', page.errors.join(' | '));
    await page.context().close();
  },

  // The CEO's freight dashboard (issue 14) draws its charts from the demo month's KPI rows, and
  // its headline figures equal GET /dashboard for the same venture.
  async ceo_freight_dashboard_matches_the_api({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'CEO');
    const content = page.locator('#content');
    await page.goto(`${base}/#/freight`);
    await settled(page);
    const chart = content.locator('canvas[data-testid="chart-freight-loads"]');
    await chart.waitFor({ timeout: 20000 });
    if ((await chart.getAttribute('role')) !== 'img' || !(await chart.getAttribute('aria-label'))) {
      fail('dashboard journey', 'the chart has no role="img" and aria-label');
    }
    const venture = await content.locator('[data-testid="dashboard-venture"]').getAttribute('data-venture-id');
    const api = await apiGet(page, `/dashboard?venture_id=${venture}`);
    const pairs = [['headline-revenue_cents', api.today.revenue_cents],
      ['headline-last_30_days-revenue_cents', api.last_30_days.revenue_cents],
      ['headline-last_7_days-loads_delivered', api.last_7_days.loads_delivered]];
    for (const [id, want] of pairs) {
      const el = content.locator(`[data-testid="${id}"]`);
      const got = (await el.count()) ? await el.first().getAttribute('data-value') : null;
      if (got === null || Number(got) !== Number(want)) fail('dashboard journey', `${id} shows ${got}, GET /dashboard says ${want}`);
    }
    if (!(api.last_30_days.revenue_cents > 0)) fail('dashboard journey', 'the demo month has no freight revenue');
    await shot(page, 'CEO', 'journey-freight-dashboard');
    if (page.errors.length) fail('dashboard journey', page.errors.join(' | '));
    await page.context().close();
  },
  // Finance runs the SaaS and holdings books through the screens (issue 15): a new customer and
  // its first subscription (the server records the NEW event and the customer's MRR); an asset
  // with a valuation and a bank account with a balance in the holdings venture; the HOLDINGS
  // dashboard and the overview draw their charts with the figures the API gives.
  async finance_keeps_saas_and_holdings({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'FINANCE');
    const content = page.locator('#content');
    const formOf = (title) => content.locator('form', { has: page.getByRole('heading', { name: title }) });
    await page.goto(`${base}/#/saas/customers`);
    await settled(page);
    await content.getByRole('link', { name: 'New customer' }).click();
    await settled(page);
    const code = unique('J').toUpperCase().slice(0, 30);
    await content.getByLabel('Name', { exact: true }).fill('Journey Corp');
    await content.getByLabel('Code', { exact: true }).fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(/#\/saas\/customers\/\d+$/);
    await settled(page);
    const start = formOf('Start a subscription');
    await start.getByLabel('Plan', { exact: true }).fill('Growth');
    await start.getByLabel('MRR ($ a month)', { exact: true }).fill('250.00');
    await page.getByRole('button', { name: 'Start subscription' }).click();
    await content.locator('[data-testid="customer-mrr"][data-value="25000"]').waitFor();
    const id = Number(page.url().split('/').pop());
    const events = await apiGet(page, `/saas/events?customer_id=${id}`);
    if (events.items.length !== 1 || events.items[0].type !== 'NEW') fail('saas journey', `events: ${JSON.stringify(events.items)}`);
    const cust = await apiGet(page, `/saas/customers/${id}`);
    if (cust.code !== code) fail('saas journey', `the code is ${cust.code}, not ${code}`);
    await shot(page, 'FINANCE', 'journey-saas-customer');
    // the SaaS dashboard's live MRR counts the new subscription
    await page.goto(`${base}/#/saas`);
    await settled(page);
    const saasVenture = await content.locator('[data-testid="dashboard-venture"]').getAttribute('data-venture-id');
    const dash = await apiGet(page, `/dashboard?venture_id=${saasVenture}`);
    const mrr = await content.locator('[data-testid="headline-mrr_cents"]').getAttribute('data-value');
    if (Number(mrr) !== dash.today.mrr_cents || dash.today.mrr_cents < 25000) fail('saas journey', `headline MRR ${mrr}, API ${dash.today.mrr_cents}`);
    await shot(page, 'FINANCE', 'journey-saas-dashboard');

    // an asset with a valuation, in the holdings venture
    await page.goto(`${base}/#/holdings/assets/new`);
    await settled(page);
    await content.getByLabel('Venture', { exact: true }).selectOption({ label: 'Northstar Holdings (HLD)' });
    await content.getByLabel('Kind', { exact: true }).selectOption('PROPERTY');
    await content.getByLabel('Name', { exact: true }).fill('Journey warehouse');
    await content.getByLabel('Cost ($)', { exact: true }).fill('100000');
    await page.getByRole('button', { name: 'Create asset' }).click();
    await page.waitForURL(/#\/holdings\/assets\/\d+$/);
    await settled(page);
    const val = formOf('Record a valuation');
    await val.getByLabel('Valuation ($)', { exact: true }).fill('125000');
    await val.getByRole('button', { name: 'Save' }).click();
    await content.locator('[data-testid="asset-value"][data-value="12500000"]').waitFor();
    // a bank account with today's balance
    await page.goto(`${base}/#/holdings/bank-accounts/new`);
    await settled(page);
    await content.getByLabel('Venture', { exact: true }).selectOption({ label: 'Northstar Holdings (HLD)' });
    await content.getByLabel('Name', { exact: true }).fill('Journey operating');
    await content.getByLabel('Institution', { exact: true }).fill('First Journey Bank');
    await content.getByLabel('Last 4 digits', { exact: true }).fill('4321');
    await page.getByRole('button', { name: 'Create bank account' }).click();
    await page.waitForURL(/#\/holdings\/bank-accounts\/\d+$/);
    await settled(page);
    const bal = formOf('Record a balance');
    await bal.getByLabel('Balance ($)', { exact: true }).fill('5000.50');
    await bal.getByRole('button', { name: 'Save' }).click();
    await content.locator('[data-testid="account-balance"][data-value="500050"]').waitFor();
    await shot(page, 'FINANCE', 'journey-bank-account');

    // the HOLDINGS dashboard and the overview draw their charts with the API's figures
    await page.goto(`${base}/#/holdings`);
    await settled(page);
    await content.locator('canvas[data-testid="chart-holdings-values"]').waitFor({ timeout: 20000 });
    const hv = await content.locator('[data-testid="dashboard-venture"]').getAttribute('data-venture-id');
    const hd = await apiGet(page, `/dashboard?venture_id=${hv}`);
    const cash = await content.locator('[data-testid="headline-cash_cents"]').getAttribute('data-value');
    if (Number(cash) !== hd.today.cash_cents || hd.today.cash_cents < 500050) fail('holdings journey', `cash ${cash}, API ${hd.today.cash_cents}`);
    await shot(page, 'FINANCE', 'journey-holdings-dashboard');
    await page.goto(`${base}/#/overview`);
    await settled(page);
    await content.locator('canvas[data-testid="chart-overview-holdings"]').waitFor({ timeout: 20000 });
    await content.locator('canvas[data-testid="chart-overview-saas"]').waitFor();
    const ov = await apiGet(page, '/overview');
    const total = await content.locator('[data-testid="overview-total-cash_cents"]').getAttribute('data-value');
    if (Number(total) !== ov.totals.cash_cents) fail('overview journey', `total cash ${total}, API ${ov.totals.cash_cents}`);
    await shot(page, 'FINANCE', 'journey-overview');
    if (page.errors.length) fail('finance journey', page.errors.join(' | '));
    await page.context().close();
  },
  // Tasks and notifications (issue 17): the CEO assigns a task to the EMPLOYEE from Team tasks;
  // the EMPLOYEE's bell counts it, Notifications links to it, the task page marks it done; the
  // EMPLOYEE turns on SMS for assigned tasks in Notification settings (user menu).
  async task_assigned_notified_and_done({ browser, base, fail, signIn, shot, settled }) {
    const emp = await signIn(browser, base, 'EMPLOYEE');
    const me = await apiGet(emp, '/me');
    const vid = me.ventures[0].id;
    const before = (await apiGet(emp, '/notifications/unread-count')).unread;
    const ceo = await signIn(browser, base, 'CEO');
    const cc = ceo.locator('#content');
    await ceo.goto(`${base}/#/tasks/team`);
    await settled(ceo);
    await cc.getByRole('button', { name: 'New task' }).click();
    const title = unique('Call back the shipper ');
    await cc.getByLabel('Venture').selectOption(String(vid));
    await cc.getByLabel('Title').fill(title);
    // the people picker: the venture's active members by name (the EMPLOYEE is one)
    await cc.locator('form.card').getByLabel('Assignee', { exact: true }).selectOption(String(me.user.id));
    await cc.getByRole('button', { name: 'Create task' }).click();
    await cc.getByText(/created/).first().waitFor();
    await shot(ceo, 'CEO', 'journey-task-created');
    if (ceo.errors.length) fail('task journey', ceo.errors.join(' | '));
    await ceo.context().close();

    const content = emp.locator('#content');
    await emp.goto(`${base}/#/tasks`);
    await settled(emp);
    await emp.waitForFunction((n) => document.getElementById('bell-count').textContent === String(n),
      before + 1, { timeout: 10000 }).catch(() => fail('task journey', 'the bell does not count the new notification'));
    await emp.locator('#bell').click();
    await settled(emp);
    await content.getByRole('link', { name: `New task: ${title}` }).click();
    await settled(emp);
    await content.getByRole('button', { name: 'Mark done' }).click();
    await content.getByText('The task is now Done.').waitFor();
    await shot(emp, 'EMPLOYEE', 'journey-task-done');
    const tasks = await apiGet(emp, '/tasks?mine=true');
    const task = tasks.items.find((t) => t.title === title);
    if (!task || task.status !== 'DONE') fail('task journey', `the task holds ${JSON.stringify(task)}`);

    await emp.locator('#user-button').click();
    await emp.getByRole('link', { name: 'Notification settings' }).click();
    await settled(emp);
    await content.getByLabel('Mobile phone for SMS').fill('+15551234567');
    await content.getByLabel('A task is assigned to me: SMS').check();
    await content.getByRole('button', { name: 'Save settings' }).click();
    await content.getByText('Your notification settings are saved.').waitFor();
    const prefs = await apiGet(emp, '/me/notification-preferences');
    if (prefs.phone !== '+15551234567' || !prefs.channels.TASK_ASSIGNED.sms || !prefs.channels.TASK_ASSIGNED.email) {
      fail('task journey', `the preferences hold ${JSON.stringify(prefs)}`);
    }
    await shot(emp, 'EMPLOYEE', 'journey-notification-settings');
    if (emp.errors.length) fail('task journey', emp.errors.join(' | '));
    await emp.context().close();
  },

  // An office manager reads the freight reports: the table's totals equal the API's, a tab
  // switches the report, and the export link asks the same report as CSV (docs/reports.md).
  async reports_show_totals_and_export({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'OFFICE_MANAGER');
    const content = page.locator('#content');
    await page.goto(`${base}/#/freight/reports`);
    await settled(page);
    await content.locator('[data-testid="report-table"]').waitFor();
    const link = await content.locator('[data-testid="report-export"]').getAttribute('href');
    const q = new URL(link, base).searchParams;
    if (!link.startsWith('/api/v1/reports/freight/shippers?') || q.get('format') !== 'csv' || !q.get('venture_id')) {
      fail('reports journey', `the export link is ${link}`);
    }
    q.delete('format');
    const rep = await page.evaluate(async (u) => (await fetch(u, { headers: { Accept: 'application/json' } })).json(),
      `/api/v1/reports/freight/shippers?${q}`);
    const shown = await content.locator('[data-testid="report-totals"] td[data-field="revenue_cents"]').getAttribute('data-value');
    if (shown !== String(rep.totals.revenue_cents)) fail('reports journey', `totals show ${shown}, the API says ${rep.totals.revenue_cents}`);
    const rows = await content.locator('[data-testid="report-table"] tbody tr').count();
    if (rows !== rep.items.length) fail('reports journey', `${rows} rows shown of ${rep.items.length}`);
    await content.getByRole('link', { name: 'Lanes' }).click();
    await settled(page);
    await content.locator('[data-testid="report-table"] th', { hasText: 'Revenue / mile' }).first().waitFor()
      .catch(() => fail('reports journey', 'the Lanes tab shows no revenue per mile'));
    await shot(page, 'OFFICE_MANAGER', 'journey-report-lanes');
    if (page.errors.length) fail('reports journey', page.errors.join(' | '));
    await page.context().close();
  },

  // CSV import (issue 16): the CEO checks a shippers file with one bad row (its line and column
  // in the errors table, Import stays off), fixes it, checks again and imports; the history
  // lists the file.
  async csv_import_checked_then_imported({ browser, base, fail, signIn, shot, settled }) {
    const page = await signIn(browser, base, 'CEO');
    const content = page.locator('#content');
    await page.goto(`${base}/#/admin/imports`);
    await settled(page);
    await content.getByLabel('What the file holds').selectOption('shippers');
    const code = unique('IMP').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 20);
    const file = (rows) => ({ name: `${code}.csv`, mimeType: 'text/csv', buffer: Buffer.from(rows) });
    await content.getByLabel(/CSV file/).setInputFiles(file(`code,name,email\n${code}A,Alpha Foods,ops@alpha.test\n${code}B,Beta Farms,not-an-email\n`));
    await content.getByRole('button', { name: 'Check file' }).click();
    const errors = content.locator('[data-testid="import-errors"]');
    await errors.waitFor();
    const row = await errors.locator('tbody tr').first().innerText();
    if (!/3/.test(row) || !/email/.test(row)) fail('import journey', `the error row reads "${row}"`);
    if (!(await content.getByRole('button', { name: 'Import', exact: true }).isDisabled())) fail('import journey', 'Import is enabled after a check with errors');
    await shot(page, 'CEO', 'journey-import-errors');
    await content.getByLabel(/CSV file/).setInputFiles(file(`code,name,email\n${code}A,Alpha Foods,ops@alpha.test\n${code}B,Beta Farms,beta@beta.test\n`));
    await content.getByRole('button', { name: 'Check file' }).click();
    await content.locator('[data-testid="import-report"]').waitFor();
    await content.getByRole('button', { name: 'Import', exact: true }).click();
    await content.locator('[data-testid="import-done"]').waitFor();
    const done = await content.locator('[data-testid="import-done"]').innerText();
    if (!/2 created/.test(done)) fail('import journey', `the import says "${done}"`);
    await content.getByRole('cell', { name: `${code}.csv` }).first().waitFor();
    await shot(page, 'CEO', 'journey-import-done');
    if (page.errors.length) fail('import journey', page.errors.join(' | '));
    await page.context().close();
  },
};
