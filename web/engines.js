/* Wheelhouse web UI: the engines and the operators' screens. Admin › Incentive plans (plans,
 * the rules editor for every calc type, Preview and Commit of a day), Payouts (generate,
 * Approve, Mark paid), Gamification (configuration, manual awards, the event list), Jobs (the
 * schedule, Run now, the run log and a run's page), Integrations (breakers, the outbox) and the
 * Audit log (filters in the URL, each entry's before/after as a readable difference).
 * DOMAIN.md §1 (who may do what), §6, §7, §9, §10; docs/incentives.md, gamification.md, jobs.md. */
'use strict';

(function () {
  const { h, api } = WH;

  /* ------------------------------------------------------------------ shared helpers */

  const cache = new Map();
  const once = (key, fn) => {
    if (!cache.has(key)) cache.set(key, fn().catch((e) => { cache.delete(key); throw e; }));
    return cache.get(key);
  };
  // Forget cached people and plans when the screen is drawn anew (a reload shows changes).
  const fresh = () => cache.clear();

  const myVentures = () => WH.ventures();
  const ventureName = (id) => {
    const v = myVentures().find((x) => x.id === Number(id));
    return v ? v.name : (id ? `Venture #${id}` : '—');
  };
  const ventureOptions = (any) => [...(any ? [['', any]] : []), ...myVentures().map((v) => [String(v.id), `${v.name} (${v.code})`])];
  // The venture a screen works on: the URL's, else the top bar's, else (when one is needed) the first.
  const chosenVenture = (params, needOne) => {
    const fromUrl = Number(params.venture_id);
    if (fromUrl) return fromUrl;
    if (WH.ventureId()) return WH.ventureId();
    return needOne && myVentures()[0] ? myVentures()[0].id : null;
  };

  const peopleOf = (vid) => once(`people:${vid}`, () => WH.allItems(`/ventures/${vid}/people`));
  // Every person of the caller's ventures, by id (names for lists that span ventures).
  async function peopleMap(vids) {
    const lists = await Promise.all((vids || myVentures().map((v) => v.id)).map((id) => peopleOf(id).catch(() => [])));
    const map = new Map();
    for (const l of lists) for (const p of l) map.set(p.id, p);
    const me = WH.state.me && WH.state.me.user;
    if (me && !map.has(me.id)) map.set(me.id, { id: me.id, full_name: me.full_name, role: me.role });
    return map;
  }
  const personName = (map, id) => {
    if (id === null || id === undefined || id === 0) return 'System';
    const p = map && map.get(id);
    return p ? p.full_name : `User #${id}`;
  };

  const day = WH.day.date;
  const period = (a, b) => `${day(a)} – ${day(b)}`;
  const firstOfMonth = () => `${WH.today().slice(0, 8)}01`;
  const lastOfMonth = () => {
    const d = new Date();
    const end = new Date(d.getFullYear(), d.getMonth() + 1, 0);
    return `${end.getFullYear()}-${String(end.getMonth() + 1).padStart(2, '0')}-${String(end.getDate()).padStart(2, '0')}`;
  };

  // Filters folded away on a phone unless some are on (the list is what one comes for).
  function fold(params, names, filters) {
    const on = names.filter((k) => params[k]).length;
    const phone = window.matchMedia('(max-width: 48rem)').matches;
    return h('details.filter-fold', { open: on || !phone },
      h('summary', { text: on ? `Filters (${on} on)` : 'Filters' }), filters);
  }

  const badge = (text, kind) => h(`span.status${kind ? `.${kind}` : ''}`, { text });
  const cardSection = (id, heading, ...children) =>
    h('section.card', { 'aria-labelledby': id }, h('h2', { id, text: heading }), ...children);
  const crumb = (href, text) => h('p.crumb', {}, h('a', { href, text }));

  // A failure with the rule that refused it said in words (the server's own detail after it).
  function explained(err, text) {
    if (!(err instanceof WH.ApiError)) return err;
    const p = err.problem || {};
    const detail = p.detail && p.detail !== text ? `${text} The server said: ${p.detail}` : text;
    return new WH.ApiError(err.status, { ...p, code: 'explained', detail }, err.requestId, err.retryAfter);
  }

  // A number of seconds/milliseconds as "1.2 s", "3 min 4 s".
  function duration(startIso, endIso) {
    if (!startIso || !endIso) return '—';
    const ms = new Date(endIso) - new Date(startIso);
    if (!(ms >= 0)) return '—';
    if (ms < 1000) return `${ms} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  // A venture select that applies at once (a choice for the whole screen, kept in the URL).
  function ventureChooser(params, vid, label, any) {
    const id = WH.nextId('vc');
    const select = h('select', { id, name: 'venture_id' }, ventureOptions(any).map(([v, t]) => h('option', { value: v, text: t })));
    select.value = vid ? String(vid) : '';
    select.addEventListener('change', () => WH.setParams({ ...params, venture_id: select.value }));
    return h('div.field.venture-chooser', {}, h('label', { for: id, text: label || 'Venture' }), select);
  }

  /* ------------------------------------------------------------------ incentives: rules */

  const METRICS = {
    loads_completed: ['Loads delivered', 'load', false],
    loads_revenue_cents: ['Load revenue', 'dollar', true],
    loads_margin_cents: ['Load margin', 'dollar', true],
    loads_miles: ['Load miles', 'mile', false],
    bpo_dials: ['BPO dials', 'dial', false],
    bpo_connects: ['BPO connects', 'connect', false],
    bpo_deals: ['BPO deals won', 'deal', false],
    bpo_talk_seconds: ['BPO talk seconds', 'second', false],
    hotel_reviews_responded: ['Hotel reviews responded', 'review', false],
  };
  const CALCS = {
    PERCENT_OF_METRIC: 'Percent of the metric',
    FLAT_PER_UNIT: 'Flat amount per unit',
    CURRENCY_PER_UNIT: 'Currency amount per unit',
    BONUS_ON_TARGET: 'Bonus on reaching a target',
    TIERED_SLAB: 'Tiered slab (marginal rates)',
  };
  const NEEDS = {
    PERCENT_OF_METRIC: ['rate_pct'],
    FLAT_PER_UNIT: ['rate_cents'],
    CURRENCY_PER_UNIT: ['rate_cents'],
    BONUS_ON_TARGET: ['threshold', 'bonus_cents'],
    TIERED_SLAB: ['tiers'],
  };
  const metricName = (m) => (METRICS[m] ? METRICS[m][0] : m);
  const isMoney = (m) => !!(METRICS[m] && METRICS[m][2]);
  // A metric quantity in its own words: money metrics are stored in cents.
  const qty = (m, n) => (isMoney(m) ? WH.money(n) : `${Number(n).toLocaleString('en-US')} ${METRICS[m] ? METRICS[m][1] : 'unit'}${Number(n) === 1 ? '' : 's'}`);
  // Money metrics count cents, so a per-unit rate on one pays per cent (a share is "Percent of the metric").
  const unit = (m) => (METRICS[m] ? (isMoney(m) ? `cent of ${METRICS[m][0].toLowerCase()}` : METRICS[m][1]) : 'unit');
  const cents = (c) => (c === null || c === undefined ? '' : (c / 100).toFixed(2));
  const pct = (bp) => `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

  function ruleText(r) {
    const m = metricName(r.metric).toLowerCase();
    switch (r.calc_type) {
      case 'PERCENT_OF_METRIC': return `${pct(r.rate_bp)} of ${m}`;
      case 'FLAT_PER_UNIT':
      case 'CURRENCY_PER_UNIT': return `${WH.money(r.rate_cents)} per ${unit(r.metric)}`;
      case 'BONUS_ON_TARGET': return `${WH.money(r.bonus_cents)} bonus at ${qty(r.metric, r.threshold)} or more`;
      case 'TIERED_SLAB': return `Tiers: ${(r.tiers || []).map((t) => `from ${qty(r.metric, t.from)}, ${WH.money(t.rate_cents)} per ${isMoney(r.metric) ? 'cent' : (METRICS[r.metric] || ['', 'unit'])[1]}`).join('; ')}`;
      default: return r.calc_type;
    }
  }
  const rolePays = (r) => (r.role ? WH.roleLabel(r.role) : 'Every member');

  // "2.5" (percent) to basis points, or NaN.
  const pctToBp = (text) => {
    const t = String(text).trim().replace(/%$/, '');
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
    const [w, f = ''] = t.split('.');
    return Number(w) * 100 + Number(f.padEnd(2, '0'));
  };
  // A target in the metric's unit: dollars for money metrics (sent as cents), else whole units.
  const readQty = (metric, text) => {
    const t = String(text).trim();
    if (isMoney(metric)) { const c = WH.toCents(t); return c === null ? NaN : c; }
    return /^\d+$/.test(t.replace(/,/g, '')) ? Number(t.replace(/,/g, '')) : NaN;
  };
  const qtyInput = (metric, n) => (n === null || n === undefined ? '' : isMoney(metric) ? (n / 100).toFixed(2) : String(n));

  // The rules editor: one form for a new rule or an existing one (PATCH). Fields of the chosen
  // calc type only are shown and sent (the server refuses a field the type does not use).
  function ruleForm(plan, rule, onDone, onCancel) {
    const r = rule || { metric: 'loads_completed', calc_type: 'FLAT_PER_UNIT', enabled: true, role: null };
    const fields = [
      { name: 'role', label: 'Pays', type: 'select', plain: true,
        options: [['', 'Every member'], ...WH.ROLES.map((x) => [x, WH.roleLabel(x)])], value: r.role || '',
        hint: 'The role this rule pays; only members of the venture are paid.' },
      { name: 'metric', label: 'Metric', type: 'select', required: true,
        options: Object.entries(METRICS).map(([k, v]) => [k, v[0]]), value: r.metric },
      { name: 'calc_type', label: 'Calculation', type: 'select', required: true,
        options: Object.entries(CALCS), value: r.calc_type },
      { name: 'rate_pct', label: 'Rate (%)', plain: true, placeholder: 'e.g. 2.5', field: 'rate_bp',
        value: r.rate_bp !== null && r.rate_bp !== undefined ? String(r.rate_bp / 100) : '',
        hint: 'Percent of the metric, up to two decimals (2.5 = 250 basis points).' },
      { name: 'rate_cents', label: 'Amount per unit ($)', plain: true, value: cents(r.rate_cents), inputmode: 'decimal' },
      { name: 'threshold', label: 'Target', plain: true, value: qtyInput(r.metric, r.threshold) },
      { name: 'bonus_cents', label: 'Bonus ($)', plain: true, value: cents(r.bonus_cents) },
      { name: 'enabled', label: 'Enabled', type: 'checkbox', value: r.enabled !== false },
    ];
    // the calc type's own fields are read by toBody (below), which knows which ones it uses
    const readOnlyNames = ['rate_pct', 'rate_cents', 'threshold', 'bonus_cents'];
    const spec = fields;
    let tiersBox;
    const el = WH.form({
      title: rule ? `Edit rule #${rule.id}` : 'New rule',
      fields: spec,
      submitLabel: rule ? 'Save rule' : 'Add rule',
      cancel: onCancel,
      toBody: (b, form) => {
        const type = b.calc_type;
        const out = { role: b.role || null, metric: b.metric, calc_type: type, enabled: b.enabled };
        const errors = [];
        const val = (n) => String(form.elements.namedItem(n).value).trim();
        const need = NEEDS[type] || [];
        if (need.includes('rate_pct')) {
          const bpv = pctToBp(val('rate_pct'));
          if (val('rate_pct') === '') errors.push({ field: 'rate_bp', message: 'is required for a percent' });
          else if (Number.isNaN(bpv)) errors.push({ field: 'rate_bp', message: 'must be a percent like 2.5' });
          else out.rate_bp = bpv;
        }
        if (need.includes('rate_cents')) {
          const c = WH.toCents(val('rate_cents'));
          if (c === null) errors.push({ field: 'rate_cents', message: 'is required for a per-unit amount' });
          else if (Number.isNaN(c) || c < 0) errors.push({ field: 'rate_cents', message: 'must be an amount like 5.00' });
          else out.rate_cents = c;
        }
        if (need.includes('threshold')) {
          const q = readQty(b.metric, val('threshold'));
          if (val('threshold') === '') errors.push({ field: 'threshold', message: 'is required for a bonus on target' });
          else if (Number.isNaN(q)) errors.push({ field: 'threshold', message: isMoney(b.metric) ? 'must be an amount like 10000.00' : 'must be a whole number' });
          else out.threshold = q;
          const c = WH.toCents(val('bonus_cents'));
          if (c === null) errors.push({ field: 'bonus_cents', message: 'is required for a bonus on target' });
          else if (Number.isNaN(c) || c < 0) errors.push({ field: 'bonus_cents', message: 'must be an amount like 100.00' });
          else out.bonus_cents = c;
        }
        if (need.includes('tiers')) {
          const tiers = [];
          const rows = tiersBox.querySelectorAll('.tier-row');
          rows.forEach((row, i) => {
            const f = row.querySelector('input[data-tier=from]').value.trim();
            const c = row.querySelector('input[data-tier=rate]').value.trim();
            if (f === '' && c === '') return;
            const from = readQty(b.metric, f);
            const rate = WH.toCents(c);
            if (f === '' || Number.isNaN(from)) errors.push({ field: 'tiers', message: `tier ${i + 1}: "From" ${isMoney(b.metric) ? 'must be an amount' : 'must be a whole number'}` });
            else if (rate === null || Number.isNaN(rate) || rate < 0) errors.push({ field: 'tiers', message: `tier ${i + 1}: the rate must be an amount like 1.50` });
            else tiers.push({ from, rate_cents: rate });
          });
          if (!tiers.length && !errors.length) errors.push({ field: 'tiers', message: 'add at least one tier' });
          for (let i = 1; i < tiers.length; i++) {
            if (tiers[i].from <= tiers[i - 1].from) { errors.push({ field: 'tiers', message: 'each tier must start above the one before' }); break; }
          }
          out.tiers = tiers;
        }
        if (errors.length) throw new WH.ApiError(400, { detail: 'Some fields need attention.', errors });
        return out;
      },
      submit: (body, write) => (rule ? write('PATCH', `/incentives/rules/${rule.id}`, body) : write('POST', `/incentives/plans/${plan.id}/rules`, body)),
      onDone,
    });
    el.classList.add('rule-form');
    // the tiers: rows of From / rate per unit, added and removed by buttons
    const rowsBox = h('div.tier-rows');
    const addTier = (t) => {
      const fid = WH.nextId('tf');
      const rid = WH.nextId('tr');
      const n = rowsBox.children.length + 1;
      const row = h('div.tier-row', {},
        h('div.field', {}, h('label', { for: fid, class: 'tier-from-label', text: `Tier ${n} from` }),
          h('input', { id: fid, 'data-tier': 'from', inputmode: 'decimal', autocomplete: 'off', value: t ? qtyInput(el.elements.namedItem('metric').value, t.from) : '' })),
        h('div.field', {}, h('label', { for: rid, text: `Tier ${n} rate per unit ($)` }),
          h('input', { id: rid, 'data-tier': 'rate', inputmode: 'decimal', autocomplete: 'off', value: t ? (t.rate_cents / 100).toFixed(2) : '' })),
        h('button.link.remove-tier', { type: 'button', text: `Remove tier ${n}`, onclick: () => { row.remove(); renumber(); } }));
      rowsBox.append(row);
      renumber();
    };
    const metricNow = () => el.elements.namedItem('metric').value;
    const renumber = () => [...rowsBox.children].forEach((row, i) => {
      const labels = row.querySelectorAll('label');
      labels[0].textContent = `Tier ${i + 1} from${isMoney(metricNow()) ? ' ($)' : ''}`;
      labels[1].textContent = `Tier ${i + 1} rate per ${isMoney(metricNow()) ? 'cent' : 'unit'} ($)`;
      row.querySelector('.remove-tier').textContent = `Remove tier ${i + 1}`;
    });
    tiersBox = h('fieldset.tiers.wide', { 'data-field': 'tiers' }, h('legend', { text: 'Tiers' }),
      h('p.muted.small.tier-hint'), rowsBox,
      h('button.secondary.small-button', { type: 'button', text: 'Add tier', onclick: () => addTier() }));
    for (const t of (r.tiers && r.tiers.length ? r.tiers : [null, null])) addTier(t);
    el.querySelector('.grid').append(tiersBox);
    const moneyNote = h('p.warning.wide.money-note', { text: 'This metric counts cents: a per-unit rate pays for every cent of it. To pay a share of it, choose "Percent of the metric".' });
    el.querySelector('.grid').append(moneyNote);

    const show = () => {
      const type = el.elements.namedItem('calc_type').value;
      const metric = el.elements.namedItem('metric').value;
      const need = NEEDS[type] || [];
      for (const n of readOnlyNames) {
        const input = el.elements.namedItem(n);
        input.closest('.field').hidden = !need.includes(n);
      }
      tiersBox.hidden = !need.includes('tiers');
      const target = el.elements.namedItem('threshold');
      const tl = el.querySelector(`label[for="${target.id}"]`);
      tl.textContent = isMoney(metric) ? 'Target ($)' : `Target (${METRICS[metric][1]}s)`;
      target.setAttribute('inputmode', 'decimal');
      const rl = el.querySelector(`label[for="${el.elements.namedItem('rate_cents').id}"]`);
      rl.textContent = `Amount per ${unit(metric)} ($)`;
      moneyNote.hidden = !(isMoney(metric) && ['FLAT_PER_UNIT', 'CURRENCY_PER_UNIT', 'TIERED_SLAB'].includes(type));
      tiersBox.querySelector('.tier-hint').textContent = `Each tier pays its rate for every ${unit(metric)} from its "from"${isMoney(metric) ? ' (in dollars)' : ''} up to the next tier's (like tax brackets); below the first tier nothing is paid.`;
      renumber();
    };
    el.elements.namedItem('calc_type').addEventListener('change', show);
    el.elements.namedItem('metric').addEventListener('change', show);
    show();
    return el;
  }

  /* ------------------------------------------------------------------ incentives: preview and commit */

  const ruleLabels = async (vid) => {
    const plans = await once(`plans:${vid}`, () => WH.allItems('/incentives/plans', { venture_id: vid }));
    const map = new Map();
    for (const p of plans) for (const r of p.rules || []) map.set(r.id, { plan: p, rule: r });
    return { plans, map };
  };
  const breakdownText = (labels, lines) => (lines || []).map((b) => {
    const x = labels.map.get(b.rule_id);
    const plan = x ? x.plan.name : (labels.plans.find((p) => p.id === b.plan_id) || {}).name || `Plan #${b.plan_id}`;
    return `${plan} · ${x ? ruleText(x.rule) : `rule #${b.rule_id} (deleted)`}: ${WH.money(b.amount_cents)}`;
  });

  function amountsTable(caption, rows, people, labels, dateCol) {
    const total = rows.reduce((s, r) => s + r.amount_cents, 0);
    return h('div.table-wrap', {}, h('table.stack.dense.amounts', {},
      h('caption.sr-only', { text: caption }),
      h('thead', {}, h('tr', {}, [...(dateCol ? ['Day'] : []), 'Person', 'Amount', 'Breakdown'].map((t, i, a) =>
        h('th', { scope: 'col', class: t === 'Amount' ? 'num' : null, text: t })))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        dateCol ? h('td', { 'data-label': 'Day', text: day(r.date) }) : null,
        h('td', { 'data-label': 'Person', text: personName(people, r.user_id) }),
        h('td.num', { 'data-label': 'Amount', text: WH.money(r.amount_cents) }),
        h('td', { 'data-label': 'Breakdown' }, h('ul.changes', {}, breakdownText(labels, r.breakdown).map((t) => h('li', { text: t }))))))),
      h('tfoot', {}, h('tr', {},
        dateCol ? h('td', { 'data-label': '' }) : null,
        h('th', { scope: 'row', text: 'Total' }),
        h('td.num', { 'data-label': 'Total', text: WH.money(total) }),
        h('td', { 'data-label': 'People', text: `${rows.length} ${rows.length === 1 ? 'person' : 'people'}` })))));
  }

  // Preview and Commit of one (venture, day). fixedVenture: the plan page's venture.
  function previewCard(fixedVenture, params) {
    const errors = WH.errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    const out = h('div.preview-out', { 'aria-live': 'polite' });
    const fields = [
      fixedVenture ? null : WH.ventureField(null, { value: String(chosenVenture(params || {}, true) || '') }),
      { name: 'date', label: 'Day', type: 'date', required: true, value: (params && params.date) || WH.today(-1), max: null },
    ].filter(Boolean);
    const form = h('form.preview-form', { novalidate: true, 'aria-label': 'Preview and commit a day' }, errors, notice,
      h('div.grid', {}, fields.map(WH.control)));
    const preview = h('button.secondary', { type: 'submit', text: 'Preview' });
    const commit = h('button.primary', { type: 'button', text: 'Commit' });
    form.append(h('div.actions', {}, preview, commit));
    const write = WH.writer();
    const read = () => {
      const r = WH.readFields(form, fields);
      if (fixedVenture) r.body.venture_id = fixedVenture;
      if (r.errors.length) throw new WH.ApiError(400, { detail: 'Some fields need attention.', errors: r.errors });
      return r.body;
    };
    const busy = (on) => { preview.disabled = on; commit.disabled = on; };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      WH.clearProblem(errors, form);
      notice.textContent = '';
      busy(true);
      try {
        const body = read();
        const [res, people, labels] = await Promise.all([
          api('POST', '/incentives/preview', body), peopleMap([body.venture_id]), ruleLabels(body.venture_id)]);
        out.replaceChildren(h('h3', { text: `Preview for ${day(body.date)} · ${ventureName(body.venture_id)}` }),
          res.items.length
            ? amountsTable('Preview: per-person amounts', res.items, people, labels)
            : h('p.empty', { text: 'Nobody earns anything on this day under the active plans: no member had activity that a rule pays for. Check the plans\' effective dates and rules, or choose another day.' }),
          h('p.muted.small', { text: 'A preview writes nothing. "Commit" records these amounts as the day\'s incentive rows, replacing any earlier commit of this venture and day.' }));
      } catch (err) {
        WH.showProblem(errors, err, form);
      } finally { busy(false); }
    });
    commit.addEventListener('click', async () => {
      WH.clearProblem(errors, form);
      notice.textContent = '';
      busy(true);
      try {
        const body = read();
        let res;
        try {
          res = await write('POST', '/incentives/commit', body);
        } catch (err) {
          if (err.status === 409) {
            throw explained(err, `${day(body.date)} lies in a payout period of ${ventureName(body.venture_id)} that is already approved or paid, so its figures are final and cannot be committed again.`);
          }
          throw err;
        }
        notice.textContent = `Committed ${day(res.date)} for ${ventureName(res.venture_id)}: ${res.users} ${res.users === 1 ? 'person' : 'people'}, ${WH.money(res.total_cents)} in total${res.replaced ? `; ${res.replaced} earlier row${res.replaced === 1 ? '' : 's'} replaced` : ''}.`;
        const [rows, people, labels] = await Promise.all([
          WH.allItems('/incentives/daily', { venture_id: body.venture_id, from: body.date, to: body.date }),
          peopleMap([body.venture_id]), ruleLabels(body.venture_id)]);
        out.replaceChildren(h('h3', { text: `Committed rows for ${day(body.date)} · ${ventureName(body.venture_id)}` }),
          rows.length ? amountsTable('Committed daily incentive rows', rows, people, labels)
            : h('p.empty', { text: 'The commit wrote no rows: nobody earned anything on this day.' }));
      } catch (err) {
        WH.showProblem(errors, err, form);
      } finally { busy(false); }
    });
    return cardSection(WH.nextId('pv'), 'Preview and commit a day',
      h('p.muted', { text: 'Computes every enabled rule of every active plan of the venture for one day. Preview shows the result; Commit records it.' }),
      form, out);
  }

  /* ------------------------------------------------------------------ incentives: screens */

  const planDates = (p) => (p.effective_to ? period(p.effective_from, p.effective_to) : `From ${day(p.effective_from)} (open-ended)`);
  const activeBadge = (on) => badge(on ? 'Active' : 'Inactive', on ? 'good' : null);

  WH.screen('/admin/incentive-plans', (content, ctx) => {
    fresh();
    const manage = WH.can('incentives.manage');
    WH.title(content, ctx.label, manage ? h('a.button.primary', { href: '#/admin/incentive-plans/new', text: 'New plan' }) : null);
    if (!manage) content.append(h('p.muted', { text: 'You may read the plans and their rules; a CEO or Admin changes them.' }));
    const vid = chosenVenture(ctx.params, false);
    content.append(h('div.toolbar', {}, ventureChooser(ctx.params, vid, 'Venture', 'All ventures')));
    content.append(WH.list({
      path: '/incentives/plans', query: { venture_id: vid }, caption: 'Incentive plans',
      empty: manage ? 'No incentive plans yet for this choice. Create one with "New plan", then add its rules.'
        : 'No incentive plans for this choice.',
      rowLink: (p) => `#/admin/incentive-plans/${p.id}`,
      columns: [
        { label: 'Plan', key: 'name' },
        { label: 'Venture', render: (p) => ventureName(p.venture_id) },
        { label: 'Effective', render: (p) => planDates(p) },
        { label: 'Rules', className: 'num', render: (p) => String((p.rules || []).length) },
        { label: 'Status', render: (p) => activeBadge(p.active) },
      ],
    }).el);
    if (manage) content.append(previewCard(null, ctx.params));
  });

  WH.screen('/admin/incentive-plans/new', (content, ctx) => {
    if (!WH.can('incentives.manage')) { WH.title(content, 'New plan'); WH.empty(content, 'Only a CEO or Admin creates incentive plans.'); return; }
    WH.title(content, 'New plan');
    content.append(crumb('#/admin/incentive-plans', '← All plans'));
    content.append(WH.form({
      fields: [
        WH.ventureField(null, ctx.params.venture_id ? { value: ctx.params.venture_id } : null),
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'effective_from', label: 'Effective from', type: 'date', required: true, value: firstOfMonth() },
        { name: 'effective_to', label: 'Effective to', type: 'date', hint: 'Inclusive. Leave empty for open-ended.' },
        { name: 'active', label: 'Active', type: 'checkbox', value: true },
      ],
      submitLabel: 'Create plan', method: 'POST', path: '/incentives/plans',
      onDone: (p) => { location.hash = `#/admin/incentive-plans/${p.id}?created=1`; },
    }));
  });

  WH.screen('/admin/incentive-plans/:id', async (content, ctx) => {
    fresh();
    const plan = await api('GET', `/incentives/plans/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    const manage = WH.can('incentives.manage');
    const redraw = () => window.dispatchEvent(new Event('wh:route'));
    WH.title(content, plan.name, activeBadge(plan.active));
    content.append(crumb('#/admin/incentive-plans', '← All plans'));
    if (ctx.params.created) content.append(h('p.notice.flash', { role: 'status', text: 'Plan created. Add its rules below.' }));
    content.append(cardSection('plan-facts', 'Plan', WH.facts([
      ['Venture', ventureName(plan.venture_id)], ['Effective', planDates(plan)],
      ['Status', plan.active ? 'Active' : 'Inactive'], ['Rules', String((plan.rules || []).length)]])));
    if (manage) {
      content.append(WH.form({
        title: 'Edit plan',
        fields: [
          { name: 'name', label: 'Name', required: true, maxlength: 200, value: plan.name },
          { name: 'effective_from', label: 'Effective from', type: 'date', required: true, value: plan.effective_from },
          { name: 'effective_to', label: 'Effective to', type: 'date', value: plan.effective_to, hint: 'Inclusive. Leave empty for open-ended.' },
          { name: 'active', label: 'Active', type: 'checkbox', value: plan.active },
        ],
        nullEmpty: true,
        submitLabel: 'Save plan',
        submit: (body, write) => write('PATCH', `/incentives/plans/${plan.id}`, body),
        onDone: () => redraw(),
      }));
    }

    // the rules
    const errors = WH.errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    const editor = h('div.rule-editor');
    const rules = plan.rules || [];
    const rulesSection = cardSection('plan-rules', 'Rules', errors, notice);
    if (!rules.length) {
      rulesSection.append(h('p.empty', { text: manage ? 'No rules yet: the plan pays nothing until you add one with "New rule".' : 'This plan has no rules yet.' }));
    } else {
      rulesSection.append(h('div.table-wrap', {}, h('table.stack.dense.rules', {},
        h('caption.sr-only', { text: 'Rules of the plan' }),
        h('thead', {}, h('tr', {}, ['Rule', 'Pays', 'Metric', 'Calculation', 'Enabled', ...(manage ? ['Actions'] : [])].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, rules.map((r) => h('tr', {},
          h('td', { 'data-label': 'Rule', text: `#${r.id}` }),
          h('td', { 'data-label': 'Pays', text: rolePays(r) }),
          h('td', { 'data-label': 'Metric', text: metricName(r.metric) }),
          h('td', { 'data-label': 'Calculation' }, h('div', {}, h('span', { text: ruleText(r) }), h('small.muted.block', { text: CALCS[r.calc_type] || r.calc_type }))),
          h('td', { 'data-label': 'Enabled' }, r.enabled ? badge('Enabled', 'good') : badge('Disabled')),
          manage ? h('td', { 'data-label': 'Actions' }, h('div.actions.row-actions', {},
            h('button.secondary.small-button', { type: 'button', text: 'Edit', 'aria-label': `Edit rule #${r.id}`,
              onclick: () => {
                editor.replaceChildren(ruleForm(plan, r, redraw, () => editor.replaceChildren()));
                editor.querySelector('select, input').focus();
              } }),
            h('button.secondary.small-button', { type: 'button', text: r.enabled ? 'Disable' : 'Enable', 'aria-label': `${r.enabled ? 'Disable' : 'Enable'} rule #${r.id}`,
              onclick: async (ev) => {
                ev.currentTarget.disabled = true;
                WH.clearProblem(errors);
                try { await api('PATCH', `/incentives/rules/${r.id}`, { enabled: !r.enabled }); redraw(); } catch (err) { WH.showProblem(errors, err); ev.target.disabled = false; }
              } }),
            h('button.danger.small-button', { type: 'button', text: 'Delete', 'aria-label': `Delete rule #${r.id}`,
              onclick: async (ev) => {
                if (!window.confirm(`Delete rule #${r.id} (${ruleText(r)})? Days already committed keep their amounts.`)) return;
                ev.currentTarget.disabled = true;
                WH.clearProblem(errors);
                try { await api('DELETE', `/incentives/rules/${r.id}`); redraw(); } catch (err) { WH.showProblem(errors, err); ev.target.disabled = false; }
              } }))) : null))))));
    }
    if (manage) {
      rulesSection.append(h('div.actions.rule-new', {}, h('button.primary', { type: 'button', text: 'New rule',
        onclick: () => {
          editor.replaceChildren(ruleForm(plan, null, redraw, () => editor.replaceChildren()));
          editor.querySelector('select, input').focus();
        } })));
      rulesSection.append(editor);
    }
    content.append(rulesSection);
    if (manage) content.append(previewCard(plan.venture_id, ctx.params));
  });

  /* ------------------------------------------------------------------ payouts */

  const PAYOUT_STATUS = { CALCULATED: ['Calculated', null], APPROVED: ['Approved', 'warn'], PAID: ['Paid', 'good'] };
  const payoutBadge = (s) => badge((PAYOUT_STATUS[s] || [WH.titleCase(s)])[0], (PAYOUT_STATUS[s] || [])[1]);

  WH.screen('/admin/payouts', async (content, ctx) => {
    fresh();
    const manage = WH.can('incentives.manage');
    const approve = WH.can('payouts.approve');
    WH.title(content, ctx.label);
    const vid = chosenVenture(ctx.params, false);
    const params = { ...ctx.params };
    content.append(fold(params, ['venture_id', 'status'], WH.filters([
      { name: 'venture_id', label: 'Venture', type: 'select', options: ventureOptions('All ventures'), value: vid ? String(vid) : '' },
      { name: 'status', label: 'Status', type: 'select', options: [['', 'Any status'], ['CALCULATED', 'Calculated'], ['APPROVED', 'Approved'], ['PAID', 'Paid']] },
    ], params)));
    const people = await peopleMap(vid ? [vid] : null);
    if (ctx.stale()) return;
    const labelsOf = new Map();
    const errors = WH.errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    let lst = null;
    const act = (p, label, path, why) => h(`button.${label === 'Approve' ? 'primary' : 'secondary'}.small-button`, {
      type: 'button', text: label, 'aria-label': `${label}: ${personName(people, p.user_id)}, ${period(p.period_start, p.period_end)}`,
      onclick: async (ev) => {
        const b = ev.currentTarget;
        b.disabled = true;
        WH.clearProblem(errors);
        notice.textContent = '';
        try {
          const out = await api('POST', `/incentives/payouts/${p.id}/${path}`);
          notice.textContent = `${personName(people, p.user_id)}'s payout for ${period(p.period_start, p.period_end)} is now ${(PAYOUT_STATUS[out.status] || [out.status])[0].toLowerCase()}.`;
          lst.reload();
        } catch (err) {
          WH.showProblem(errors, err.status === 409 ? explained(err, why) : err);
          b.disabled = false;
        }
      },
    });
    const breakdownCell = (p) => {
      const holder = h('ul.changes');
      const get = labelsOf.get(p.venture_id) || ruleLabels(p.venture_id).catch(() => ({ plans: [], map: new Map() }));
      labelsOf.set(p.venture_id, get);
      get.then((labels) => holder.replaceChildren(...breakdownText(labels, p.breakdown).map((t) => h('li', { text: t }))));
      return holder;
    };
    const status = ctx.params.status;
    lst = WH.list({
      path: '/incentives/payouts', query: { venture_id: vid, status }, caption: 'Payouts',
      empty: status || vid ? 'No payouts match these filters. Clear them, or generate payouts for a period.'
        : manage ? 'No payouts yet. Commit the days of a period under Incentive plans, then generate its payouts here.'
          : 'No payouts yet. A CEO or Admin generates them for a period.',
      columns: [
        { label: 'Person', render: (p) => personName(people, p.user_id) },
        { label: 'Venture', render: (p) => ventureName(p.venture_id) },
        { label: 'Period', render: (p) => period(p.period_start, p.period_end) },
        { label: 'Amount', className: 'num', render: (p) => WH.money(p.amount_cents) },
        { label: 'Status', render: (p) => payoutBadge(p.status) },
        { label: 'Breakdown', render: breakdownCell },
        ...(approve ? [{ label: 'Actions', render: (p) => {
          if (p.status === 'CALCULATED') return act(p, 'Approve', 'approve', 'Only a calculated payout can be approved; it may have been approved meanwhile. Reload to see its status.');
          if (p.status === 'APPROVED') return act(p, 'Mark paid', 'mark-paid', 'Only an approved payout can be marked paid; it may have been paid meanwhile. Reload to see its status.');
          return h('span.muted', { text: 'Done' });
        } }] : []),
      ],
    });
    content.append(errors, notice, lst.el);

    if (manage) {
      content.append(WH.form({
        title: 'Generate payouts',
        fields: [
          WH.ventureField(null, vid ? { value: String(vid) } : null),
          { name: 'period_start', label: 'Period start', type: 'date', required: true, value: firstOfMonth() },
          { name: 'period_end', label: 'Period end', type: 'date', required: true, value: lastOfMonth() },
        ],
        submitLabel: 'Generate payouts',
        submit: async (body, write) => {
          try {
            return { body, res: await write('POST', '/incentives/payouts/generate', body) };
          } catch (err) {
            if (err.status === 409) {
              throw explained(err, `Payouts for ${period(body.period_start, body.period_end)} cannot be generated: either a payout of exactly this period is already approved or paid (its figures are final), or the period overlaps another payout period of ${ventureName(body.venture_id)}. Nothing was changed.`);
            }
            throw err;
          }
        },
        onDone: ({ body, res }, note) => {
          const n = res.items.length;
          const total = res.items.reduce((s, p) => s + p.amount_cents, 0);
          note.textContent = n
            ? `${n} payout${n === 1 ? '' : 's'} calculated for ${period(body.period_start, body.period_end)}, ${WH.money(total)} in total. Approve them in the list.`
            : `No payouts for ${period(body.period_start, body.period_end)}: no committed daily incentives in it. Commit its days under Incentive plans first.`;
          lst.reload();
        },
      }));
      content.lastChild.append(h('p.muted.small', { text: 'One payout per person: the sum of their committed daily incentives in the period. Generating a period again replaces its calculated payouts; once one is approved or paid the period is final.' }));
    }
  });

  /* ------------------------------------------------------------------ gamification */

  const DEFAULT_POINTS = {
    FIRST_DAILY_LOGIN: 1, BPO_CALL_COMPLETED: 3, HOTEL_REVIEW_RESPONDED: 8, HOTEL_DISPUTE_RESOLVED: 15,
    PERFECT_WEEK_EOD: 25, EOD_REPORT_SUBMITTED: 10, LOAD_COMPLETED: 25,
  };
  const EVENT_WORDS = {
    FIRST_DAILY_LOGIN: 'First sign-in of the day', BPO_CALL_COMPLETED: 'BPO call completed',
    HOTEL_REVIEW_RESPONDED: 'Hotel review responded', HOTEL_DISPUTE_RESOLVED: 'Hotel dispute resolved',
    PERFECT_WEEK_EOD: 'Perfect EOD week', EOD_REPORT_SUBMITTED: 'EOD report submitted', LOAD_COMPLETED: 'Load delivered',
  };
  const eventName = (t) => EVENT_WORDS[t] || WH.titleCase(t);
  const newKey = () => `award-${WH.today()}-${Math.random().toString(36).slice(2, 8)}`;

  WH.screen('/admin/gamification', async (content, ctx) => {
    fresh();
    WH.title(content, ctx.label);
    const vid = chosenVenture(ctx.params, true);
    if (!vid) { WH.empty(content, 'You have no venture in your scope, so there is nothing to configure.'); return; }
    content.append(h('div.toolbar', {}, ventureChooser(ctx.params, vid, 'Venture')));
    const [config, peopleList] = await Promise.all([
      api('GET', `/gamification/config?venture_id=${vid}`), peopleOf(vid)]);
    if (ctx.stale()) return;
    const people = await peopleMap([vid]);
    if (ctx.stale()) return;

    // configuration
    const types = [...Object.keys(DEFAULT_POINTS), ...Object.keys(config.points).filter((k) => !(k in DEFAULT_POINTS))];
    const cfgFields = [
      { name: 'enabled', label: 'Gamification on for this venture', type: 'checkbox', value: config.enabled },
      ...types.map((t) => ({ name: `pt_${t}`, field: `points.${t}`, label: `${eventName(t)} (${t})`, type: 'number', plain: true, min: 0,
        value: config.points[t], hint: t in DEFAULT_POINTS ? `Default ${DEFAULT_POINTS[t]}.` : 'A custom type (manual awards).' })),
      { name: 'new_type', label: 'Another event type', plain: true, placeholder: 'e.g. MANUAL_BONUS', maxlength: 50,
        hint: 'Optional: give a custom type its own default points.' },
      { name: 'new_points', label: 'Its points', type: 'number', plain: true, min: 0 },
    ];
    const cfgForm = WH.form({
      title: 'Configuration',
      fields: cfgFields,
      submitLabel: 'Save configuration',
      toBody: (b) => {
        const points = {};
        for (const t of types) {
          const v = b[`points.${t}`];
          if (v === undefined) continue;
          if (!(t in DEFAULT_POINTS) || v !== DEFAULT_POINTS[t]) points[t] = v;
        }
        if (b.new_type) {
          const t = b.new_type.toUpperCase();
          if (b.new_points === undefined) throw new WH.ApiError(400, { detail: 'Some fields need attention.', errors: [{ field: 'new_points', message: 'is required with another event type' }] });
          points[t] = b.new_points;
        }
        return { enabled: b.enabled, points };
      },
      submit: (body, write) => write('PUT', `/gamification/config/${vid}`, body),
      onDone: () => window.dispatchEvent(new Event('wh:route')),
    });
    cfgForm.insertBefore(h('p.muted.small', { text: 'Points apply to events awarded after saving; past events keep theirs. With gamification off nothing is awarded in this venture (manual awards included).' }), cfgForm.querySelector('.grid'));
    cfgForm.classList.add('config-form');
    if (!config.enabled) content.append(h('p.warning', { text: 'Gamification is off for this venture: no points are awarded.' }));
    content.append(cfgForm);

    // manual award
    let key = newKey();
    const awardFields = [
      { name: 'user_id', label: 'Person', type: 'select', numeric: true, required: true,
        options: [['', 'Choose a person'], ...peopleList.map((p) => [String(p.id), `${p.full_name} (${WH.roleLabel(p.role)})`])] },
      { name: 'event_type', label: 'Event type', required: true, value: 'MANUAL_BONUS', maxlength: 50,
        hint: 'Upper-case letters, digits and _, e.g. MANUAL_BONUS.' },
      { name: 'points', label: 'Points', type: 'number', min: 0, hint: 'Needed unless the type has default points.' },
      { name: 'idempotency_key', label: 'Idempotency key', required: true, value: key, maxlength: 200,
        hint: 'Made by this form. Sending the same key again never awards twice; it is stored as manual:<key>.' },
    ];
    const awardForm = WH.form({
      title: 'Award points',
      fields: awardFields,
      submitLabel: 'Award points',
      toBody: (b) => ({ ...b, venture_id: vid, event_type: b.event_type.toUpperCase() }),
      submit: async (body, write) => {
        try { return await write('POST', '/gamification/awards', body); } catch (err) {
          if (err.status === 409) {
            throw explained(err, config.enabled
              ? `The key "${body.idempotency_key}" already holds an award of another person or event type in this venture. Use a new key.`
              : 'Gamification is off for this venture, so no points can be awarded. Turn it on in the configuration first.');
          }
          throw err;
        }
      },
      onDone: (ev, note, form) => {
        note.textContent = `${ev.points} point${ev.points === 1 ? '' : 's'} awarded to ${personName(people, ev.user_id)} (${ev.event_type}), key ${ev.idempotency_key}.`;
        key = newKey();
        form.elements.namedItem('idempotency_key').value = key;
        form.elements.namedItem('points').value = '';
        events.reload();
      },
    });
    awardForm.classList.add('award-form');
    if (!peopleList.length) awardForm.insertBefore(h('p.muted', { text: 'This venture has no members yet; add people to it under Admin › Users.' }), awardForm.querySelector('.grid'));
    content.append(awardForm);

    // events
    const uid = ctx.params.user_id;
    const pid = WH.nextId('pc');
    const personSel = h('select', { id: pid, name: 'user_id' }, [['', 'Everyone'], ...peopleList.map((p) => [String(p.id), p.full_name])]
      .map(([v, t]) => h('option', { value: v, text: t })));
    personSel.value = uid || '';
    personSel.addEventListener('change', () => WH.setParams({ ...ctx.params, venture_id: String(vid), user_id: personSel.value }));
    const evFilters = h('div.toolbar', {}, h('div.field', {}, h('label', { for: pid, text: 'Person' }), personSel));
    const events = WH.list({
      path: '/gamification/events', query: { venture_id: vid, user_id: uid }, caption: 'Gamification events',
      empty: uid ? 'No events for this person in this venture.' : 'No points awarded in this venture yet. They come from the triggers (sign-ins, calls, reviews, EOD reports, delivered loads) or from "Award points".',
      columns: [
        { label: 'When', render: (e) => WH.dateTime(e.created_at) },
        { label: 'Person', render: (e) => personName(people, e.user_id) },
        { label: 'Event', render: (e) => h('span', {}, eventName(e.event_type), h('small.muted.block', { text: e.event_type })) },
        { label: 'Points', className: 'num', key: 'points' },
        { label: 'Key', render: (e) => h('code', { text: e.idempotency_key }) },
      ],
    });
    content.append(h('section', { 'aria-labelledby': 'gam-events' }, h('h2', { id: 'gam-events', text: 'Events' }), evFilters, events.el));
  });

  /* ------------------------------------------------------------------ jobs */

  const JOBS = {
    incentive_daily: 'Daily incentive commit (yesterday, every venture with an active plan)',
    kpi_aggregation: 'KPI rows for yesterday (freight, hotels, BPO, SaaS)',
    task_rules: 'Automatic tasks (missed EOD reports, disputes open over 7 days, carriers that lost authority)',
    reminders: 'End-of-day reminders to everyone who has not filed today',
    fmcsa_sync: 'Re-check carriers with FMCSA',
    cleanup: 'Delete expired sessions, codes and idempotency records',
  };
  const PER_VENTURE = ['incentive_daily', 'kpi_aggregation', 'task_rules', 'reminders'];
  const RUN_STATUS = {
    RUNNING: ['Running', 'warn'], SUCCEEDED: ['Succeeded', 'good'], PARTIAL: ['Partial', 'warn'],
    FAILED: ['Failed', 'bad'], SKIPPED_LOCKED: ['Skipped (lease held)', null],
  };
  const runBadge = (s) => badge((RUN_STATUS[s] || [WH.titleCase(s)])[0], (RUN_STATUS[s] || [])[1]);
  const statName = (k) => WH.titleCase(k.replace(/_cents$/, ''));
  // a nested count ({MISSED_EOD: 6, ...}) reads "Missed eod 6, ..."
  const statValue = (k, v) => (typeof v === 'boolean' ? WH.yesNo(v) : v && typeof v === 'object'
    ? Object.entries(v).map(([a, b]) => `${WH.titleCase(a)} ${b && typeof b === 'object' ? JSON.stringify(b) : b}`).join(', ')
    : typeof v === 'number' && k.endsWith('_cents') ? WH.money(v) : String(v));
  const statsText = (st) => {
    if (!st || typeof st !== 'object') return '—';
    const parts = Object.entries(st).map(([k, v]) => `${statName(k)}: ${statValue(k, v)}`);
    return parts.length ? parts.join(' · ') : '—';
  };
  const runLink = (r) => h('a', { href: `#/admin/jobs/runs/${r.id}`, text: `Run #${r.id}` });

  async function pollRun(id, onUpdate, stale) {
    let run = null;
    for (let i = 0; i < 60; i++) {
      await new Promise((res) => setTimeout(res, i < 10 ? 400 : 1000));
      if (stale && stale()) return run;
      run = await api('GET', `/jobs/runs/${id}`);
      onUpdate(run);
      if (run.status !== 'RUNNING') return run;
    }
    return run;
  }

  WH.screen('/admin/jobs', async (content, ctx) => {
    WH.title(content, ctx.label);
    const jobs = await api('GET', '/jobs');
    if (ctx.stale()) return;
    const jobsTable = h('div.table-wrap');
    const drawJobs = (list) => jobsTable.replaceChildren(h('table.stack.dense.jobs', {},
      h('caption.sr-only', { text: 'Jobs' }),
      h('thead', {}, h('tr', {}, ['Job', 'Schedule', 'Next run', 'Last run', 'Lease'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, list.map((j) => h('tr', {},
        h('td', { 'data-label': 'Job' }, h('div', {}, h('strong', { text: j.name }), h('small.muted.block', { text: JOBS[j.name] || '' }))),
        h('td', { 'data-label': 'Schedule', text: j.schedule }),
        h('td', { 'data-label': 'Next run', text: WH.dateTime(j.next_run_at) }),
        h('td', { 'data-label': 'Last run' }, j.last_run
          ? h('span.last-run', {}, runBadge(j.last_run.status), ' ', runLink(j.last_run), h('small.muted.block', { text: `${WH.dateTime(j.last_run.started_at)} · day ${day(j.last_run.date)}` }))
          : h('span.muted', { text: 'Never run' })),
        h('td', { 'data-label': 'Lease' }, j.lease
          ? h('span', {}, badge('Held', 'warn'), h('small.block', { text: `${j.lease.holder} until ${WH.dateTime(j.lease.expires_at)}` }))
          : h('span.muted', { text: 'Free' })))))));
    const reloadJobs = () => api('GET', '/jobs').then((j) => { if (!ctx.stale()) drawJobs(j.items); }).catch(() => {});
    drawJobs(jobs.items);
    content.append(jobsTable);

    // run now
    const result = h('div.run-result', { 'aria-live': 'polite' });
    const fields = [
      { name: 'job', label: 'Job', type: 'select', required: true, options: jobs.items.map((j) => [j.name, j.name]), value: ctx.params.run || 'cleanup' },
      { name: 'date', label: 'Day', type: 'date', max: WH.today(), hint: 'Leave empty for the job\'s usual day (yesterday for the daily jobs, today for the others).' },
      { name: 'venture_id', label: 'Venture', type: 'select', numeric: true, plain: true, options: ventureOptions('All ventures'),
        hint: 'Only the incentive, KPI, task and reminder jobs run per venture.' },
      { name: 'dry_run', label: 'Dry run (count only, change nothing)', type: 'checkbox', value: false },
    ];
    const runForm = WH.form({
      title: 'Run a job now',
      fields,
      submitLabel: 'Run now',
      toBody: (b) => {
        const out = { dry_run: b.dry_run };
        if (b.date) out.date = b.date;
        if (b.venture_id && PER_VENTURE.includes(b.job)) out.venture_id = b.venture_id;
        return { job: b.job, body: out };
      },
      submit: async ({ job, body }) => {
        // a fresh key each time: "Run now" again means another run, never the first one replayed
        try { return await api('POST', `/jobs/${encodeURIComponent(job)}/run`, body, { idempotencyKey: `run-${Date.now()}-${Math.random().toString(36).slice(2)}` }); } catch (err) {
          if (err.status === 409) {
            runs.reload();
            reloadJobs();
            throw explained(err, `${job} is running already: another run holds its lease, so two runs never overlap. A "Skipped (lease held)" run was recorded in the log. Try again once the current run has finished.`);
          }
          throw err;
        }
      },
      onDone: async (run, note) => {
        note.textContent = `Run #${run.id} of ${run.job} started.`;
        const draw = (r) => result.replaceChildren(h('p.run-line', {}, runLink(r), ` · ${r.job} · day ${day(r.date)} · `, runBadge(r.status),
          r.status === 'RUNNING' ? ' …' : ` in ${duration(r.started_at, r.finished_at)}`,
          r.error ? h('span.field-error.block', { text: r.error }) : null,
          r.stats ? h('small.muted.block', { text: statsText(r.stats) }) : null));
        draw(run);
        runs.reload();
        reloadJobs();
        const last = await pollRun(run.id, draw, ctx.stale);
        if (ctx.stale()) return;
        if (last) note.textContent = `Run #${last.id} of ${last.job} ${last.status === 'RUNNING' ? 'is still running' : `finished: ${(RUN_STATUS[last.status] || [last.status])[0].toLowerCase()}`}.`;
        runs.reload();
        reloadJobs();
      },
    });
    runForm.classList.add('run-form');
    const jobSel = runForm.elements.namedItem('job');
    const ventSel = runForm.elements.namedItem('venture_id');
    const sync = () => { ventSel.disabled = !PER_VENTURE.includes(jobSel.value); if (ventSel.disabled) ventSel.value = ''; };
    jobSel.addEventListener('change', sync);
    sync();
    runForm.append(result);
    content.append(runForm);

    // the run log
    const runs = WH.list({
      path: '/jobs/runs', query: { job: ctx.params.job, status: ctx.params.status }, caption: 'Run log',
      empty: ctx.params.job || ctx.params.status ? 'No runs match these filters. Clear them to see every run.' : 'No runs yet. Start one with "Run now", or wait for the schedule.',
      rowLink: (r) => `#/admin/jobs/runs/${r.id}`,
      columns: [
        { label: 'Run', render: (r) => `#${r.id}` },
        { label: 'Job', key: 'job' },
        { label: 'Day', render: (r) => day(r.date) },
        { label: 'Status', render: (r) => runBadge(r.status) },
        { label: 'Started', render: (r) => WH.dateTime(r.started_at) },
        { label: 'Finished', render: (r) => WH.dateTime(r.finished_at) },
        { label: 'Duration', className: 'num', render: (r) => (r.status === 'RUNNING' ? 'Running' : duration(r.started_at, r.finished_at)) },
        { label: 'Stats', render: (r) => h('span.stats', { text: statsText(r.stats) }) },
        { label: 'Error', render: (r) => (r.error ? h('span.run-error', { text: r.error }) : '—') },
      ],
    });
    runs.el.querySelector('table').classList.add('dense', 'run-log');
    content.append(h('section', { 'aria-labelledby': 'run-log' }, h('h2', { id: 'run-log', text: 'Run log' }),
      fold(ctx.params, ['job', 'status'], WH.filters([
        { name: 'job', label: 'Job', type: 'select', options: [['', 'Every job'], ...jobs.items.map((j) => [j.name, j.name])] },
        { name: 'status', label: 'Status', type: 'select', options: [['', 'Any status'], ...Object.entries(RUN_STATUS).map(([k, v]) => [k, v[0]])] },
      ], ctx.params)), runs.el));
  });

  WH.screen('/admin/jobs/runs/:id', async (content, ctx) => {
    let run = await api('GET', `/jobs/runs/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    WH.title(content, `Run #${run.id} · ${run.job}`);
    content.append(crumb('#/admin/jobs', '← Jobs'));
    const body = h('div');
    const draw = (r) => body.replaceChildren(...[
      cardSection('run-facts', 'Run', WH.facts([
        ['Job', r.job], ['Status', runBadge(r.status)], ['Day', day(r.date)],
        ['Started', WH.dateTime(r.started_at)], ['Finished', r.finished_at ? WH.dateTime(r.finished_at) : 'Still running'],
        ['Duration', r.status === 'RUNNING' ? 'Running…' : duration(r.started_at, r.finished_at)],
        ['Instance', r.instance], ['Fencing token', r.fencing_token === null ? 'None (it held no lease)' : String(r.fencing_token)],
      ])),
      cardSection('run-stats', 'Stats', r.stats && Object.keys(r.stats).length
        ? WH.facts(Object.entries(r.stats).map(([k, v]) => [statName(k), statValue(k, v)]))
        : h('p.muted', { text: r.status === 'RUNNING' ? 'The stats appear when the run finishes.' : 'This run recorded no stats.' })),
      r.error ? cardSection('run-error', 'Error', h('p.run-error', { text: r.error })) : null].filter(Boolean));
    draw(run);
    content.append(body);
    if (run.status === 'RUNNING') run = await pollRun(run.id, draw, ctx.stale);
  });

  /* ------------------------------------------------------------------ integrations */

  const PROVIDERS = { fmcsa: 'FMCSA (carrier checks)', sendgrid: 'SendGrid (e-mail)', twilio: 'Twilio (SMS)' };
  const BREAKER = { closed: ['Closed (calls go through)', 'good'], open: ['Open (calls fail fast)', 'bad'], half_open: ['Half open (one probe allowed)', 'warn'] };
  const OUTBOX = { PENDING: ['Pending', 'warn'], SENT: ['Sent', 'good'], FAILED: ['Failed', 'bad'] };

  WH.screen('/admin/integrations', async (content, ctx) => {
    WH.title(content, ctx.label);
    const list = await api('GET', '/integrations');
    if (ctx.stale()) return;
    content.append(h('section', { 'aria-labelledby': 'providers' }, h('h2', { id: 'providers', text: 'Providers' }),
      h('div.table-wrap', {}, h('table.stack.dense', {},
        h('caption.sr-only', { text: 'Providers and their circuit breakers' }),
        h('thead', {}, h('tr', {}, ['Provider', 'Configured', 'Breaker', 'Consecutive failures', 'Opened at'].map((t) => h('th', { scope: 'col', text: t, class: t === 'Consecutive failures' ? 'num' : null })))),
        h('tbody', {}, list.items.map((p) => {
          const b = p.breaker || {};
          const [text, kind] = BREAKER[b.state] || [WH.titleCase(b.state), null];
          return h('tr', {},
            h('td', { 'data-label': 'Provider', text: PROVIDERS[p.name] || p.name }),
            h('td', { 'data-label': 'Configured' }, p.configured ? badge('Yes', 'good') : h('span', {}, badge('No'), h('small.muted.block', { text: 'No key set: it reports "not configured".' }))),
            h('td', { 'data-label': 'Breaker' }, badge(text, kind)),
            h('td.num', { 'data-label': 'Consecutive failures', text: String(b.failures ?? 0) }),
            h('td', { 'data-label': 'Opened at', text: b.opened_at ? WH.dateTime(b.opened_at) : '—' }));
        })))),
      h('p.muted.small', { text: 'A breaker opens after 5 failed calls in a row, stays open 60 seconds, then lets one probe through: success closes it. While it is open, outbox messages wait.' })));

    const st = ctx.params.status;
    const tabs = h('nav.tabs', { 'aria-label': 'Outbox status' }, [['', 'All'], ...Object.entries(OUTBOX).map(([k, v]) => [k, v[0]])].map(([k, t]) =>
      h('a.tab', { href: `#/admin/integrations${WH.qs({ status: k })}`, 'aria-current': (st || '') === k ? 'page' : null, text: t })));
    const outbox = WH.list({
        path: '/outbox', query: { status: st }, caption: 'Outbox messages',
        empty: st ? `No ${OUTBOX[st] ? OUTBOX[st][0].toLowerCase() : ''} messages. Choose "All" to see every message.` : 'The outbox is empty: no e-mail or SMS has been queued yet.',
        columns: [
          { label: 'Queued', render: (m) => WH.dateTime(m.created_at) },
          { label: 'Channel', render: (m) => (m.channel === 'sms' ? 'SMS' : 'E-mail') },
          { label: 'To', key: 'recipient' },
          { label: 'Subject', render: (m) => m.subject || '—' },
          { label: 'Status', render: (m) => badge((OUTBOX[m.status] || [m.status])[0], (OUTBOX[m.status] || [])[1]) },
          { label: 'Attempts', className: 'num', render: (m) => String(m.attempts) },
          { label: 'Next attempt', render: (m) => (m.status === 'PENDING' ? WH.dateTime(m.next_attempt_at) : '—') },
          { label: 'Last error', render: (m) => (m.last_error ? h('span.run-error', { text: m.last_error }) : '—') },
          { label: 'Sent', render: (m) => WH.dateTime(m.sent_at) },
        ],
      });
    outbox.el.querySelector('table').classList.add('dense', 'outbox');
    content.append(h('section', { 'aria-labelledby': 'outbox' }, h('h2', { id: 'outbox', text: 'Outbox' }), tabs, outbox.el));
  });

  /* ------------------------------------------------------------------ audit log */

  const ACTIONS = ['bpo_agent.create', 'bpo_call_log.create', 'bpo_campaign.create', 'bpo_campaign.update', 'carrier.create',
    'carrier.fmcsa_refresh', 'carrier.fmcsa_sync', 'carrier.update', 'eod_report.create', 'eod_report.update',
    'gamification_config.update', 'gamification_event.award', 'hotel.create', 'hotel.update', 'hotel_daily.create',
    'hotel_daily.update', 'hotel_dispute.create', 'hotel_dispute.update', 'hotel_review.create', 'hotel_review.respond',
    'incentive_daily.commit', 'incentive_payout.approve', 'incentive_payout.generate', 'incentive_payout.mark_paid',
    'incentive_plan.create', 'incentive_plan.update', 'incentive_rule.create', 'incentive_rule.delete', 'incentive_rule.update',
    'job.run', 'kpi_freight.manual', 'load.create', 'load.status', 'load.update', 'office.create', 'shipper.create',
    'shipper.update', 'user.create', 'user.offices', 'user.password_change', 'user.password_reset', 'user.update',
    'user.ventures', 'venture.create', 'venture.update'];
  const ENTITIES = [...new Set(ACTIONS.map((a) => a.split('.')[0]))].filter((e) => !['incentive_daily', 'job'].includes(e))
    .concat(['incentive_daily', 'job_run', 'incentive_rule']).filter((e, i, a) => a.indexOf(e) === i).sort();

  const actionText = (a) => {
    const [ent, verb] = String(a).split('.');
    return `${WH.titleCase(ent)} · ${String(verb || '').replace(/_/g, ' ')}`;
  };
  // A link to the record's own page where the UI has one.
  const recordLink = (e) => {
    const id = e.entity_id;
    const text = id ? `${WH.titleCase(e.entity)} #${id}` : WH.titleCase(e.entity);
    if (!id) return text;
    const to = {
      load: WH.can('freight.read') && `#/freight/loads/${id}`,
      incentive_plan: `#/admin/incentive-plans/${id}`,
      job_run: WH.can('jobs.manage') && `#/admin/jobs/runs/${id}`,
      user: WH.can('users.manage') && `#/admin/users/${id}`,
      venture: WH.can('ventures.manage') && `#/admin/ventures/${id}`,
    }[e.entity];
    return to ? h('a', { href: to, text }) : text;
  };

  const SKIP_KEYS = ['updated_at'];
  function showValue(k, v, names) {
    if (v === null || v === undefined || v === '') return '—';
    if (Array.isArray(v)) {
      if (!v.length) return 'none';
      if (v.every((x) => typeof x === 'number')) return v.map((x) => names(k, x)).join(', ');
      const text = v.map((x) => showValue(k, x, names)).join('; ');
      return v.length > 3 || text.length > 160 ? `${v.length} entries: ${text.slice(0, 140)}…` : text;
    }
    if (typeof v === 'object') {
      const text = Object.entries(v).map(([kk, vv]) => `${WH.titleCase(kk.replace(/_(cents|bp)$/, '')).toLowerCase()} ${showValue(kk, vv, names)}`).join(', ');
      return text.length > 160 ? `(${text.slice(0, 140)}…)` : `(${text})`;
    }
    if (typeof v === 'boolean') return WH.yesNo(v);
    if (k === 'metric' && METRICS[v]) return metricName(v);
    if (typeof v === 'number' && k.endsWith('_cents')) return WH.money(v);
    if (typeof v === 'number' && k.endsWith('_bp')) return WH.bp(v);
    if (typeof v === 'string' && /_at$/.test(k)) return WH.dateTime(v);
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return day(v);
    if (typeof v === 'number' && k.endsWith('_id')) return names(k, v);
    return String(v);
  }
  // [label, old, new] lines: every field that differs (a new record: its fields; a deleted one:
  // what it held; a plain id list, as for memberships: the lists and what was added/removed).
  function changes(e, names) {
    const b = e.before;
    const a = e.after;
    if (Array.isArray(b) || Array.isArray(a)) {
      const field = e.action === 'user.ventures' ? 'venture_ids' : e.action === 'user.offices' ? 'office_ids' : 'ids';
      const bs = new Set(b || []);
      const as = new Set(a || []);
      const added = [...as].filter((x) => !bs.has(x));
      const removed = [...bs].filter((x) => !as.has(x));
      const lines = [[WH.titleCase(field.replace(/_ids$/, 's')), showValue(field, b || [], names), showValue(field, a || [], names)]];
      if (added.length) lines.push(['Added', null, showValue(field, added, names)]);
      if (removed.length) lines.push(['Removed', null, showValue(field, removed, names)]);
      return lines;
    }
    const keys = [...new Set([...Object.keys(b || {}), ...Object.keys(a || {})])].filter((k) => !SKIP_KEYS.includes(k));
    const out = [];
    for (const k of keys) {
      const x = b ? b[k] : undefined;
      const y = a ? a[k] : undefined;
      if (JSON.stringify(x ?? null) === JSON.stringify(y ?? null)) continue;
      out.push([WH.titleCase(k).replace(/ cents$/, '').replace(/ bp$/, ''),
        b ? showValue(k, x, names) : null, a ? showValue(k, y, names) : null]);
    }
    return out;
  }
  function changesCell(e, names) {
    const lines = changes(e, names);
    if (!lines.length) return h('span.muted', { text: 'No field changed' });
    const li = ([k, x, y]) => h('li', {}, h('strong', { text: k }), ': ',
      x === null ? h('span', { text: y }) : y === null ? h('span', {}, h('del', { text: x }), ' (removed)') : [h('span.old', { text: x }), ' → ', h('span.new', { text: y })]);
    const head = e.before === null ? 'New record' : e.after === null ? 'Removed' : null;
    if (lines.length <= 6) return h('div', {}, head ? h('small.muted.block', { text: head }) : null, h('ul.changes', {}, lines.map(li)));
    return h('details.audit-more', {}, h('summary', { text: `${head ? `${head}: ` : ''}${lines.length} fields` }), h('ul.changes', {}, lines.map(li)));
  }

  WH.screen('/admin/audit', async (content, ctx) => {
    fresh();
    WH.title(content, ctx.label);
    const p = ctx.params;
    const vid = chosenVenture(p, false);
    const people = await peopleMap();
    // those who may read every user also see names of people outside any venture (a CEO, an auditor)
    if (WH.can('users.manage')) {
      try { for (const u of await WH.allItems('/users', {}, 3)) if (!people.has(u.id)) people.set(u.id, u); } catch (e) { /* ids stay */ }
    }
    if (ctx.stale()) return;
    const offices = new Map((WH.state.me.offices || []).map((o) => [o.id, o.name]));
    const PERSON_KEYS = ['user_id', 'actor_id', 'created_by', 'owner_id', 'responded_by', 'requested_by', 'awarded_by', 'agent_user_id'];
    const names = (k, id) => {
      if (/venture/.test(k)) return ventureName(id);
      if (/office/.test(k)) return offices.get(id) || `Office #${id}`;
      if (PERSON_KEYS.includes(k)) return personName(people, id);
      return String(id);
    };
    const actorOptions = [['', 'Anyone'], ...[...people.values()].sort((x, y) => x.full_name.localeCompare(y.full_name)).map((u) => [String(u.id), u.full_name])];
    const filterForm = WH.filters([
      { name: 'venture_id', label: 'Venture', type: 'select', options: ventureOptions('All ventures'), value: vid ? String(vid) : '' },
      { name: 'actor_id', label: 'Actor', type: 'select', options: actorOptions },
      { name: 'action', label: 'Action', maxlength: 64, placeholder: 'e.g. load.status' },
      { name: 'entity', label: 'Record type', maxlength: 64, placeholder: 'e.g. load' },
      { name: 'entity_id', label: 'Record id', type: 'number', min: 1 },
    ], p);
    const dl = (id, values) => h('datalist', { id }, values.map((v) => h('option', { value: v })));
    const aid = WH.nextId('dl');
    const eid = WH.nextId('dl');
    filterForm.elements.namedItem('action').setAttribute('list', aid);
    filterForm.elements.namedItem('entity').setAttribute('list', eid);
    filterForm.append(dl(aid, ACTIONS), dl(eid, ENTITIES));
    content.append(fold(p, ['venture_id', 'actor_id', 'action', 'entity', 'entity_id'], filterForm));
    if (!!p.entity !== !!p.entity_id) {
      content.append(h('p.warning', { role: 'alert', text: 'A record type and a record id go together: give both to see one record\'s entries, or clear the one you gave.' }));
      return;
    }
    const filtered = ['actor_id', 'action', 'entity', 'entity_id'].some((k) => p[k]) || !!p.venture_id;
    content.append(WH.list({
      path: '/audit-log',
      query: { venture_id: vid, actor_id: p.actor_id, action: p.action, entity: p.entity, entity_id: p.entity_id },
      caption: 'Audit log',
      empty: filtered ? 'No entries match these filters. Clear them to see every change.' : 'No changes recorded yet.',
      columns: [
        { label: 'When', className: 'when', render: (e) => WH.dateTime(e.created_at) },
        { label: 'Who', render: (e) => personName(people, e.actor_id) },
        { label: 'Action', render: (e) => h('a', { href: `#/admin/audit${WH.qs({ ...p, action: e.action })}`, title: `Only ${e.action} entries`, text: actionText(e.action) }) },
        { label: 'Record', render: recordLink },
        { label: 'Venture', render: (e) => (e.venture_id ? ventureName(e.venture_id) : '—') },
        { label: 'Changes', className: 'changes-cell', render: (e) => changesCell(e, names) },
      ],
    }).el);
    content.lastChild.classList.add('audit-list');
  });
})();
