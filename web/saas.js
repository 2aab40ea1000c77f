/* Wheelhouse web UI: SaaS screens (registered with WH.screen).
 *   /saas/customers            customers (search by name or code, active filter); "New customer"
 *   /saas/customers/new        create a customer of a SAAS venture
 *   /saas/customers/:id        one customer: edit, its subscriptions, "Start a subscription"
 *   /saas/subscriptions        subscriptions (status, customer in the URL); newest first
 *   /saas/subscriptions/:id    one subscription: change MRR or plan, cancel, its events
 * The server computes every subscription event (NEW, EXPANSION, ...); the screens only show
 * them. Test hooks: [data-testid="customer-mrr"], [data-testid="subscription-status"]. */
'use strict';

(function () {
  const { h } = WH;
  const go = (hash) => { location.hash = hash; };
  const rerender = () => window.dispatchEvent(new Event('wh:route'));
  const mayWrite = () => WH.can('saas.write');
  const saasVentures = () => WH.ventures(['SAAS']);
  const topVenture = () => {
    const id = WH.ventureId();
    return id && saasVentures().some((v) => v.id === id) ? id : null;
  };
  const crumb = (content, href, text) => content.append(h('p.crumb', {}, h('a', { href, text: `‹ ${text}` })));
  const activeBadge = (a) => h(`span.status.${a ? 'good' : 'bad'}`, { text: a ? 'Active' : 'Inactive' });
  const statusBadge = (s) => h(`span.status.${s === 'ACTIVE' ? 'good' : 'bad'}`, { 'data-testid': 'subscription-status', text: WH.titleCase(s) });
  const EVENT_LABEL = { NEW: 'New', EXPANSION: 'Expansion', CONTRACTION: 'Contraction', CHURN: 'Churn', REACTIVATION: 'Reactivation' };

  function noVenture(content) {
    WH.empty(content, 'You have no SaaS venture in your scope. Ask an administrator to add you to one.');
  }

  /* ------------------------------------------------------------------ customers */

  WH.screen('/saas/customers', async (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label, mayWrite() && saasVentures().length ? h('a.button.primary', { href: '#/saas/customers/new', text: 'New customer' }) : '');
    if (!saasVentures().length) { noVenture(content); return; }
    content.append(WH.filters([
      { name: 'q', label: 'Name or code', type: 'search' },
      { name: 'active', label: 'Status', type: 'select', options: [['', 'Any'], ['true', 'Active'], ['false', 'Inactive']] },
    ], p));
    const list = WH.list({
      path: '/saas/customers',
      query: { venture_id: topVenture(), q: p.q, active: p.active },
      caption: 'Customers by name',
      empty: p.q || p.active ? 'No customers match these filters.' : 'No customers yet. Add one with "New customer".',
      rowLink: (c) => `#/saas/customers/${c.id}`,
      columns: [
        { label: 'Name', key: 'name' },
        { label: 'Code', key: 'code' },
        { label: 'MRR', className: 'num', render: (c) => WH.money(c.mrr_cents) },
        { label: 'E-mail', render: (c) => c.email || '—' },
        { label: 'Status', render: (c) => activeBadge(c.active) },
      ],
    });
    content.append(list.el);
  });

  WH.screen('/saas/customers/new', async (content) => {
    crumb(content, '#/saas/customers', 'Customers');
    WH.title(content, 'New customer');
    if (!mayWrite()) { WH.empty(content, 'Your role may not add customers.'); return; }
    if (!saasVentures().length) { noVenture(content); return; }
    content.append(WH.form({
      fields: [
        WH.ventureField(['SAAS']),
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'code', label: 'Code', required: true, maxlength: 32, hint: 'Letters, digits, _ and -; stored in capitals, unique in the venture.' },
        { name: 'email', label: 'Billing e-mail', type: 'email', maxlength: 254 },
      ],
      submitLabel: 'Create customer', method: 'POST', path: '/saas/customers',
      onDone: (c) => go(`#/saas/customers/${c.id}`),
    }));
  });

  WH.screen('/saas/customers/:id', async (content, ctx) => {
    crumb(content, '#/saas/customers', 'Customers');
    const c = await WH.api('GET', `/saas/customers/${ctx.args.id}`);
    if (ctx.stale()) return;
    WH.title(content, c.name);
    content.append(WH.facts([
      ['Code', c.code], ['MRR now', h('span', { 'data-testid': 'customer-mrr', 'data-value': String(c.mrr_cents), text: WH.money(c.mrr_cents) })],
      ['E-mail', c.email || '—'], ['Status', activeBadge(c.active)],
    ]));
    content.append(h('h2', { text: 'Subscriptions' }), WH.list({
      path: '/saas/subscriptions', query: { customer_id: c.id }, caption: `Subscriptions of ${c.name}`,
      empty: 'No subscriptions yet.', rowLink: (s) => `#/saas/subscriptions/${s.id}`,
      columns: [
        { label: 'Plan', key: 'plan_name' },
        { label: 'MRR', className: 'num', render: (s) => WH.money(s.mrr_cents) },
        { label: 'Started', key: 'started_on', className: 'nowrap' },
        { label: 'Cancelled', render: (s) => s.cancelled_on || '—', className: 'nowrap' },
        { label: 'Status', render: (s) => statusBadge(s.status) },
      ],
    }).el);
    if (!mayWrite()) return;
    if (c.active) {
      content.append(WH.form({
        title: 'Start a subscription',
        fields: [
          { name: 'plan_name', label: 'Plan', required: true, maxlength: 100 },
          { name: 'mrr_cents', label: 'MRR ($ a month)', type: 'money', required: true },
          { name: 'started_on', label: 'Starts on', type: 'date', value: WH.today(), hint: 'Today or earlier, not before the customer\u2019s latest change.' },
        ],
        submitLabel: 'Start subscription',
        toBody: (b) => ({ ...b, customer_id: c.id }),
        submit: (b, write) => write('POST', '/saas/subscriptions', b),
        onDone: rerender,
      }));
    }
    content.append(WH.form({
      title: 'Edit customer',
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 200, value: c.name },
        { name: 'code', label: 'Code', required: true, maxlength: 32, value: c.code },
        { name: 'email', label: 'Billing e-mail', type: 'email', maxlength: 254, value: c.email },
        { name: 'active', label: 'Active (an inactive customer gets no new subscription)', type: 'checkbox', value: c.active },
      ],
      nullEmpty: true, submitLabel: 'Save customer', method: 'PATCH', path: `/saas/customers/${c.id}`,
      onDone: rerender,
    }));
  });

  /* ------------------------------------------------------------------ subscriptions */

  WH.screen('/saas/subscriptions', async (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label);
    if (!saasVentures().length) { noVenture(content); return; }
    const customers = await WH.allItems('/saas/customers', { venture_id: topVenture() }, 3).catch(() => []);
    if (ctx.stale()) return;
    const byId = new Map(customers.map((c) => [c.id, c]));
    content.append(WH.filters([
      { name: 'customer_id', label: 'Customer', type: 'select', options: [['', 'Any customer'], ...customers.map((c) => [String(c.id), `${c.name} (${c.code})`])] },
      { name: 'status', label: 'Status', type: 'select', options: [['', 'Any'], ['ACTIVE', 'Active'], ['CANCELLED', 'Cancelled']] },
    ], p));
    if (mayWrite()) content.append(h('p.muted', { text: 'Start a subscription from its customer\u2019s page (Customers).' }));
    content.append(WH.list({
      path: '/saas/subscriptions', query: { venture_id: topVenture(), customer_id: p.customer_id, status: p.status },
      caption: 'Subscriptions, newest first', empty: 'No subscriptions match.',
      rowLink: (s) => `#/saas/subscriptions/${s.id}`,
      columns: [
        { label: 'Plan', key: 'plan_name' },
        { label: 'Customer', render: (s) => (byId.get(s.customer_id) || { name: `#${s.customer_id}` }).name },
        { label: 'MRR', className: 'num', render: (s) => WH.money(s.mrr_cents) },
        { label: 'Started', key: 'started_on', className: 'nowrap' },
        { label: 'Status', render: (s) => statusBadge(s.status) },
      ],
    }).el);
  });

  WH.screen('/saas/subscriptions/:id', async (content, ctx) => {
    crumb(content, '#/saas/subscriptions', 'Subscriptions');
    const s = await WH.api('GET', `/saas/subscriptions/${ctx.args.id}`);
    const c = await WH.api('GET', `/saas/customers/${s.customer_id}`).catch(() => null);
    if (ctx.stale()) return;
    WH.title(content, `${s.plan_name} · ${c ? c.name : `customer ${s.customer_id}`}`);
    content.append(WH.facts([
      ['Customer', c ? h('a', { href: `#/saas/customers/${c.id}`, text: c.name }) : String(s.customer_id)],
      ['MRR', WH.money(s.mrr_cents)], ['Started', s.started_on], ['Cancelled', s.cancelled_on || '—'],
      ['Status', statusBadge(s.status)],
    ]));
    if (mayWrite() && s.status === 'ACTIVE') {
      content.append(WH.form({
        title: 'Change MRR or plan',
        fields: [
          { name: 'mrr_cents', label: 'New MRR ($ a month)', type: 'money', value: s.mrr_cents },
          { name: 'plan_name', label: 'Plan', maxlength: 100, value: s.plan_name },
          { name: 'effective_on', label: 'Effective on', type: 'date', value: WH.today() },
        ],
        submitLabel: 'Save change',
        submit: (b, write) => write('POST', `/saas/subscriptions/${s.id}/change`, b),
        onDone: rerender,
      }));
      content.append(WH.form({
        title: 'Cancel subscription',
        fields: [{ name: 'cancelled_on', label: 'Cancelled on', type: 'date', value: WH.today() }],
        submitLabel: 'Cancel subscription',
        submit: (b, write) => write('POST', `/saas/subscriptions/${s.id}/cancel`, b),
        onDone: rerender,
      }));
    }
    content.append(h('h2', { text: 'Events' }), WH.list({
      path: '/saas/events', query: { subscription_id: s.id }, caption: 'Events of this subscription, newest first',
      empty: 'No events.',
      columns: [
        { label: 'Effective', key: 'effective_on', className: 'nowrap' },
        { label: 'Type', render: (e) => EVENT_LABEL[e.type] || e.type },
        { label: 'Change', className: 'num', render: (e) => WH.money(e.mrr_delta_cents) },
        { label: 'Customer MRR before', className: 'num', render: (e) => WH.money(e.customer_mrr_before_cents) },
        { label: 'after', className: 'num', render: (e) => WH.money(e.customer_mrr_after_cents) },
      ],
    }).el);
  });
}());
