/* Wheelhouse web UI: freight screens (DOMAIN.md §2, docs/freight.md), registered with
 * WH.screen and built only on WH (core.js):
 *   loads     #/freight/loads (filters kept in the URL), #/freight/loads/new, #/freight/loads/:id
 *             (fields, Edit, the status moves the machine allows, carrier choice, history, audit)
 *   carriers  #/freight/carriers (search), #/freight/carriers/new (FMCSA onboarding),
 *             #/freight/carriers/:id (refresh, edit phone/e-mail/blocked)
 *   shippers  #/freight/shippers, #/freight/shippers/new, #/freight/shippers/:id (edit)
 * Only the actions the caller's permissions allow are shown; the server refuses the rest. */
'use strict';

(function () {
  const { h } = WH;
  const TYPES = ['LOGISTICS', 'TRANSPORT'];
  // Roles whose office filters and office choices are limited to their own offices (DOMAIN.md §1).
  const OFFICE_SCOPED = ['OFFICE_MANAGER', 'TEAM_LEAD', 'EMPLOYEE', 'CONTRACTOR', 'CSR', 'DISPATCHER',
    'CARRIER_TEAM', 'ACCOUNTING', 'FINANCE'];
  const STATUSES = ['OPEN', 'WORKING', 'QUOTED', 'AT_RISK', 'COVERED', 'IN_TRANSIT', 'DELIVERED', 'LOST',
    'FELL_OFF', 'DORMANT'];
  // The status machine exactly as src/freight/loads_rules.c; DELIVERED and LOST are terminal.
  const NEXT = {
    OPEN: ['WORKING', 'QUOTED', 'LOST', 'DORMANT'],
    WORKING: ['QUOTED', 'COVERED', 'AT_RISK', 'LOST', 'DORMANT'],
    QUOTED: ['WORKING', 'COVERED', 'LOST', 'OPEN'],
    AT_RISK: ['COVERED', 'LOST', 'WORKING'],
    COVERED: ['IN_TRANSIT', 'DELIVERED', 'LOST', 'FELL_OFF'],
    IN_TRANSIT: ['DELIVERED', 'LOST', 'FELL_OFF'],
    FELL_OFF: ['COVERED', 'LOST', 'WORKING'],
    DORMANT: ['WORKING', 'OPEN'],
    DELIVERED: [],
    LOST: [],
  };
  // The usual next step from a status, drawn as the primary button.
  const USUAL = { OPEN: 'WORKING', WORKING: 'COVERED', QUOTED: 'COVERED', AT_RISK: 'COVERED',
    COVERED: 'IN_TRANSIT', IN_TRANSIT: 'DELIVERED', FELL_OFF: 'COVERED', DORMANT: 'WORKING' };
  const TONE = { COVERED: 'good', IN_TRANSIT: 'good', DELIVERED: 'good', AT_RISK: 'warn', FELL_OFF: 'bad',
    LOST: 'bad' };
  const FMCSA = { ACTIVE: ['Active', 'good'], OUT_OF_SERVICE: ['Out of service', 'bad'],
    NOT_AUTHORIZED: ['Not authorised', 'bad'], UNKNOWN: ['Unknown', 'warn'] };
  const EQUIPMENT = ['Dry van', 'Reefer', 'Flatbed', 'Step deck', 'Power only', 'Box truck', 'Conestoga',
    'Hotshot', 'Tanker'];
  const FIELD = {
    reference: 'Reference', office_id: 'Office', shipper_id: 'Shipper', carrier_id: 'Carrier',
    pickup_city: 'Pickup city', pickup_state: 'Pickup state', pickup_date: 'Pickup date',
    drop_city: 'Drop city', drop_state: 'Drop state', drop_date: 'Drop date', equipment: 'Equipment',
    weight_lbs: 'Weight (lbs)', miles: 'Miles', bill_cents: 'Bill', cost_cents: 'Cost', status: 'Status',
    billing_date: 'Billing date', lost_reason: 'Lost reason', dispatcher_id: 'Dispatcher',
    lost_reason_code: 'Lost because',
  };
  // Why a load was lost (DOMAIN-wave2 §2), in the order the select offers them.
  const LOST_CODES = [['RATE', 'Rate'], ['CAPACITY', 'No capacity'], ['SHIPPER_CANCELLED', 'Shipper cancelled'],
    ['SERVICE', 'Service'], ['COMPETITOR', 'Lost to a competitor'], ['OTHER', 'Other']];
  const lostCode = (c) => (LOST_CODES.find(([k]) => k === c) || [c, WH.titleCase(c || '')])[1];
  // What FMCSA has said of a carrier (DOMAIN-wave2 §14).
  const VERIFICATION = { VERIFIED: ['Verified', 'good'], PENDING: ['Pending FMCSA', 'warn'],
    NOT_FOUND: ['Not found at FMCSA', 'bad'] };

  /* ------------------------------------------------------------------ lookups */

  // Names for the ids a load carries, fetched once per screen draw.
  let cache = new Map();
  const fresh = () => { cache = new Map(); };
  function once(key, fn) {
    if (!cache.has(key)) cache.set(key, fn().catch(() => null));
    return cache.get(key);
  }
  const officesOf = (vid) => once(`offices:${vid}`, () => WH.allItems(`/ventures/${vid}/offices`));
  const peopleOf = (vid) => once(`people:${vid}`, () => WH.allItems(`/ventures/${vid}/people`));
  const shippersOf = (vid) => once(`shippers:${vid}`, () => WH.allItems('/shippers', { venture_id: vid }));
  const carrierById = (id) => once(`carrier:${id}`, () => WH.api('GET', `/carriers/${id}`));
  const shipperById = (id) => once(`shipper:${id}`, () => WH.api('GET', `/shippers/${id}`));
  const firstCarriers = () => once('carriers', () => WH.allItems('/carriers', {}, 1));

  // Every freight venture of the caller, or the one chosen in the top bar.
  const freightVentures = () => WH.ventures(TYPES);
  function ventureInView() {
    const chosen = WH.ventureId();
    if (!chosen) return freightVentures();
    return freightVentures().filter((v) => v.id === chosen);
  }
  const manyVentures = () => ventureInView().length > 1;
  const ventureCode = (id) => {
    const v = WH.ventures().find((x) => x.id === id);
    return v ? v.code : `#${id}`;
  };
  const ventureName = (id) => {
    const v = WH.ventures().find((x) => x.id === id);
    return v ? `${v.name} (${v.code})` : `Venture #${id}`;
  };

  // The offices a caller may pick for a venture: their own for office-scoped roles.
  async function officeChoices(vid) {
    if (OFFICE_SCOPED.includes(WH.role())) {
      return ((WH.state.me && WH.state.me.offices) || []).filter((o) => o.venture_id === vid);
    }
    return (await officesOf(vid)) || [];
  }

  async function flat(vs, fn) {
    const lists = await Promise.all(vs.map((v) => fn(v.id)));
    return lists.flatMap((l) => l || []);
  }

  function personName(people, id) {
    if (!id) return '—';
    const me = WH.state.me && WH.state.me.user;
    if (me && me.id === id) return `${me.full_name} (you)`;
    const p = (people || []).find((x) => x.id === id);
    return p ? p.full_name : `User #${id}`;
  }

  /* ------------------------------------------------------------------ small pieces */

  const statusBadge = (s) => h(`span.status${TONE[s] ? `.${TONE[s]}` : ''}`, { text: WH.titleCase(s) });
  function fmcsaBadge(c) {
    const [text, tone] = FMCSA[c.fmcsa_status] || [WH.titleCase(c.fmcsa_status), 'warn'];
    return h(`span.status.${tone}`, { text, title: 'FMCSA status' });
  }
  const blockedBadge = (c) => (c.blocked ? h('span.status.bad', { text: 'Blocked' }) : null);
  function verificationBadge(c) {
    const [text, tone] = VERIFICATION[c.verification] || [WH.titleCase(c.verification || 'VERIFIED'), 'warn'];
    return h(`span.status.${tone}`, { text, title: c.source === 'MANUAL' ? 'Entered by hand' : 'Onboarded from FMCSA' });
  }
  // A carrier entered by hand that FMCSA has not answered for yet: assignable only by
  // carriers.assign_pending, with a reason (DOMAIN-wave2 §14).
  const isPending = (c) => !c.blocked && c.verification === 'PENDING';

  // Why a carrier may not be assigned to a load (DOMAIN-wave2 §14), or null when it may.
  function whyNot(c) {
    if (c.blocked) return 'It is blocked in the carrier directory.';
    if (c.verification === 'PENDING') {
      return WH.can('carriers.assign_pending') ? null
        : 'FMCSA has not verified it yet; a manager may assign it with a reason, or refresh it from FMCSA.';
    }
    if (c.verification === 'NOT_FOUND') return 'FMCSA does not know its DOT number.';
    if (c.fmcsa_status === 'OUT_OF_SERVICE') return 'FMCSA lists it as out of service.';
    if (c.fmcsa_status === 'NOT_AUTHORIZED') return 'FMCSA does not authorise it to operate.';
    if (c.fmcsa_status !== 'ACTIVE') {
      return c.fmcsa_checked_at ? 'Its FMCSA status is unknown; refresh it from FMCSA.'
        : 'It has never been checked at FMCSA; refresh it from FMCSA first.';
    }
    return null;
  }
  function usableBadge(c) {
    const why = whyNot(c);
    if (!why && isPending(c)) return h('span.status.warn', { text: 'With a reason', title: 'Not verified by FMCSA yet: give a reason when assigning it.' });
    return why ? h('span.status.bad', { text: c.blocked ? 'Blocked' : 'Not usable', title: why })
      : h('span.status.good', { text: 'Usable' });
  }

  const button = (href, text, primary) => h(`a.button.${primary ? 'primary' : 'secondary'}`, { href, text });
  const crumb = (href, text) => h('p.crumb', {}, h('a', { href, text: `‹ ${text}` }));
  const place = (city, state) => [city, state].filter(Boolean).join(', ') || '—';
  const lane = (l) => h('span.lane', {}, h('span.nowrap', { text: place(l.pickup_city, l.pickup_state) }),
    h('span.arrow', { text: ' → ' }), h('span.nowrap', { text: place(l.drop_city, l.drop_state) }));
  const loadName = (l) => (l.reference ? `Load ${l.reference}` : `Load #${l.id}`);
  const count = (n, unit) => (n === null || n === undefined ? '—' : `${Number(n).toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`);
  const { date: day, short: shortDate } = WH.day;
  const shortDay = (iso) => {
    const t = new Date(iso);
    return Number.isNaN(t.getTime()) ? '—' : t.toLocaleDateString([], { month: 'short', day: 'numeric' });
  };
  function marginNode(l) {
    if (l.margin_cents === null || l.margin_cents === undefined) return '—';
    return h(`span${l.margin_cents < 0 ? '.neg' : ''}`, {}, WH.money(l.margin_cents),
      l.margin_bp === null || l.margin_bp === undefined ? null : h('small.muted', { text: ` ${WH.bp(l.margin_bp)}` }));
  }

  // A node filled in once the promise settles (names behind ids in list rows).
  function later(promise, show) {
    const span = h('span.muted', { text: '…' });
    Promise.resolve(promise).then((v) => {
      span.className = '';
      span.replaceChildren(show(v));
    });
    return span;
  }

  function fillSelect(select, options) {
    const keep = select.value;
    select.replaceChildren(...options.map(([v, t]) => h('option', { value: v, text: t })));
    if (options.some(([v]) => v === keep)) select.value = keep;
  }

  // One notice carried to the next screen drawn (after a create, "… created.").
  let flash = '';
  function takeFlash(content) {
    if (!flash) return;
    content.append(h('p.notice.flash', { role: 'status', text: flash }));
    flash = '';
  }

  // The title of a record page: the record's name with its badges beside it, the Edit button
  // at the right.
  function recordTitle(content, text, ...after) {
    WH.title(content, text, ...after);
    const heads = content.querySelectorAll('.screen-head');
    heads[heads.length - 1].classList.add('record');
  }

  // Filters folded away on a phone unless some are on (the list is what one comes for).
  function fold(params, names, filters) {
    const on = names.filter((k) => params[k]).length;
    const phone = window.matchMedia('(max-width: 48rem)').matches;
    return h('details.filter-fold', { open: on || !phone },
      h('summary', { text: on ? `Filters (${on} on)` : 'Filters' }), filters);
  }

  function notAllowed(content, text) {
    content.append(h('p.empty', { text }));
  }

  function noFreight(content) {
    const chosen = WH.ventureId();
    WH.empty(content, chosen
      ? 'The venture chosen in the top bar has no freight. Choose a freight venture, or All ventures.'
      : 'You are not a member of a freight venture. Ask an administrator to add you to one.');
  }

  // Shows and hides a card below the title (Edit forms); the button says what it will do.
  function toggler(label, make) {
    let open = null;
    const slot = h('div');
    const b = h('button.secondary.push', { type: 'button', text: label, 'aria-expanded': 'false' });
    const close = () => { if (open) { open.remove(); open = null; } b.setAttribute('aria-expanded', 'false'); b.focus(); };
    b.addEventListener('click', () => {
      if (open) { close(); return; }
      open = make(close);
      slot.append(open);
      b.setAttribute('aria-expanded', 'true');
      const first = open.querySelector('input, select, textarea');
      if (first) first.focus();
    });
    return { button: b, slot };
  }

  // Only the fields whose value differs from the record (so a PATCH re-checks nothing it did not
  // change, e.g. an office the writer is not a member of).
  function changed(body, record) {
    const out = {};
    for (const [k, v] of Object.entries(body)) {
      if (JSON.stringify(v ?? null) !== JSON.stringify(record[k] ?? null)) out[k] = v;
    }
    return out;
  }

  /* ------------------------------------------------------------------ loads: list */

  WH.screen('/freight/loads', async (content, ctx) => {
    fresh();
    const canWrite = WH.can('freight.write');
    WH.title(content, ctx.label, canWrite ? button('#/freight/loads/new', 'New load', true) : null);
    const vs = ventureInView();
    if (!vs.length) { noFreight(content); return; }
    const p = ctx.params;
    const many = vs.length > 1;
    const [shippers, offices, people, carriers] = await Promise.all([
      flat(vs, shippersOf), flat(vs, officeChoices), flat(vs, peopleOf), firstCarriers(),
    ]);
    if (ctx.stale()) return;
    const tag = (name, vid) => (many ? `${name} (${ventureCode(vid)})` : name);
    const carrierOpts = (carriers || []).map((c) => [String(c.id), c.name]);
    if (p.carrier_id && !carrierOpts.some(([v]) => v === p.carrier_id)) {
      const c = await carrierById(p.carrier_id);
      carrierOpts.push([p.carrier_id, c ? c.name : `Carrier #${p.carrier_id}`]);
    }
    const seen = new Set();
    const persons = [];
    for (const u of people) if (!seen.has(u.id)) { seen.add(u.id); persons.push(u); }
    const me = WH.state.me.user;
    content.append(fold(p, ['reference', 'status', 'shipper_id', 'carrier_id', 'office_id', 'created_by', 'dispatcher_id', 'from', 'to'], WH.filters([
      { name: 'reference', label: 'Reference', type: 'search', maxlength: 200, placeholder: 'Part of the PO or load number' },
      { name: 'status', label: 'Status', type: 'select',
        options: [['', 'Any status'], ...STATUSES.map((s) => [s, WH.titleCase(s)])] },
      { name: 'shipper_id', label: 'Shipper', type: 'select',
        options: [['', 'Any shipper'], ...shippers.map((s) => [String(s.id), tag(s.name, s.venture_id)])] },
      { name: 'carrier_id', label: 'Carrier', type: 'select', options: [['', 'Any carrier'], ...carrierOpts] },
      { name: 'office_id', label: 'Office', type: 'select',
        options: [['', 'Any office'], ...offices.map((o) => [String(o.id), tag(o.name, o.venture_id)])] },
      { name: 'created_by', label: 'Created by', type: 'select',
        options: [['', 'Anyone'], [String(me.id), 'Me'],
          ...persons.filter((u) => u.id !== me.id).map((u) => [String(u.id), u.full_name])] },
      { name: 'dispatcher_id', label: 'Dispatcher', type: 'select',
        options: [['', 'Anyone'], [String(me.id), 'Me'],
          ...persons.filter((u) => u.id !== me.id).map((u) => [String(u.id), u.full_name])] },
      { name: 'from', label: 'Created from', type: 'date' },
      { name: 'to', label: 'Created to', type: 'date' },
    ], p)));
    const shipperName = new Map(shippers.map((s) => [s.id, s.name]));
    const carrierCell = (l) => {
      if (!l.carrier_id) return h('span.muted', { text: '—' });
      const known = (carriers || []).find((c) => c.id === l.carrier_id);
      const show = (c) => (c ? [c.name, c.blocked ? [' ', blockedBadge(c)] : null] : `Carrier #${l.carrier_id}`);
      return known ? h('span', {}, show(known)) : later(carrierById(l.carrier_id), show);
    };
    const shipperCell = (l) => {
      if (!l.shipper_id) return h('span.muted', { text: '—' });
      if (shipperName.has(l.shipper_id)) return shipperName.get(l.shipper_id);
      return later(shipperById(l.shipper_id), (s) => (s ? s.name : `Shipper #${l.shipper_id}`));
    };
    const columns = [
      { label: 'Load', render: (l) => l.reference || `#${l.id}`, className: 'nowrap' },
      { label: 'Status', render: (l) => statusBadge(l.status) },
      { label: 'Lane', render: lane },
      { label: 'Pickup', render: (l) => (l.pickup_date ? shortDate(l.pickup_date) : '—'), className: 'nowrap wide-only' },
      { label: 'Shipper', render: shipperCell },
      { label: 'Carrier', render: carrierCell },
      { label: 'Dispatcher', render: (l) => (l.dispatcher_id ? personName(persons, l.dispatcher_id) : h('span.muted', { text: '—' })), className: 'wide-only' },
      { label: 'Bill', render: (l) => WH.money(l.bill_cents), className: 'num' },
      { label: 'Margin', render: marginNode, className: 'num' },
      many ? { label: 'Venture', render: (l) => ventureCode(l.venture_id), className: 'wide-only' } : null,
      { label: 'Created', render: (l) => shortDay(l.created_at), className: 'nowrap wide-only' },
    ].filter(Boolean);
    if (p.from && p.to && p.to < p.from) {
      const box = WH.errorBox();
      content.append(box);
      WH.showProblem(box, new WH.ApiError(400, { detail: '"Created to" is before "Created from": change one of them.' }));
      return;
    }
    const filtered = ['status', 'shipper_id', 'carrier_id', 'office_id', 'created_by', 'dispatcher_id', 'from', 'to'].some((k) => p[k]);
    const list = WH.list({
      path: '/loads',
      query: { venture_id: WH.ventureId(), status: p.status, shipper_id: p.shipper_id, carrier_id: p.carrier_id,
        office_id: p.office_id, created_by: p.created_by, dispatcher_id: p.dispatcher_id, from: p.from, to: p.to,
        reference: p.reference },
      columns,
      caption: 'Loads, newest first',
      rowLink: (l) => `#/freight/loads/${l.id}`,
      empty: filtered ? 'No loads match these filters. Clear them, or widen the dates.'
        : (canWrite ? 'No loads yet. Enter the first one with "New load".' : 'No loads yet.'),
    });
    list.el.classList.add('dense');
    content.append(list.el);
  });

  /* ------------------------------------------------------------------ loads: create and edit */

  const shipperOptions = (list) => [['', 'No shipper'],
    ...(list || []).filter((s) => s.active !== false).map((s) => [String(s.id), s.code ? `${s.name} (${s.code})` : s.name])];
  const officeOptions = (list) => [['', 'No office'], ...(list || []).map((o) => [String(o.id), o.name])];
  // The venture's active people (the eligible dispatchers; all-venture roles are not listed).
  const dispatcherOptions = (people, current) => {
    const list = (people || []).filter((u) => u.active !== false);
    const opts = [['', 'No dispatcher yet'], ...list.map((u) => [String(u.id), u.full_name])];
    if (current && !list.some((u) => u.id === current)) opts.push([String(current), `User #${current}`]);
    return opts;
  };

  // The lane, then the rest; the reference goes first on Edit (beside office and shipper) and
  // after the lane on New, so both fill a three-column grid row by row.
  function loadFields(l, referenceFirst) {
    const v = (k) => (l ? l[k] : undefined);
    const reference = { name: 'reference', label: 'Reference', maxlength: 100, value: v('reference'), hint: "The shipper's load or PO number." };
    return [
      referenceFirst ? reference : null,
      { name: 'pickup_city', label: 'Pickup city', required: true, maxlength: 100, value: v('pickup_city') },
      { name: 'pickup_state', label: 'Pickup state', required: true, maxlength: 100, value: v('pickup_state'), placeholder: 'IL' },
      { name: 'pickup_date', label: 'Pickup date', type: 'date', value: v('pickup_date') },
      { name: 'drop_city', label: 'Drop city', required: true, maxlength: 100, value: v('drop_city') },
      { name: 'drop_state', label: 'Drop state', required: true, maxlength: 100, value: v('drop_state'), placeholder: 'TX' },
      { name: 'drop_date', label: 'Drop date', type: 'date', value: v('drop_date') },
      referenceFirst ? null : reference,
      { name: 'equipment', label: 'Equipment', maxlength: 100, value: v('equipment') },
      { name: 'weight_lbs', label: 'Weight (lbs)', type: 'number', min: 0, value: v('weight_lbs') },
      { name: 'miles', label: 'Miles', type: 'number', min: 0, value: v('miles') },
      { name: 'bill_cents', label: 'Bill (USD)', type: 'money', value: v('bill_cents'), hint: 'What the shipper pays.' },
      { name: 'cost_cents', label: 'Cost (USD)', type: 'money', value: v('cost_cents'), hint: 'What the carrier is paid.' },
    ].filter(Boolean);
  }

  // Suggestions for the equipment field (free text on the server).
  function equipmentList(form) {
    const input = form.elements.namedItem('equipment');
    const id = WH.nextId('equipment');
    input.setAttribute('list', id);
    input.after(h('datalist', { id }, EQUIPMENT.map((e) => h('option', { value: e }))));
  }

  WH.screen('/freight/loads/new', async (content, ctx) => {
    fresh();
    content.append(crumb('#/freight/loads', 'Loads'));
    WH.title(content, 'New load');
    if (!WH.can('freight.write')) { notAllowed(content, 'Your role may look at loads but not enter them.'); return; }
    const vs = freightVentures();
    if (!vs.length) { noFreight(content); return; }
    const vf = WH.ventureField(TYPES);
    const v0 = Number(vf.value);
    const [offices, shippers, people] = await Promise.all([officeChoices(v0), shippersOf(v0), peopleOf(v0)]);
    if (ctx.stale()) return;
    const fields = [
      vf,
      { name: 'office_id', label: 'Office', type: 'select', numeric: true, options: officeOptions(offices),
        value: offices.length === 1 ? String(offices[0].id) : '' },
      { name: 'shipper_id', label: 'Shipper', type: 'select', numeric: true, options: shipperOptions(shippers),
        hint: WH.can('freight.write') ? 'Not listed? Add it under Shippers.' : null },
      { name: 'dispatcher_id', label: 'Dispatcher', type: 'select', numeric: true, options: dispatcherOptions(people),
        hint: 'Left empty, whoever covers the load becomes its dispatcher.' },
      ...loadFields(null),
    ];
    const form = WH.form({
      title: 'Load details',
      fields,
      submitLabel: 'Create load',
      method: 'POST',
      path: '/loads',
      onDone: (out) => {
        flash = 'Load created. It starts Open; move it along with the status buttons.';
        location.hash = `#/freight/loads/${out.id}`;
      },
      cancel: () => { location.hash = '#/freight/loads'; },
    });
    form.classList.add('three');
    equipmentList(form);
    const venture = form.elements.namedItem('venture_id');
    venture.addEventListener('change', async () => {
      const vid = Number(venture.value);
      const [o, s, pp] = await Promise.all([officeChoices(vid), shippersOf(vid), peopleOf(vid)]);
      fillSelect(form.elements.namedItem('office_id'), officeOptions(o));
      fillSelect(form.elements.namedItem('shipper_id'), shipperOptions(s));
      fillSelect(form.elements.namedItem('dispatcher_id'), dispatcherOptions(pp));
    });
    content.append(form);
  });

  // offices: those the writer may choose; the load's own office stays listed even when it is
  // not one of them (it is only sent when changed).
  function loadEditForm(load, offices, allOffices, shippers, people, close, redraw) {
    const shipperList = shippers.slice();
    const current = allOffices.find((o) => o.id === load.office_id) || { id: load.office_id, name: `Office #${load.office_id}` };
    const fields = [
      { name: 'office_id', label: 'Office', type: 'select', numeric: true, value: load.office_id,
        options: officeOptions(offices.some((o) => o.id === load.office_id) || !load.office_id ? offices
          : [...offices, current]) },
      { name: 'shipper_id', label: 'Shipper', type: 'select', numeric: true, value: load.shipper_id,
        options: shipperOptions(shipperList).concat(
          load.shipper_id && !shipperList.some((s) => s.id === load.shipper_id && s.active !== false)
            ? [[String(load.shipper_id), (shipperList.find((s) => s.id === load.shipper_id) || { name: `Shipper #${load.shipper_id}` }).name]] : []) },
      { name: 'dispatcher_id', label: 'Dispatcher', type: 'select', numeric: true, value: load.dispatcher_id,
        options: dispatcherOptions(people, load.dispatcher_id) },
      ...loadFields(load, true),
    ];
    const form = WH.form({
      title: 'Edit load',
      fields,
      nullEmpty: true,
      submitLabel: 'Save changes',
      submit: async (body, write) => {
        const diff = changed(body, load);
        if (!Object.keys(diff).length) return null;
        return write('PATCH', `/loads/${load.id}`, diff);
      },
      onDone: (out, notice) => {
        if (!out) { notice.textContent = 'Nothing changed.'; return; }
        redraw(out, 'Load saved.');
      },
      cancel: close,
    });
    form.classList.add('three');
    equipmentList(form);
    return form;
  }

  /* ------------------------------------------------------------------ loads: the page */

  WH.screen('/freight/loads/:id', async (content, ctx) => {
    fresh();
    content.append(crumb('#/freight/loads', 'Loads'));
    const load = await WH.api('GET', `/loads/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    await drawLoad(content, ctx, load, '');
  });

  async function drawLoad(content, ctx, load, notice) {
    const vid = load.venture_id;
    const [carrier, shipper, offices, people, shippers, myOffices] = await Promise.all([
      load.carrier_id ? carrierById(load.carrier_id) : null,
      load.shipper_id ? shipperById(load.shipper_id) : null,
      officesOf(vid), peopleOf(vid), shippersOf(vid), officeChoices(vid),
    ]);
    if (ctx.stale()) return;
    const canWrite = WH.can('freight.write');
    const redraw = async (next, text) => {
      cache.delete(`carrier:${next.carrier_id}`);
      cache.delete(`shipper:${next.shipper_id}`);
      content.replaceChildren();
      await drawLoad(content, ctx, next, text);
      const h1 = content.querySelector('h1');
      if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
    };
    if (!content.querySelector('.crumb')) content.append(crumb('#/freight/loads', 'Loads'));
    const edit = canWrite ? toggler('Edit', (close) => loadEditForm(load, myOffices || [], offices || [], shippers || [], people || [], close, redraw)) : null;
    recordTitle(content, loadName(load), statusBadge(load.status), edit ? edit.button : null);
    takeFlash(content);
    if (notice) content.append(h('p.notice.flash', { role: 'status', text: notice }));
    if (edit) content.append(edit.slot);

    if (canWrite) content.append(moveCard(load, redraw));
    else if (NEXT[load.status].length) {
      content.append(h('p.muted.small', { text: 'Your role may look at this load; status changes are made by freight staff.' }));
    }

    const office = (offices || []).find((o) => o.id === load.office_id);
    const perMile = load.bill_cents && load.miles ? `${WH.money(Math.round(load.bill_cents / load.miles))} per mile` : null;
    content.append(h('div.cols', {},
      h('section.card', { 'aria-labelledby': 'load-lane' }, h('h2', { id: 'load-lane', text: 'Lane' }), WH.facts([
        ['Pickup', `${place(load.pickup_city, load.pickup_state)}${load.pickup_date ? ` · ${day(load.pickup_date)}` : ''}`],
        ['Drop', `${place(load.drop_city, load.drop_state)}${load.drop_date ? ` · ${day(load.drop_date)}` : ''}`],
        ['Equipment', load.equipment || '—'],
        ['Weight', count(load.weight_lbs, 'lbs')],
        ['Miles', count(load.miles)],
      ])),
      h('section.card', { 'aria-labelledby': 'load-money' }, h('h2', { id: 'load-money', text: 'Money' }), WH.facts([
        ['Bill', h('span.num', { text: WH.money(load.bill_cents) })],
        ['Cost', h('span.num', { text: WH.money(load.cost_cents) })],
        ['Margin', marginNode(load)],
        perMile ? ['Rate', perMile] : null,
        ['Billing date', day(load.billing_date)],
      ])),
      h('section.card', { 'aria-labelledby': 'load-parties' }, h('h2', { id: 'load-parties', text: 'Parties' }), WH.facts([
        ['Shipper', shipper ? h('a', { href: `#/freight/shippers/${shipper.id}`, text: shipper.name })
          : (load.shipper_id ? `Shipper #${load.shipper_id}` : '—')],
        ['Carrier', carrier ? h('span', {}, h('a', { href: `#/freight/carriers/${carrier.id}`, text: carrier.name }), ' ',
          fmcsaBadge(carrier), ' ', blockedBadge(carrier)) : (load.carrier_id ? `Carrier #${load.carrier_id}` : '—')],
        ['Venture', ventureName(vid)],
        ['Office', office ? office.name : (load.office_id ? `Office #${load.office_id}` : '—')],
        ['Reference', load.reference || '—'],
        ['Dispatcher', load.dispatcher_id ? personName(people, load.dispatcher_id) : '—'],
        ['Created by', personName(people, load.created_by)],
        ['Created', WH.dateTime(load.created_at)],
        ['Updated', WH.dateTime(load.updated_at)],
        load.lost_reason_code ? ['Lost because', lostCode(load.lost_reason_code)] : null,
        load.lost_reason ? ['Lost reason', load.lost_reason] : null,
      ])),
    ));
    content.append(historyCard(load, people));
  }

  // The moves the status machine allows from the load's status, as buttons named after the
  // target status; COVERED, DELIVERED and LOST first ask for what they need.
  function moveCard(load, redraw) {
    const targets = NEXT[load.status] || [];
    const card = h('section.card.moves', { 'aria-labelledby': 'load-moves' },
      h('h2', { id: 'load-moves', text: 'Change status' }));
    if (!targets.length) {
      card.append(h('p.muted', { text: `${WH.titleCase(load.status)} is final: the status cannot change any more. Fields can still be corrected with Edit.` }));
      return card;
    }
    const write = WH.writer();
    const panel = h('div.move-panel');
    const post = (body) => write('POST', `/loads/${load.id}/status`, body);
    const open = (to) => {
      const form = to === 'COVERED' ? coverForm(load, post, redraw, () => panel.replaceChildren())
        : to === 'DELIVERED' ? deliverForm(post, redraw, () => panel.replaceChildren())
          : lostForm(post, redraw, () => panel.replaceChildren());
      panel.replaceChildren(form);
      const first = form.querySelector('input, textarea, select');
      if (first) first.focus();
    };
    const bar = WH.actions(targets.map((to) => ({
      label: WH.titleCase(to),
      primary: USUAL[load.status] === to,
      run: async () => {
        if (to === 'COVERED' || to === 'DELIVERED' || to === 'LOST') { open(to); return null; }
        panel.replaceChildren();
        return post({ status: to });
      },
    })), (out) => { if (out) redraw(out, `Moved to ${WH.titleCase(out.status)}.`); });
    const group = bar.querySelector('.actions');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Move the load to');
    group.prepend(h('span.muted.small', { text: 'Move to:' }));
    card.append(bar, panel);
    return card;
  }

  function deliverForm(post, redraw, close) {
    return WH.form({
      title: 'Delivered',
      fields: [{ name: 'billing_date', label: 'Billing date', type: 'date', value: WH.today(), max: WH.today(),
        hint: 'The day the load is billed: today, or the day it was delivered. Not a future day.' }],
      submitLabel: 'Confirm delivery',
      submit: (body) => post({ status: 'DELIVERED', ...body }),
      onDone: (out) => redraw(out, 'Delivered. The load is final now.'),
      cancel: close,
    });
  }

  function lostForm(post, redraw, close) {
    return WH.form({
      title: 'Lost',
      fields: [
        { name: 'lost_reason_code', label: 'Lost because', type: 'select', required: true, options: LOST_CODES, value: 'OTHER',
          hint: 'The reason the lost-loads report groups by.' },
        { name: 'lost_reason', label: 'What happened?', type: 'textarea', maxlength: 1000, wide: true,
          hint: 'Optional details, for example the rate the shipper took elsewhere. Lost is final.' },
      ],
      submitLabel: 'Confirm',
      submit: (body) => post({ status: 'LOST', ...body }),
      onDone: (out) => redraw(out, 'Marked lost.'),
      cancel: close,
    });
  }

  function coverForm(load, post, redraw, close) {
    const picker = carrierPicker();
    const form = WH.form({
      title: 'Covered: choose the carrier',
      fields: [],
      submitLabel: 'Assign carrier',
      submit: async () => {
        const c = picker.value();
        if (!c) {
          throw new WH.ApiError(400, { detail: 'Choose the carrier that hauls this load.',
            errors: [{ field: 'carrier_id', message: 'choose a usable carrier from the list' }] });
        }
        const body = { status: 'COVERED', carrier_id: c.id };
        if (isPending(c)) body.pending_carrier_reason = picker.reason();
        try {
          return await post(body);
        } catch (err) {
          if (!(err.problem && err.problem.code === 'carrier_blocked')) throw err;
          // The directory changed since the list was drawn: say why, from the carrier as it is now.
          picker.search();
          cache.delete(`carrier:${c.id}`);
          const now = await carrierById(c.id);
          const why = (now && whyNot(now)) || 'FMCSA does not list it as active, or it is blocked.';
          throw new WH.ApiError(422, { detail: `${c.name} cannot haul this load: ${why} Choose another carrier.` },
            err.requestId);
        }
      },
      onDone: (out) => redraw(out, 'Covered. The carrier is assigned.'),
      cancel: close,
    });
    form.querySelector('.grid').replaceWith(picker.el);
    return form;
  }

  // Carrier search for a load: each carrier with its FMCSA status, and for one that may not be
  // assigned, why (it cannot be chosen).
  function carrierPicker() {
    const id = WH.nextId('picker');
    let chosen = null;
    const q = h('input', { id: `${id}-q`, type: 'search', placeholder: 'Name, MC or DOT number', autocomplete: 'off',
      'data-field': 'carrier_id', maxlength: 200 });
    const go = h('button.secondary', { type: 'button', text: 'Search' });
    const status = h('p.muted.list-status', { role: 'status', 'aria-live': 'polite' });
    const chosenLine = h('p.chosen', { 'aria-live': 'polite' });
    // Assigning a carrier FMCSA has not verified yet needs a reason (carriers.assign_pending).
    const reasonId = `${id}-reason`;
    const reasonInput = h('textarea', { id: reasonId, name: 'pending_carrier_reason', 'data-field': 'pending_carrier_reason',
      maxlength: 500, rows: 2 });
    const reasonBox = h('div.field.wide', { hidden: true },
      h('label', { for: reasonId, text: 'Why assign a carrier FMCSA has not verified yet?' }), reasonInput,
      h('small.muted', { text: '10 to 500 characters; recorded in the audit log with the assignment.' }));
    const errors = WH.errorBox();
    const tbody = h('tbody');
    const table = h('table.stack.dense.picker', {},
      h('caption.sr-only', { text: 'Carriers to choose from' }),
      h('thead', {}, h('tr', {}, ['Choose', 'Carrier', 'DOT', 'MC', 'FMCSA', 'Can it haul this load?']
        .map((t) => h('th', { scope: 'col', text: t })))),
      tbody);
    const wrap = h('div.table-wrap', { hidden: true }, table);
    let seq = 0;
    async function search() {
      const mine = ++seq;
      status.textContent = 'Searching…';
      WH.clearProblem(errors);
      try {
        const page = await WH.api('GET', `/carriers${WH.qs({ q: q.value.trim(), limit: 25 })}`);
        if (mine !== seq) return;
        tbody.replaceChildren(...page.items.map(row));
        wrap.hidden = !page.items.length;
        const canOnboard = WH.can('carriers.write');
        status.textContent = page.items.length
          ? `${page.items.length}${page.has_more ? '+' : ''} carrier${page.items.length === 1 ? '' : 's'}${page.has_more ? '; type more of the name or number to narrow it' : ''}.`
          : `No carrier in the directory matches.${canOnboard ? ' Onboard it under Carriers › New carrier.' : ' Ask the carrier team to onboard it.'}`;
      } catch (err) {
        status.textContent = '';
        WH.showProblem(errors, err);
      }
    }
    function row(c) {
      const why = whyNot(c);
      const rid = `${id}-${c.id}`;
      const radio = h('input', { type: 'radio', name: `${id}-carrier`, id: rid, value: String(c.id), disabled: !!why,
        'aria-describedby': `${rid}-why` });
      if (chosen && chosen.id === c.id) {
        if (why) { chosen = null; chosenLine.textContent = ''; } else radio.checked = true;
      }
      radio.addEventListener('change', () => {
        chosen = c;
        chosenLine.textContent = `Chosen: ${c.name} (DOT ${c.dot_number || '—'}).`;
        reasonBox.hidden = !isPending(c);
      });
      return h(`tr${why ? '.unusable' : ''}`, {},
        h('td', { 'data-label': 'Choose' }, radio),
        h('td', { 'data-label': 'Carrier' }, h('label', { for: rid, text: c.name })),
        h('td', { 'data-label': 'DOT', text: c.dot_number || '—' }),
        h('td', { 'data-label': 'MC', text: c.mc_number || '—' }),
        h('td', { 'data-label': 'FMCSA' }, fmcsaBadge(c), c.verification && c.verification !== 'VERIFIED' ? [' ', verificationBadge(c)] : null,
          c.blocked ? [' ', blockedBadge(c)] : null),
        h('td', { 'data-label': 'Can it haul?', id: `${rid}-why` },
          why ? h('span.why', { text: `No: ${why}` }) : isPending(c) ? h('span.status.warn', { text: 'With a reason' })
            : h('span.status.good', { text: 'Yes' })));
    }
    let timer = null;
    q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 300); });
    q.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); clearTimeout(timer); search(); } });
    go.addEventListener('click', search);
    const el = h('div.picker-box', {},
      h('div.field', {}, h('label', { for: q.id, text: 'Find a carrier' }),
        h('div.search-row', {}, q, go),
        h('small.muted', { text: WH.can('carriers.assign_pending')
          ? 'An FMCSA-verified active carrier that is not blocked can be assigned; one FMCSA has not verified yet, with a reason.'
          : 'Only an FMCSA-verified active carrier that is not blocked can be assigned.' })),
      errors, status, wrap, chosenLine, reasonBox);
    search();
    return { el, value: () => chosen, search, reason: () => reasonInput.value };
  }

  /* ------------------------------------------------------------------ loads: history and audit */

  // The load's own audit entries, newest first (GET /audit-log?entity=load&entity_id=).
  const loadAudit = (load) => WH.allItems('/audit-log', { entity: 'load', entity_id: load.id });
  // The statuses it entered, oldest first (GET /loads/{id}/history), for everyone who sees it.
  const loadHistory = (load) => WH.allItems(`/loads/${load.id}/history`);

  const show = (k, v) => {
    if (v === null || v === undefined || v === '') return '—';
    if (k.endsWith('_cents')) return WH.money(v);
    if (k.endsWith('_date')) return day(v);
    if (k === 'status') return WH.titleCase(v);
    return String(v);
  };
  const SKIP = ['updated_at', 'created_at', 'margin_cents', 'margin_bp', 'id', 'venture_id', 'created_by'];
  function diff(before, after) {
    const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
    const out = [];
    for (const k of keys) {
      if (SKIP.includes(k)) continue;
      const a = before ? before[k] : null;
      const b = after ? after[k] : null;
      if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) out.push([k, a, b]);
    }
    return out;
  }

  function historyCard(load, people) {
    const card = h('section.card', { 'aria-labelledby': 'load-history' }, h('h2', { id: 'load-history', text: 'Status history' }));
    const audit = h('section.card', { 'aria-labelledby': 'load-audit' }, h('h2', { id: 'load-audit', text: 'Audit entries' }));
    const wrapOut = h('div', {}, card);
    const status = h('p.muted', { role: 'status', text: 'Loading…' });
    const errors = WH.errorBox();
    card.append(errors, status);
    const mayAudit = WH.can('audit.read');
    if (mayAudit) wrapOut.append(audit);
    Promise.all([loadHistory(load), mayAudit ? loadAudit(load) : Promise.resolve([])]).then(async ([moves, entries]) => {
      status.remove();
      const carriers = new Map();
      for (const e of entries) {
        for (const cid of [e.before && e.before.carrier_id, e.after && e.after.carrier_id]) {
          if (cid && !carriers.has(cid)) carriers.set(cid, await carrierById(cid));
        }
      }
      const cname = (id) => { const c = carriers.get(id); return c ? c.name : `Carrier #${id}`; };
      // who made each move, where the audit log may be read: its status entries, oldest first
      const statusEntries = entries.filter((e) => e.action === 'load.create' || e.action === 'load.status').reverse();
      card.append(h('div.table-wrap', {}, h('table.stack.dense', {},
        h('caption.sr-only', { text: 'Status changes, oldest first' }),
        h('thead', {}, h('tr', {}, ['When', 'From', 'To', ...(mayAudit ? ['By', 'Details'] : [])].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, moves.map((m, i) => {
          const e = statusEntries[i];
          const to = m.to_status;
          const details = [];
          if (e && e.after) {
            if (!m.from_status) details.push('Entered');
            if (to === 'COVERED' && e.after.carrier_id) details.push(`Carrier: ${cname(e.after.carrier_id)}`);
            if (to === 'DELIVERED' && e.after.billing_date) details.push(`Billing date ${day(e.after.billing_date)}`);
            if (to === 'LOST' && e.after.lost_reason) details.push(`Reason: ${e.after.lost_reason}`);
            if (to === 'FELL_OFF' && e.before && e.before.carrier_id) details.push(`${cname(e.before.carrier_id)} fell off`);
          }
          return h('tr', {},
            h('td', { 'data-label': 'When', text: WH.dateTime(m.at) }),
            h('td', { 'data-label': 'From' }, m.from_status ? statusBadge(m.from_status) : '—'),
            h('td', { 'data-label': 'To' }, statusBadge(to)),
            mayAudit ? h('td', { 'data-label': 'By', text: e ? personName(people, e.actor_id) : '—' }) : null,
            mayAudit ? h('td', { 'data-label': 'Details', text: details.join(' · ') || '—' }) : null);
        })))));
      if (!mayAudit) return;
      if (!entries.length) audit.append(h('p.muted', { text: 'No audit entries for this load.' }));
      else {
        const NAMES = { 'load.create': 'Created', 'load.update': 'Edited', 'load.status': 'Status changed' };
        audit.append(h('div.table-wrap', {}, h('table.stack.dense', {},
          h('caption.sr-only', { text: 'Audit entries, newest first' }),
          h('thead', {}, h('tr', {}, ['When', 'Action', 'By', 'Changes'].map((t) => h('th', { scope: 'col', text: t })))),
          h('tbody', {}, entries.map((e) => {
            const changes = e.action === 'load.create' ? [] : diff(e.before, e.after);
            return h('tr', {},
              h('td', { 'data-label': 'When', text: WH.dateTime(e.created_at) }),
              h('td', { 'data-label': 'Action', text: NAMES[e.action] || e.action }),
              h('td', { 'data-label': 'By', text: personName(people, e.actor_id) }),
              h('td', { 'data-label': 'Changes' }, e.action === 'load.create' ? 'Load entered (Open)'
                : changes.length ? h('ul.changes', {}, changes.map(([k, a, b]) => h('li', {},
                  h('strong', { text: FIELD[k] || k }), `: ${k === 'carrier_id' && a ? cname(a) : show(k, a)} → ${k === 'carrier_id' && b ? cname(b) : show(k, b)}`)))
                  : 'No visible change'));
          })))));
      }
    }).catch((err) => {
      status.remove();
      WH.showProblem(errors, err);
    });
    return wrapOut;
  }

  /* ------------------------------------------------------------------ carriers */

  const FMCSA_OPTIONS = [['', 'Any FMCSA status'], ...Object.entries(FMCSA).map(([k, [t]]) => [k, t])];
  const VERIFICATION_OPTIONS = [['', 'Any'], ...Object.entries(VERIFICATION).map(([k, [t]]) => [k, t])];

  WH.screen('/freight/carriers', (content, ctx) => {
    fresh();
    const canWrite = WH.can('carriers.write');
    WH.title(content, ctx.label, canWrite ? button('#/freight/carriers/manual', 'Add manually') : null,
      canWrite ? button('#/freight/carriers/new', 'New carrier', true) : null);
    const p = ctx.params;
    content.append(WH.filters([
      { name: 'q', label: 'Name, MC or DOT', type: 'search', maxlength: 200 },
      { name: 'status', label: 'FMCSA status', type: 'select', options: FMCSA_OPTIONS },
      { name: 'verification', label: 'Verification', type: 'select', options: VERIFICATION_OPTIONS },
    ], p));
    const list = WH.list({
      path: '/carriers',
      query: { q: p.q, status: p.status, verification: p.verification },
      caption: 'Carrier directory, by name',
      rowLink: (c) => `#/freight/carriers/${c.id}`,
      columns: [
        { label: 'Carrier', render: (c) => c.name },
        { label: 'Can haul', render: usableBadge },
        { label: 'FMCSA', render: fmcsaBadge },
        { label: 'Verification', render: verificationBadge },
        { label: 'DOT', key: 'dot_number', className: 'nowrap' },
        { label: 'MC', render: (c) => c.mc_number || '—', className: 'nowrap' },
        { label: 'Location', render: (c) => place(c.city, c.state) },
        { label: 'Phone', render: (c) => c.phone || '—', className: 'nowrap wide-only' },
        { label: 'Checked', render: (c) => (c.fmcsa_checked_at ? shortDay(c.fmcsa_checked_at) : 'Never'), className: 'nowrap wide-only' },
      ],
      empty: p.q || p.status || p.verification
        ? `No carrier matches.${canWrite ? ' Check the spelling or number, or onboard it from FMCSA with "New carrier".' : ' Check the spelling or number.'}`
        : (canWrite ? 'The directory is empty. Onboard a carrier from FMCSA with "New carrier".' : 'The directory is empty.'),
    });
    list.el.classList.add('dense');
    content.append(list.el);
  });

  // Onboarding answers in words a dispatcher can act on.
  function onboardingProblem(err, body) {
    const which = body.dot_number ? `DOT number ${body.dot_number}` : `MC number ${body.mc_number}`;
    const p = { ...(err.problem || {}), code: null };
    if (err.status === 404) p.detail = `FMCSA has no carrier with ${which}. Check the number.`;
    else if (err.status === 422 && err.problem && err.problem.code === 'carrier_blocked') {
      const d = (err.problem.detail || '');
      const as = /OUT_OF_SERVICE/.test(d) ? 'out of service' : /NOT_AUTHORIZED/.test(d) ? 'not authorised to operate' : 'not allowed to operate';
      p.detail = `Not added: FMCSA lists this carrier as ${as}. A carrier that is out of service or not authorised cannot be onboarded or haul loads.`;
    } else if (err.status === 409) p.detail = `A carrier with ${which} is already in the directory.`;
    else if (err.status === 503 || err.status === 502 || err.status === 504) {
      p.detail = 'FMCSA is unavailable; try again later, or add the carrier manually (it stays pending until FMCSA verifies it).';
    }
    else return err;
    return new WH.ApiError(err.status, p, err.requestId, err.retryAfter);
  }

  const digits = (v) => String(v || '').replace(/^\s*(mc|dot|usdot)[\s#:-]*/i, '').replace(/[\s-]/g, '');

  WH.screen('/freight/carriers/new', (content) => {
    fresh();
    content.append(crumb('#/freight/carriers', 'Carriers'));
    WH.title(content, 'New carrier');
    if (!WH.can('carriers.write')) { notAllowed(content, 'Your role may search the carrier directory but not onboard carriers.'); return; }
    const known = h('div.known', { 'aria-live': 'polite' });
    const form = WH.form({
      title: 'Look the carrier up at FMCSA',
      fields: [
        { name: 'dot_number', label: 'DOT number', maxlength: 16, placeholder: '1234567',
          hint: 'Give the DOT number or the MC number, not both.' },
        { name: 'mc_number', label: 'MC number', maxlength: 16, placeholder: '123456', hint: 'Digits only; "MC-" is removed.' },
      ],
      submitLabel: 'Look up and onboard',
      toBody: (b) => {
        const out = {};
        if (b.dot_number) out.dot_number = digits(b.dot_number);
        if (b.mc_number) out.mc_number = digits(b.mc_number);
        return out;
      },
      submit: async (body, write) => {
        known.replaceChildren();
        if (!body.dot_number && !body.mc_number) {
          throw new WH.ApiError(400, { detail: 'Give the carrier\'s DOT number or its MC number.',
            errors: [{ field: 'dot_number', message: 'give a DOT number, or an MC number below' }] });
        }
        try {
          return await write('POST', '/carriers', body);
        } catch (err) {
          if (err.status === 409) {
            const number = body.dot_number || body.mc_number;
            WH.api('GET', `/carriers${WH.qs({ q: number, limit: 5 })}`).then((page) => {
              const match = (page.items || []).find((c) => c.dot_number === number || c.mc_number === number);
              if (match) known.replaceChildren(h('p', {}, 'Open it: ', h('a', { href: `#/freight/carriers/${match.id}`, text: match.name }), ' ', fmcsaBadge(match)));
            }).catch(() => {});
          }
          throw onboardingProblem(err, body);
        }
      },
      onDone: (out) => {
        flash = `${out.name} is onboarded with what FMCSA says about it.`;
        location.hash = `#/freight/carriers/${out.id}`;
      },
      cancel: () => { location.hash = '#/freight/carriers'; },
    });
    form.querySelector('h2').after(h('p.muted', { text: 'Wheelhouse asks FMCSA about the carrier and adds it with the name, address, authority and safety data FMCSA has. Carriers that FMCSA lists as out of service or not authorised are refused.' }));
    content.append(form, known, h('p.muted', {}, 'FMCSA down, or the carrier not found? ',
      h('a', { href: '#/freight/carriers/manual', text: 'Add it manually' }),
      ': it stays pending until FMCSA verifies it.'));
  });

  // Manual entry (POST /carriers/manual): what the carrier told us, kept PENDING until FMCSA
  // answers for its DOT number (a refresh, or the fmcsa_sync job every four hours).
  WH.screen('/freight/carriers/manual', (content) => {
    fresh();
    content.append(crumb('#/freight/carriers', 'Carriers'));
    WH.title(content, 'Add a carrier manually');
    if (!WH.can('carriers.write')) { notAllowed(content, 'Your role may search the carrier directory but not add carriers.'); return; }
    const known = h('div.known', { 'aria-live': 'polite' });
    const form = WH.form({
      title: 'Carrier details',
      fields: [
        { name: 'dot_number', label: 'DOT number', required: true, maxlength: 12, placeholder: '1234567', hint: '1 to 8 digits.' },
        { name: 'mc_number', label: 'MC number', maxlength: 12, placeholder: '123456', hint: 'Optional; "MC-" is removed.' },
        { name: 'legal_name', label: 'Legal name', required: true, maxlength: 200 },
        { name: 'dba_name', label: 'DBA name', maxlength: 200, hint: 'The name it trades under, if different.' },
        { name: 'phone', label: 'Phone', type: 'tel', maxlength: 50 },
        { name: 'email', label: 'E-mail', type: 'email', maxlength: 254 },
        { name: 'city', label: 'City', maxlength: 100 },
        { name: 'state', label: 'State', maxlength: 100, placeholder: 'NV' },
      ],
      submitLabel: 'Add carrier',
      toBody: (b) => {
        const out = {};
        for (const [k, v] of Object.entries(b)) if (v !== '' && v !== null && v !== undefined) out[k] = v;
        if (out.dot_number) out.dot_number = digits(out.dot_number);
        if (out.mc_number) out.mc_number = digits(out.mc_number);
        return out;
      },
      submit: async (body, write) => {
        known.replaceChildren();
        try {
          return await write('POST', '/carriers/manual', body);
        } catch (err) {
          if (err.status !== 409) throw err;
          WH.api('GET', `/carriers${WH.qs({ q: body.mc_number || body.dot_number, limit: 5 })}`).then((page) => {
            const match = (page.items || []).find((c) => c.dot_number === body.dot_number || (body.mc_number && c.mc_number === body.mc_number));
            if (match) known.replaceChildren(h('p', {}, 'Open it: ', h('a', { href: `#/freight/carriers/${match.id}`, text: match.name }), ' ', verificationBadge(match)));
          }).catch(() => {});
          throw new WH.ApiError(409, { ...(err.problem || {}), code: null,
            detail: 'A carrier with this DOT or MC number is already in the directory.' }, err.requestId);
        }
      },
      onDone: (out) => {
        flash = `${out.name} is added. It stays pending until FMCSA verifies its DOT number; until then only a manager can assign it, with a reason.`;
        location.hash = `#/freight/carriers/${out.id}`;
      },
      cancel: () => { location.hash = '#/freight/carriers'; },
    });
    form.classList.add('three');
    form.querySelector('h2').after(h('p.muted', { text: 'Use this when FMCSA is down or does not answer. Wheelhouse stores the carrier as you type it, marked "Pending FMCSA", and looks its DOT number up at FMCSA later; when FMCSA confirms it, FMCSA\'s data replaces what was typed (your phone and e-mail are kept).' }));
    content.append(form, known);
  });

  WH.screen('/freight/carriers/:id', async (content, ctx) => {
    fresh();
    content.append(crumb('#/freight/carriers', 'Carriers'));
    const c = await WH.api('GET', `/carriers/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    drawCarrier(content, ctx, c, '');
  });

  function drawCarrier(content, ctx, c, notice) {
    const canWrite = WH.can('carriers.write');
    const redraw = (next, text) => {
      content.replaceChildren();
      drawCarrier(content, ctx, next, text);
      const h1 = content.querySelector('h1');
      if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
    };
    if (!content.querySelector('.crumb')) content.append(crumb('#/freight/carriers', 'Carriers'));
    const edit = canWrite ? toggler('Edit', (close) => WH.form({
      title: 'Edit carrier',
      fields: [
        { name: 'phone', label: 'Phone', maxlength: 40, value: c.phone, type: 'tel' },
        { name: 'email', label: 'E-mail', type: 'email', maxlength: 254, value: c.email },
        { name: 'blocked', label: 'Blocked: may not be assigned to loads', type: 'checkbox', value: c.blocked },
      ],
      nullEmpty: true,
      submitLabel: 'Save changes',
      submit: async (body, write) => {
        const d = changed(body, c);
        if (!Object.keys(d).length) return null;
        return write('PATCH', `/carriers/${c.id}`, d);
      },
      onDone: (out, n) => {
        if (!out) { n.textContent = 'Nothing changed.'; return; }
        redraw(out, 'Carrier saved.');
      },
      cancel: close,
    })) : null;
    const refresh = canWrite ? WH.actions([{
      label: 'Refresh from FMCSA',
      run: () => WH.writer()('POST', `/carriers/${c.id}/fmcsa-refresh`, undefined),
    }], (out) => redraw(out, out.fmcsa_error ? '' : 'Refreshed from FMCSA.')) : null;
    recordTitle(content, c.name, fmcsaBadge(c), c.verification !== 'VERIFIED' ? verificationBadge(c) : null,
      blockedBadge(c), edit ? edit.button : null);
    takeFlash(content);
    if (notice) content.append(h('p.notice.flash', { role: 'status', text: notice }));
    if (edit) content.append(edit.slot);
    const why = whyNot(c);
    content.append(why
      ? h('div.warning', { role: 'note' }, h('strong', { text: 'Cannot be assigned to loads. ' }), why)
      : isPending(c) ? h('div.warning', { role: 'note' }, h('strong', { text: 'Pending FMCSA. ' }),
        'FMCSA has not verified this carrier yet; you may assign it to a load with a reason.')
        : h('p.ok-line', {}, h('span.status.good', { text: 'Usable' }), ' This carrier may be assigned to loads.'));
    if (c.fmcsa_error) {
      content.append(h('div.warning', { role: 'note' }, h('strong', { text: 'The last FMCSA check failed: ' }), c.fmcsa_error,
        ` The status shown is the last known one${c.fmcsa_checked_at ? `, from ${WH.dateTime(c.fmcsa_checked_at)}` : ''}.`));
    }
    if (refresh) content.append(refresh);
    content.append(h('div.cols', {},
      h('section.card', { 'aria-labelledby': 'carrier-id' }, h('h2', { id: 'carrier-id', text: 'Carrier' }), WH.facts([
        ['Legal name', c.legal_name || '—'],
        ['DBA name', c.dba_name || '—'],
        ['DOT number', c.dot_number || '—'],
        ['MC number', c.mc_number || '—'],
        ['Location', place(c.city, c.state)],
        ['Phone', c.phone ? h('a', { href: `tel:${c.phone.replace(/[^\d+]/g, '')}`, text: c.phone }) : '—'],
        ['E-mail', c.email ? h('a', { href: `mailto:${c.email}`, text: c.email }) : '—'],
      ])),
      h('section.card', { 'aria-labelledby': 'carrier-fmcsa' }, h('h2', { id: 'carrier-fmcsa', text: 'FMCSA' }), WH.facts([
        ['Verification', verificationBadge(c)],
        ['Source', c.source === 'MANUAL' ? 'Entered by hand' : 'FMCSA lookup'],
        ['Status', fmcsaBadge(c)],
        ['Authorised', c.fmcsa_authorized === null || c.fmcsa_authorized === undefined ? '—' : WH.yesNo(c.fmcsa_authorized)],
        ['Last checked', c.fmcsa_checked_at ? WH.dateTime(c.fmcsa_checked_at) : 'Never'],
        ['Safety rating', c.safety_rating || '—'],
        ['Power units', count(c.power_units)],
        ['Drivers', count(c.drivers)],
        ['Blocked', c.blocked ? blockedBadge(c) : 'No'],
      ])),
    ));
    if (WH.can('freight.read')) {
      content.append(h('section.card', { 'aria-labelledby': 'carrier-loads' },
        h('div.card-head', {}, h('h2', { id: 'carrier-loads', text: 'Loads with this carrier' }),
          h('a', { href: `#/freight/loads?carrier_id=${c.id}`, text: 'All with filters' })),
        smallLoadList({ carrier_id: c.id }, 'No load has this carrier.')));
    }
  }

  // The newest loads of a shipper or carrier (a compact list on their pages).
  function smallLoadList(query, empty) {
    const list = WH.list({
      path: '/loads',
      query: { venture_id: WH.ventureId(), ...query },
      limit: 10,
      caption: 'Newest loads',
      rowLink: (l) => `#/freight/loads/${l.id}`,
      columns: [
        { label: 'Load', render: (l) => l.reference || `#${l.id}`, className: 'nowrap' },
        { label: 'Status', render: (l) => statusBadge(l.status) },
        { label: 'Lane', render: lane },
        { label: 'Bill', render: (l) => WH.money(l.bill_cents), className: 'num' },
        { label: 'Created', render: (l) => shortDay(l.created_at), className: 'nowrap' },
      ],
      empty,
    });
    list.el.classList.add('dense');
    return list.el;
  }

  /* ------------------------------------------------------------------ shippers */

  WH.screen('/freight/shippers', (content, ctx) => {
    fresh();
    const canWrite = WH.can('freight.write');
    WH.title(content, ctx.label, canWrite ? button('#/freight/shippers/new', 'New shipper', true) : null);
    const vs = ventureInView();
    if (!vs.length) { noFreight(content); return; }
    const many = manyVentures();
    const list = WH.list({
      path: '/shippers',
      query: { venture_id: WH.ventureId() },
      caption: 'Shippers, newest first',
      rowLink: (s) => `#/freight/shippers/${s.id}`,
      columns: [
        { label: 'Shipper', render: (s) => s.name },
        { label: 'Code', key: 'code', className: 'nowrap' },
        { label: 'Contact', render: (s) => s.contact_name || '—' },
        { label: 'E-mail', render: (s) => s.email || '—' },
        { label: 'Phone', render: (s) => s.phone || '—', className: 'nowrap' },
        { label: 'Active', render: (s) => (s.active === false ? h('span.status', { text: 'Inactive' }) : h('span.status.good', { text: 'Active' })) },
        many ? { label: 'Venture', render: (s) => ventureCode(s.venture_id) } : null,
      ].filter(Boolean),
      empty: canWrite ? 'No shippers yet. Add the first with "New shipper".' : 'No shippers yet.',
    });
    list.el.classList.add('dense');
    content.append(list.el);
  });

  const shipperFields = (s) => [
    { name: 'name', label: 'Name', required: true, maxlength: 200, value: s && s.name },
    { name: 'code', label: 'Code', required: true, maxlength: 32, value: s && s.code,
      hint: 'A short tag, unique in the venture: letters, digits, - and _.' },
    { name: 'contact_name', label: 'Contact name', maxlength: 200, value: s && s.contact_name },
    { name: 'email', label: 'E-mail', type: 'email', maxlength: 254, value: s && s.email },
    { name: 'phone', label: 'Phone', type: 'tel', maxlength: 50, value: s && s.phone },
  ];

  WH.screen('/freight/shippers/new', (content) => {
    fresh();
    content.append(crumb('#/freight/shippers', 'Shippers'));
    WH.title(content, 'New shipper');
    if (!WH.can('freight.write')) { notAllowed(content, 'Your role may look at shippers but not add them.'); return; }
    if (!freightVentures().length) { noFreight(content); return; }
    content.append(WH.form({
      title: 'Shipper details',
      fields: [WH.ventureField(TYPES), ...shipperFields(null)],
      submitLabel: 'Create shipper',
      method: 'POST',
      path: '/shippers',
      toBody: (b) => ({ ...b, code: b.code.toUpperCase() }),
      onDone: (out) => {
        flash = `Shipper ${out.name} created. It can be chosen on new loads now.`;
        location.hash = `#/freight/shippers/${out.id}`;
      },
      cancel: () => { location.hash = '#/freight/shippers'; },
    }));
  });

  WH.screen('/freight/shippers/:id', async (content, ctx) => {
    fresh();
    content.append(crumb('#/freight/shippers', 'Shippers'));
    const s = await WH.api('GET', `/shippers/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    drawShipper(content, ctx, s, '');
  });

  function drawShipper(content, ctx, s, notice) {
    const canWrite = WH.can('freight.write');
    const redraw = (next, text) => {
      content.replaceChildren();
      drawShipper(content, ctx, next, text);
      const h1 = content.querySelector('h1');
      if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
    };
    if (!content.querySelector('.crumb')) content.append(crumb('#/freight/shippers', 'Shippers'));
    const edit = canWrite ? toggler('Edit', (close) => WH.form({
      title: 'Edit shipper',
      fields: [...shipperFields(s), { name: 'active', label: 'Active: offered when entering loads', type: 'checkbox', value: s.active !== false }],
      nullEmpty: true,
      submitLabel: 'Save changes',
      submit: async (body, write) => {
        if (body.code) body.code = body.code.toUpperCase();
        const d = changed(body, s);
        if (!Object.keys(d).length) return null;
        return write('PATCH', `/shippers/${s.id}`, d);
      },
      onDone: (out, n) => {
        if (!out) { n.textContent = 'Nothing changed.'; return; }
        redraw(out, 'Shipper saved.');
      },
      cancel: close,
    })) : null;
    recordTitle(content, s.name, s.active === false ? h('span.status', { text: 'Inactive' }) : null, edit ? edit.button : null);
    takeFlash(content);
    if (notice) content.append(h('p.notice.flash', { role: 'status', text: notice }));
    if (edit) content.append(edit.slot);
    content.append(h('section.card', { 'aria-labelledby': 'shipper-facts' }, h('h2', { id: 'shipper-facts', text: 'Shipper' }), WH.facts([
      ['Code', s.code],
      ['Venture', ventureName(s.venture_id)],
      ['Contact', s.contact_name || '—'],
      ['E-mail', s.email ? h('a', { href: `mailto:${s.email}`, text: s.email }) : '—'],
      ['Phone', s.phone ? h('a', { href: `tel:${s.phone.replace(/[^\d+]/g, '')}`, text: s.phone }) : '—'],
      ['Active', s.active === false ? 'No: not offered on new loads' : 'Yes'],
    ])));
    content.append(h('section.card', { 'aria-labelledby': 'shipper-loads' },
      h('div.card-head', {}, h('h2', { id: 'shipper-loads', text: 'Loads of this shipper' }),
        h('a', { href: `#/freight/loads?shipper_id=${s.id}`, text: 'All with filters' })),
      smallLoadList({ shipper_id: s.id }, WH.can('freight.write') ? 'No loads for this shipper yet. Choose it on "New load".' : 'No loads for this shipper yet.')));
  }
})();
