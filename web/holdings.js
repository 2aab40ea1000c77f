/* Wheelhouse web UI: holdings screens (registered with WH.screen).
 *   /holdings/assets               assets (kind, held in the URL); "New asset"
 *   /holdings/assets/new           create an asset
 *   /holdings/assets/:id           one asset: edit (dispose), its valuations; record or delete one
 *   /holdings/bank-accounts        bank accounts (active in the URL); "New bank account"
 *   /holdings/bank-accounts/new    create an account (last 4 digits only, never a full number)
 *   /holdings/bank-accounts/:id    one account: edit, its balance snapshots; record or delete one
 * Test hooks: [data-testid="asset-value"], [data-testid="account-balance"]. */
'use strict';

(function () {
  const { h } = WH;
  const go = (hash) => { location.hash = hash; };
  const rerender = () => window.dispatchEvent(new Event('wh:route'));
  const mayWrite = () => WH.can('holdings.write');
  const KINDS = [['PROPERTY', 'Property'], ['VEHICLE', 'Vehicle'], ['EQUIPMENT', 'Equipment'], ['INVESTMENT', 'Investment'], ['OTHER', 'Other']];
  const kindLabel = (k) => (KINDS.find(([v]) => v === k) || [k, k])[1];
  const crumb = (content, href, text) => content.append(h('p.crumb', {}, h('a', { href, text: `‹ ${text}` })));
  const venture = () => WH.ventureId() || null;

  // The dated values of a parent (valuations of an asset, balances of an account): the list,
  // a form recording one for a date (replacing that date's), and a delete per row.
  function datedSection(content, { path, valueKey, valueLabel, note, maxDay, minDay }) {
    const listBox = h('div');
    const draw = () => listBox.replaceChildren(WH.list({
      path, caption: `${valueLabel} by date, newest first`, empty: `No ${valueLabel.toLowerCase()} recorded yet.`,
      columns: [
        { label: 'Date', key: 'date', className: 'nowrap' },
        { label: valueLabel, className: 'num', render: (d) => WH.money(d[valueKey]) },
        note ? { label: 'Note', render: (d) => d.note || '—' } : null,
        mayWrite() ? { label: 'Actions', render: (d) => WH.actions([{ label: `Delete ${d.date}`, confirm: `Delete the ${valueLabel.toLowerCase()} of ${d.date}?`,
          run: () => WH.api('DELETE', `${path}/${d.date}`) }], rerender) } : null,
      ].filter(Boolean),
    }).el);
    content.append(h('h2', { text: valueLabel }), listBox);
    draw();
    if (!mayWrite()) return;
    content.append(WH.form({
      title: `Record a ${valueLabel.toLowerCase().replace(/s$/, '')}`,
      fields: [
        { name: 'date', label: 'Date', type: 'date', required: true, value: WH.today(), max: maxDay, min: minDay,
          hint: 'A date that already has one is replaced.' },
        { name: valueKey, label: `${valueLabel.replace(/s$/, '')} ($)`, type: 'money', required: true },
        note ? { name: 'note', label: 'Note', maxlength: 500 } : null,
      ].filter(Boolean),
      submitLabel: 'Save',
      submit: (b, write) => { const { date, ...body } = b; return write('PUT', `${path}/${date}`, body); },
      onDone: rerender,
    }));
  }

  /* ------------------------------------------------------------------ assets */

  WH.screen('/holdings/assets', async (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label, mayWrite() ? h('a.button.primary', { href: '#/holdings/assets/new', text: 'New asset' }) : '');
    content.append(WH.filters([
      { name: 'kind', label: 'Kind', type: 'select', options: [['', 'Any kind'], ...KINDS] },
      { name: 'held', label: 'Held', type: 'select', options: [['', 'Any'], ['true', 'Held today'], ['false', 'Disposed']] },
    ], p));
    content.append(WH.list({
      path: '/holdings/assets', query: { venture_id: venture(), kind: p.kind, held: p.held },
      caption: 'Assets by name', empty: p.kind || p.held ? 'No assets match these filters.' : 'No assets yet.',
      rowLink: (a) => `#/holdings/assets/${a.id}`,
      columns: [
        { label: 'Name', key: 'name' },
        { label: 'Kind', render: (a) => kindLabel(a.kind) },
        { label: 'Acquired', key: 'acquired_on', className: 'nowrap' },
        { label: 'Cost', className: 'num', render: (a) => WH.money(a.cost_cents) },
        { label: 'Current value', className: 'num', render: (a) => WH.money(a.current_value_cents) },
        { label: 'Valued on', render: (a) => a.valued_on || 'at cost', className: 'nowrap' },
        { label: 'Disposed', render: (a) => a.disposed_on || '—', className: 'nowrap' },
      ],
    }).el);
  });

  const assetFields = (a) => [
    { name: 'kind', label: 'Kind', type: 'select', required: true, options: KINDS, value: a ? a.kind : 'PROPERTY' },
    { name: 'name', label: 'Name', required: true, maxlength: 200, value: a && a.name },
    { name: 'acquired_on', label: 'Acquired on', type: 'date', required: true, max: WH.today(), value: a ? a.acquired_on : WH.today() },
    { name: 'cost_cents', label: 'Cost ($)', type: 'money', required: true, value: a ? a.cost_cents : null },
    { name: 'disposed_on', label: 'Disposed on', type: 'date', max: WH.today(), value: a && a.disposed_on },
    { name: 'notes', label: 'Notes', type: 'textarea', wide: true, maxlength: 2000, value: a && a.notes },
  ];

  WH.screen('/holdings/assets/new', async (content) => {
    crumb(content, '#/holdings/assets', 'Assets');
    WH.title(content, 'New asset');
    if (!mayWrite()) { WH.empty(content, 'Your role may not add assets.'); return; }
    content.append(WH.form({
      fields: [WH.ventureField(null), ...assetFields(null)],
      submitLabel: 'Create asset', method: 'POST', path: '/holdings/assets',
      onDone: (a) => go(`#/holdings/assets/${a.id}`),
    }));
  });

  WH.screen('/holdings/assets/:id', async (content, ctx) => {
    crumb(content, '#/holdings/assets', 'Assets');
    const a = await WH.api('GET', `/holdings/assets/${ctx.args.id}`);
    if (ctx.stale()) return;
    WH.title(content, a.name);
    content.append(WH.facts([
      ['Kind', kindLabel(a.kind)], ['Acquired', a.acquired_on], ['Cost', WH.money(a.cost_cents)],
      ['Current value', h('span', { 'data-testid': 'asset-value', 'data-value': String(a.current_value_cents), text: WH.money(a.current_value_cents) })],
      ['Valued on', a.valued_on || 'no valuation: shown at cost'], ['Disposed', a.disposed_on || '—'], ['Notes', a.notes || '—'],
    ]));
    datedSection(content, { path: `/holdings/assets/${a.id}/valuations`, valueKey: 'value_cents', valueLabel: 'Valuations', note: true,
      minDay: a.acquired_on, maxDay: a.disposed_on && a.disposed_on < WH.today() ? a.disposed_on : WH.today() });
    if (mayWrite()) {
      content.append(WH.form({ title: 'Edit asset', fields: assetFields(a), nullEmpty: true, submitLabel: 'Save asset',
        method: 'PATCH', path: `/holdings/assets/${a.id}`, onDone: rerender }));
    }
  });

  /* ------------------------------------------------------------------ bank accounts */

  WH.screen('/holdings/bank-accounts', async (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label, mayWrite() ? h('a.button.primary', { href: '#/holdings/bank-accounts/new', text: 'New bank account' }) : '');
    content.append(WH.filters([
      { name: 'active', label: 'Status', type: 'select', options: [['', 'Any'], ['true', 'Active'], ['false', 'Inactive']] },
    ], p));
    content.append(WH.list({
      path: '/holdings/bank-accounts', query: { venture_id: venture(), active: p.active },
      caption: 'Bank accounts by name', empty: 'No bank accounts yet.',
      rowLink: (b) => `#/holdings/bank-accounts/${b.id}`,
      columns: [
        { label: 'Name', key: 'name' },
        { label: 'Institution', key: 'institution' },
        { label: 'Account', render: (b) => `•••• ${b.last4}` },
        { label: 'Balance', className: 'num', render: (b) => WH.money(b.balance_cents) },
        { label: 'As of', render: (b) => b.balance_on || '—', className: 'nowrap' },
        { label: 'Status', render: (b) => h(`span.status.${b.active ? 'good' : 'bad'}`, { text: b.active ? 'Active' : 'Inactive' }) },
      ],
    }).el);
  });

  const accountFields = (b) => [
    { name: 'name', label: 'Name', required: true, maxlength: 100, value: b && b.name },
    { name: 'institution', label: 'Institution', required: true, maxlength: 100, value: b && b.institution },
    { name: 'last4', label: 'Last 4 digits', required: true, minlength: 4, maxlength: 4, value: b && b.last4,
      hint: 'Only the last four digits; never enter the full account number.' },
  ];

  WH.screen('/holdings/bank-accounts/new', async (content) => {
    crumb(content, '#/holdings/bank-accounts', 'Bank accounts');
    WH.title(content, 'New bank account');
    if (!mayWrite()) { WH.empty(content, 'Your role may not add bank accounts.'); return; }
    content.append(WH.form({
      fields: [WH.ventureField(null), ...accountFields(null)],
      submitLabel: 'Create bank account', method: 'POST', path: '/holdings/bank-accounts',
      onDone: (b) => go(`#/holdings/bank-accounts/${b.id}`),
    }));
  });

  WH.screen('/holdings/bank-accounts/:id', async (content, ctx) => {
    crumb(content, '#/holdings/bank-accounts', 'Bank accounts');
    const b = await WH.api('GET', `/holdings/bank-accounts/${ctx.args.id}`);
    if (ctx.stale()) return;
    WH.title(content, b.name);
    content.append(WH.facts([
      ['Institution', b.institution], ['Account', `•••• ${b.last4}`],
      ['Balance', h('span', { 'data-testid': 'account-balance', 'data-value': String(b.balance_cents), text: WH.money(b.balance_cents) })],
      ['As of', b.balance_on || '—'], ['Status', b.active ? 'Active' : 'Inactive (not counted in cash)'],
    ]));
    datedSection(content, { path: `/holdings/bank-accounts/${b.id}/balances`, valueKey: 'balance_cents', valueLabel: 'Balances',
      note: false, maxDay: WH.today() });
    if (mayWrite()) {
      content.append(WH.form({ title: 'Edit bank account',
        fields: [...accountFields(b), { name: 'active', label: 'Active (counted in cash)', type: 'checkbox', value: b.active }],
        submitLabel: 'Save bank account', method: 'PATCH', path: `/holdings/bank-accounts/${b.id}`, onDone: rerender }));
    }
  });
}());
