/* Wheelhouse web UI: dashboards, leaderboard and the caller's incentives (registered with
 * WH.screen).
 *   /freight, /hotels, /bpo, /saas, /holdings   Dashboard of one venture of the type: today's
 *       figures (live) and the last 7 and 30 days from GET /dashboard, the API's flags as
 *       warnings, and charts of the daily KPI rows (GET /kpi/freight|hotels|bpo) over a range
 *       kept in the URL (?venture=&range=7|30|90|month|custom&from=&to=&hotel=&campaign=).
 *       Every chart is a Chart.js <canvas role="img" aria-label>, its numbers in a table below.
 *       Test hooks: [data-testid="headline-<field>"] (today's figure, data-value = the API's
 *       raw number), headline-last_7_days-<field>, headline-last_30_days-<field>,
 *       [data-testid="chart-<name>"] on each canvas (e.g. chart-freight-loads). SaaS charts the
 *       daily rows of GET /kpi/saas (MRR and its flows, customers); Holdings charts cash and
 *       asset value as of today, today - 7 and today - 30 (GET /dashboard, holdings.read).
 *   /overview          the owner's overview (GET /overview): revenue, cost, margin, cash and
 *       asset value per venture over a range, totals, and a chart per venture type
 *   /leaderboard       points per person of a venture over a period; ties share a rank ("=2")
 *   /incentives/me     the caller's daily incentive rows over a period with totals, and their
 *                      payouts (incentives.read only; others are told finance shows them) */
'use strict';

(function () {
  const { h } = WH;

  /* ------------------------------------------------------------------ days */

  const { is: isDay, parse: parseDay, fmt: fmtDay, add: addDays, text: dayText, short: shortDay } = WH.day;
  const rangeText = (from, to) => (from === to ? dayText(from, { year: 'numeric' })
    : `${dayText(from)} – ${dayText(to, { year: 'numeric' })}`);
  const mondayOf = (s) => { const wd = (parseDay(s).getDay() + 6) % 7; return addDays(s, -wd); };
  const firstOfMonth = (s) => `${s.slice(0, 8)}01`;
  const lastOfMonth = (s) => { const d = parseDay(firstOfMonth(s)); d.setMonth(d.getMonth() + 1); d.setDate(0); return fmtDay(d); };
  function daysBetween(from, to) {
    const out = [];
    for (let d = from; d <= to && out.length < 400; d = addDays(d, 1)) out.push(d);
    return out;
  }

  /* ------------------------------------------------------------------ numbers */

  // num / den scaled, rounded half away from zero in exact integer arithmetic (as the server
  // does, docs/kpi.md), null when den is 0.
  function ratio(num, den, scale) {
    if (!den) return null;
    let a = BigInt(num) * BigInt(scale);
    let b = BigInt(den);
    const neg = (a < 0n) !== (b < 0n);
    if (a < 0n) a = -a;
    if (b < 0n) b = -b;
    const q = (a * 2n + b) / (2n * b);
    return Number(neg ? -q : q);
  }
  const int = (v) => (v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US'));
  const talk = (s) => {
    if (s === null || s === undefined) return '—';
    const m = Math.round(Number(s) / 60);
    return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
  };
  // A field's text by its name (API.md: _cents money, _bp basis points).
  const fmtField = (name, v) => {
    if (name === 'talk_seconds') return talk(v);
    if (/_cents$/.test(name)) return WH.money(v);
    if (/_bp$/.test(name)) return WH.bp(v);
    if (typeof v === 'boolean') return WH.yesNo(v);
    return int(v);
  };
  // Chart axis ticks: whole dollars, percent, hours.
  const tickMoney = (v) => `${v < 0 ? '−' : ''}$${Math.round(Math.abs(v) / 100).toLocaleString('en-US')}`;
  const tickPct = (v) => `${Math.round(v / 100)}%`;

  /* ------------------------------------------------------------------ charts */

  const COLORS = { light: '#8fb0e3', blue: '#1f5fbf', green: '#1d6b39', orange: '#c98a00', red: '#a4161a', grey: '#7a8594',
    purple: '#6f42c1', teal: '#0f7c80' };
  const charts = [];
  function destroyCharts(all) {
    for (let i = charts.length - 1; i >= 0; i--) {
      if (all || !charts[i].canvas || !charts[i].canvas.isConnected) { charts[i].destroy(); charts.splice(i, 1); }
    }
  }
  // A chart whose canvas left the page (another screen) is destroyed after the next navigation.
  window.addEventListener('hashchange', () => setTimeout(() => destroyCharts(false), 0));
  window.addEventListener('wh:route', () => setTimeout(() => destroyCharts(false), 0));

  function chartConfig(labels, datasets, axes) {
    const scales = { x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } } };
    // Nothing but zeros: a scale of whole units ($0 … $100, 0 … 10) instead of fractions that
    // all print as "$0".
    const empty = datasets.every((d) => d.data.every((v) => !v));
    for (const [id, ax] of Object.entries(axes)) {
      const emptyMax = empty && ax.max === undefined ? (ax.tick === tickMoney ? 10000 : 10) : undefined;
      scales[id] = { beginAtZero: true, grace: '5%', max: ax.max, suggestedMax: emptyMax, position: ax.position || 'left', title: { display: !!ax.title, text: ax.title },
        ticks: { callback: ax.tick || ((v) => v.toLocaleString('en-US')), precision: ax.precision },
        grid: { drawOnChartArea: id === 'y' } };
    }
    return {
      type: 'bar',
      data: { labels, datasets: datasets.map((d) => ({ borderWidth: d.type === 'line' ? 2 : 0, pointRadius: d.type === 'line' ? 2 : 0,
        spanGaps: true, tension: 0.2, backgroundColor: d.color, borderColor: d.color, order: d.type === 'line' ? 0 : 1, ...d })) },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: 'index', intersect: false },
        scales,
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true, sort: (a, b) => a.datasetIndex - b.datasetIndex } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.dataset.fmt ? c.dataset.fmt(c.raw) : int(c.raw)}` } },
        },
      },
    };
  }

  // A card with a chart (canvas role=img) and its numbers in a table inside a <details>.
  // table: {caption, columns: [{label, value(row) -> text, num}], rows, total (a row or null)}.
  function chartCard({ name, heading, description, labels, datasets, axes, table, note }) {
    const headingId = WH.nextId('chart-h');
    const canvas = h('canvas', { role: 'img', 'aria-label': `${description} The numbers are in the table below the chart.`,
      'data-testid': `chart-${name}` }, description);
    const box = h('div.chart-box', {}, canvas);
    const tbody = h('tbody', {}, table.rows.map((r) => h('tr', {},
      table.columns.map((c, i) => (i === 0 ? h('th', { scope: 'row', 'data-label': c.label, text: c.value(r) })
        : h(`td${c.num ? '.num' : ''}`, { 'data-label': c.label, text: c.value(r) }))))));
    const tfoot = table.total ? h('tfoot', {}, h('tr', {}, table.columns.map((c, i) => (i === 0
      ? h('th', { scope: 'row', 'data-label': c.label, text: table.totalLabel || 'Range total' })
      : h(`td${c.num ? '.num' : ''}`, { 'data-label': c.label, text: c.total ? c.total(table.total) : '' }))))) : null;
    const details = h('details.chart-numbers', {},
      h('summary', { text: `Numbers for this chart (${table.rows.length} ${table.unit || 'day'}${table.rows.length === 1 ? '' : 's'})` }),
      table.rows.length ? h('div.table-wrap', {}, h('table.dense.chart-table', {},
        h('caption.sr-only', { text: table.caption }),
        h('thead', {}, h('tr', {}, table.columns.map((c) => h(`th${c.num ? '.num' : ''}`, { scope: 'col', text: c.label })))),
        tbody, tfoot)) : h('p.muted', { text: 'No daily rows in this range.' }));
    const card = h('section.card.chart-card', { 'aria-labelledby': headingId },
      h('h2', { id: headingId, text: heading }), note ? h('p.muted.small', { text: note }) : null, box, details);
    if (window.Chart) {
      // Drawn once the canvas is in the page (Chart.js measures its box).
      requestAnimationFrame(() => {
        if (!canvas.isConnected) return;
        charts.push(new window.Chart(canvas, chartConfig(labels, datasets, axes)));
      });
    } else {
      box.replaceChildren(h('p.muted', { text: 'The chart cannot be drawn (the charting library did not load); the numbers are below.' }));
      details.open = true;
    }
    return card;
  }

  /* ------------------------------------------------------------------ controls */

  // A labelled select or input that changes the URL (or calls onChange) when it changes.
  function control(spec, onChange) {
    const id = WH.nextId('ctl');
    const input = spec.options
      ? h('select', { id, name: spec.name }, spec.options.map(([v, t]) => h('option', { value: v, text: t })))
      : h('input', { id, name: spec.name, type: spec.type || 'text', min: spec.min, max: spec.max });
    input.value = spec.value ?? '';
    if (onChange) input.addEventListener('change', () => onChange(input.value, input));
    return h('div.field', {}, h('label', { for: id, text: spec.label }), input);
  }

  // The period choice of a screen: presets and a custom from/to, applied by "Show".
  // presets: [[key, text, () => [from, to]]]; params: the URL query. Returns {from, to, key,
  // el, warning} with the chosen range.
  function periodPicker(params, presets, def, maxTo, extra) {
    const keys = presets.map((p) => p[0]);
    let key = keys.includes(params.range) ? params.range : (params.range === 'custom' ? 'custom' : def);
    let [from, to] = key === 'custom' ? [params.from, params.to] : presets.find((p) => p[0] === key)[2]();
    let warning = null;
    if (key === 'custom') {
      if (!isDay(from) || !isDay(to) || from > to) {
        warning = 'The custom range needs a start day on or before its end day; showing the default period instead.';
        key = def;
        [from, to] = presets.find((p) => p[0] === def)[2]();
      } else if (daysBetween(from, to).length > 366) {
        warning = 'A range spans at most 366 days; showing the 366 days up to the end day.';
        from = addDays(to, -365);
      }
    }
    const fromField = control({ name: 'from', label: 'From', type: 'date', value: from, max: maxTo });
    const toField = control({ name: 'to', label: 'To', type: 'date', value: to, max: maxTo });
    const custom = h('div.range-custom', { hidden: key !== 'custom' }, fromField, toField);
    const rangeField = control({ name: 'range', label: 'Period', value: key,
      options: [...presets.map(([k, t]) => [k, t]), ['custom', 'Custom dates']] }, (v) => {
      custom.hidden = v !== 'custom';
      if (v !== 'custom') form.requestSubmit();
    });
    const form = h('form.filters.range-form', { role: 'search', 'aria-label': 'Period and filters' },
      h('div.range-row', {}, ...(extra || []).map((e) => e.el), rangeField, custom,
        h('div.actions', {}, h('button.secondary', { type: 'submit', text: 'Show' }))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out = { ...params };
      for (const e of extra || []) out[e.name] = form.elements.namedItem(e.name).value;
      out.range = form.elements.namedItem('range').value;
      if (out.range === 'custom') {
        out.from = form.elements.namedItem('from').value;
        out.to = form.elements.namedItem('to').value;
      } else { delete out.from; delete out.to; }
      WH.setParams(out);
    });
    return { from, to, key, el: form, warning };
  }

  /* ------------------------------------------------------------------ dashboards: figures */

  // Each type's figures: [field, label, tile?]; the tiles come first. Fields the API adds later
  // are shown too (by their name), never dropped.
  const FIGURES = {
    freight: [
      ['loads_inbound', 'Inbound loads', true], ['loads_covered', 'Covered', true], ['loads_delivered', 'Delivered', true],
      ['loads_lost', 'Lost', true], ['revenue_cents', 'Revenue', true], ['profit_cents', 'Profit', true],
      ['margin_bp', 'Margin', true], ['coverage_bp', 'Coverage', true],
      ['loads_quoted', 'Quoted'], ['cost_cents', 'Cost'], ['active_shippers', 'Active shippers'], ['active_carriers', 'Active carriers'],
    ],
    hotels: [
      ['occupancy_bp', 'Occupancy', true], ['adr_cents', 'ADR', true], ['room_revenue_cents', 'Room revenue', true],
      ['total_revenue_cents', 'Total revenue', true], ['rooms_sold', 'Rooms sold', true], ['rooms_available', 'Rooms available', true],
      ['other_revenue_cents', 'Other revenue'], ['refund_cents', 'Refunds'], ['lost_dues_cents', 'Lost dues'],
    ],
    saas: [
      ['mrr_cents', 'MRR', true], ['arr_cents', 'ARR', true], ['net_new_mrr_cents', 'Net new MRR', true],
      ['active_customers', 'Active customers', true], ['logo_churn_bp', 'Logo churn', true], ['nrr_bp', 'Net revenue retention', true],
      ['new_mrr_cents', 'New MRR'], ['expansion_mrr_cents', 'Expansion MRR'], ['reactivation_mrr_cents', 'Reactivation MRR'],
      ['contraction_mrr_cents', 'Contraction MRR'], ['churned_mrr_cents', 'Churned MRR'], ['start_mrr_cents', 'MRR at start'],
      ['start_customers', 'Customers at start'], ['new_customers', 'New customers'], ['reactivated_customers', 'Reactivated customers'],
      ['churned_customers', 'Churned customers'], ['nrr_base_mrr_cents', 'NRR base MRR'], ['nrr_retained_mrr_cents', 'NRR retained MRR'],
    ],
    holdings: [
      ['cash_cents', 'Cash', true], ['asset_value_cents', 'Asset value', true], ['bank_accounts', 'Active bank accounts', true],
      ['assets', 'Assets held', true],
    ],
    bpo: [
      ['dials', 'Dials', true], ['connects', 'Connects', true], ['deals', 'Deals won', true], ['conversion_bp', 'Conversion', true],
      ['talk_seconds', 'Talk time', true], ['revenue_cents', 'Revenue', true], ['connect_rate_bp', 'Connect rate'],
    ],
  };
  const PERIODS = [['today', 'Today'], ['last_7_days', 'Last 7 days'], ['last_30_days', 'Last 30 days']];

  // The API's flags in words (docs/kpi.md thresholds).
  function flagText(flag, figures) {
    switch (flag) {
      case 'low_coverage': return `Low coverage: ${WH.bp(figures.coverage_bp)} of inbound loads covered (below 70%).`;
      case 'low_margin': return `Low margin: ${WH.bp(figures.margin_bp)} of revenue (below 10%).`;
      case 'high_loss': return 'High loss: lost dues of $500 or more, or 10% or more of room revenue.';
      default: return `${WH.titleCase(flag)}.`;
    }
  }
  const flagsOf = (o) => Object.entries(o || {}).filter(([, v]) => v === true).map(([k]) => k);

  function figureEntries(kind, obj) {
    const known = FIGURES[kind] || [];
    const names = new Set(known.map((f) => f[0]));
    // figures only: flags (booleans) and the day a body is "as of" (a string) are not figures
    const extra = Object.keys(obj || {}).filter((k) => !names.has(k) && (typeof obj[k] === 'number' || obj[k] === null))
      .map((k) => [k, WH.titleCase(k.replace(/_(cents|bp)$/, ''))]);
    return [...known.filter((f) => obj && f[0] in obj), ...extra];
  }

  // "More figures (a, b, c)", or "(a, b and 8 more)" for a long list; "Revenue per load" reads
  // "revenue per load", an acronym ("MRR at start", "NRR base MRR") keeps its capitals.
  function moreTitle(labels) {
    const words = labels.map((l) => l.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()));
    const shown = words.length > 4 ? `${words.slice(0, 3).join(', ')} and ${words.length - 3} more` : words.join(', ');
    return `More figures (${shown})`;
  }

  function headline(kind, dash) {
    const today = dash.today || {};
    const entries = figureEntries(kind, { ...dash.last_30_days, ...dash.last_7_days, ...today });
    const value = (period, field, tag) => {
      const o = dash[period] || {};
      const v = field in o ? o[field] : null;
      return h(tag || 'span', { 'data-testid': period === 'today' ? `headline-${field}` : `headline-${period}-${field}`,
        'data-value': v === null || v === undefined ? '' : String(v), text: fmtField(field, v) });
    };
    const tiles = entries.filter((f) => f[2]).map(([field, lab]) => h('div.figure.kpi-tile', {},
      h('span.label', { text: lab }),
      h('span.value', {}, value('today', field)),
      h('span.trend.small', {}, h('span.muted', { text: '7 days: ' }), value('last_7_days', field)),
      h('span.trend.small', {}, h('span.muted', { text: '30 days: ' }), value('last_30_days', field))));
    const rest = entries.filter((f) => !f[2]);
    const more = rest.length ? h('details.more-figures', {},
      h('summary', { text: moreTitle(rest.map((f) => f[1])) }),
      h('div.table-wrap', {}, h('table.stack.dense.more-table', {},
        h('caption.sr-only', { text: 'More figures for today, the last 7 days and the last 30 days' }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Figure' }), PERIODS.map(([, t]) => h('th.num', { scope: 'col', text: t })))),
        h('tbody', {}, rest.map(([field, lab]) => h('tr', {}, h('th', { scope: 'row', text: lab }),
          PERIODS.map(([p, t]) => { const td = value(p, field, 'td'); td.className = 'num'; td.setAttribute('data-label', t); return td; }))))))) : null;
    const headingId = WH.nextId('today');
    return h('section.card.headline', { 'aria-labelledby': headingId },
      h('div.card-head', {}, h('h2', { id: headingId, text: `Today · ${dayText(dash.date)}` }),
        h('span.muted.small', { text: 'Today live; 7 and 30 days up to yesterday' })),
      h('div.figures.kpi-figures.money-figures', {}, tiles), more);
  }

  function warningsBox(items) {
    if (!items.length) return null;
    return h('div.warning.kpi-warnings', { role: 'status', 'data-testid': 'dashboard-warnings' },
      h('p', {}, h('strong', { text: 'Needs attention' })),
      h('ul', {}, items.map((t) => h('li', { text: t }))));
  }

  /* ------------------------------------------------------------------ dashboards: screens */

  const TYPE_LABELS = { LOGISTICS: 'Logistics (brokerage)', TRANSPORT: 'Transport (fleet)', HOSPITALITY: 'Hospitality',
    BPO: 'BPO', SAAS: 'SaaS', HOLDINGS: 'Holdings', TESTING: 'Testing' };
  const TYPES = {
    freight: { types: ['LOGISTICS', 'TRANSPORT'], noun: 'freight', path: '/freight' },
    hotels: { types: ['HOSPITALITY'], noun: 'hospitality', path: '/hotels' },
    bpo: { types: ['BPO'], noun: 'BPO', path: '/bpo' },
    saas: { types: ['SAAS'], noun: 'SaaS', path: '/saas' },
    holdings: { types: ['HOLDINGS'], noun: 'holdings', path: '/holdings' },
  };

  // The venture a dashboard shows: the top bar's when it is of the type, else the URL's, else
  // the first of the type. choice: whether the screen offers a venture select.
  function dashVenture(t, params) {
    // LOGISTICS before TRANSPORT (the brokerage first), then by name as /me gives them.
    const vs = WH.ventures(t.types).sort((a, b) => t.types.indexOf(a.type) - t.types.indexOf(b.type));
    const top = WH.ventureId();
    if (top && vs.some((v) => v.id === top)) return { id: top, vs, choice: false };
    const wanted = Number(params.venture);
    const id = vs.some((v) => v.id === wanted) ? wanted : (vs[0] ? vs[0].id : null);
    return { id, vs, choice: vs.length > 1, otherTop: top ? WH.ventures().find((v) => v.id === top) : null };
  }

  const rangePresets = (today) => [
    ['7', 'Last 7 days', () => [addDays(today, -6), today]],
    ['30', 'Last 30 days', () => [addDays(today, -29), today]],
    ['90', 'Last 90 days', () => [addDays(today, -89), today]],
    ['month', 'This month', () => [firstOfMonth(today), today]],
  ];

  function dashboard(kind) {
    const t = TYPES[kind];
    return async (content, ctx) => {
      destroyCharts(true);
      WH.title(content, ctx.label);
      const p = ctx.params;
      const pick = dashVenture(t, p);
      if (!pick.id) {
        WH.empty(content, `You have no ${t.noun} venture in your scope, so there are no figures to show. Ask an administrator to add you to one.`);
        return;
      }
      const venture = pick.vs.find((v) => v.id === pick.id);
      const dash = await WH.api('GET', `/dashboard${WH.qs({ venture_id: pick.id })}`);
      if (ctx.stale()) return;
      const today = isDay(dash.date) ? dash.date : WH.today();

      // Heading line: the venture, and a choice when the top bar does not fix it.
      const ventureSelect = pick.choice ? control({ name: 'venture', label: 'Venture', value: String(pick.id),
        options: pick.vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }) : null;
      const top = h('div.dash-context', { 'data-testid': 'dashboard-venture', 'data-venture-id': String(pick.id) },
        h('p.lead.dash-venture', { text: `${venture.name} (${venture.code}) · ${TYPE_LABELS[venture.type] || WH.titleCase(venture.type)}` }));
      if (ventureSelect) {
        const form = h('form.dash-venture-form', { role: 'search', 'aria-label': 'Venture' },
          ventureSelect, h('button.secondary', { type: 'submit', text: 'Show' }));
        form.addEventListener('submit', (ev) => {
          ev.preventDefault();
          const out = { ...p, venture: form.elements.namedItem('venture').value };
          delete out.hotel; delete out.campaign;
          WH.setParams(out);
        });
        ventureSelect.querySelector('select').addEventListener('change', () => form.requestSubmit());
        top.append(form);
      }
      content.append(top);
      if (pick.otherTop) {
        content.append(h('p.muted.small', { text: `The venture chosen at the top, ${pick.otherTop.name}, is not a ${t.noun} venture, so this dashboard shows one chosen here.` }));
      }

      const empty = !dash.today || !Object.keys(dash.today).length;
      if (kind === 'holdings' && !empty) {
        holdingsCharts(content, dash);
        return;
      }
      if (empty || !['freight', 'hotels', 'bpo', 'saas'].includes(kind)) {
        if (empty) {
          content.append(h('div.empty', { 'data-testid': 'dashboard-empty' },
            h('p', {}, h('strong', { text: `No figures are recorded for ${t.noun} ventures yet.` })),
            h('p', { text: `Wheelhouse does not yet keep the daily figures of a ${t.noun} business, so this dashboard has nothing to show: it shows no made-up numbers. It will fill in once that part of Wheelhouse is built.` }),
            h('p', {}, 'Meanwhile the freight, hospitality and BPO dashboards show their ventures\u2019 figures; ',
              h('a', { href: '#/leaderboard', text: 'the leaderboard' }), ' and ', h('a', { href: '#/eod/team', text: 'Team EOD' }),
              ' work for every venture.')));
          return;
        }
        // A type whose figures arrived after this screen was written: today's and the periods'
        // figures as the API gives them.
        content.append(warningsBox(PERIODS.flatMap(([k, lab]) => flagsOf(dash[k]).map((f) => `${lab}: ${flagText(f, dash[k])}`)) || []) || '',
          headline(kind, dash));
        return;
      }

      // Per-type filter (hotel or campaign), offered when the role may read the list.
      const extra = [];
      let hotels = [];
      let campaigns = [];
      if (kind === 'hotels' && WH.can('hotels.read')) {
        hotels = await WH.allItems('/hotels', { venture_id: pick.id }, 2).catch(() => []);
        if (hotels.length > 1) {
          extra.push({ name: 'hotel', el: control({ name: 'hotel', label: 'Hotel', value: hotels.some((x) => String(x.id) === p.hotel) ? p.hotel : '',
            options: [['', 'All hotels'], ...hotels.map((x) => [String(x.id), `${x.name} (${x.code})`])] }) });
        }
      }
      if (kind === 'bpo' && WH.can('bpo.read')) {
        campaigns = await WH.allItems('/bpo/campaigns', { venture_id: pick.id }, 2).catch(() => []);
        if (campaigns.length > 1) {
          extra.push({ name: 'campaign', el: control({ name: 'campaign', label: 'Campaign', value: campaigns.some((x) => String(x.id) === p.campaign) ? p.campaign : '',
            options: [['', 'All campaigns'], ...campaigns.map((x) => [String(x.id), x.name])] }) });
        }
      }
      if (ctx.stale()) return;
      const hotelId = kind === 'hotels' && hotels.some((x) => String(x.id) === p.hotel) ? Number(p.hotel) : null;
      const campaignId = kind === 'bpo' && campaigns.some((x) => String(x.id) === p.campaign) ? Number(p.campaign) : null;
      const range = periodPicker(p, rangePresets(today), '30', today, extra);

      const kpiPath = { freight: '/kpi/freight', hotels: '/kpi/hotels', bpo: '/kpi/bpo', saas: '/kpi/saas' }[kind];
      const kpiQuery = { venture_id: pick.id, hotel_id: hotelId, campaign_id: campaignId, from: range.from, to: range.to };
      const kpi = await WH.api('GET', `${kpiPath}${WH.qs(kpiQuery)}`);
      let entries = [];
      if (kind === 'hotels' && WH.can('hotels.read')) {
        const which = hotelId ? hotels.filter((x) => x.id === hotelId) : hotels;
        const lists = await Promise.all(which.slice(0, 20).map((x) => WH.allItems(`/hotels/${x.id}/daily`, { from: range.from, to: range.to }, 2)
          .then((items) => items.map((e) => ({ ...e, hotel: x }))).catch(() => [])));
        entries = lists.flat();
      }
      if (ctx.stale()) return;

      // Warnings: every flag of the API, by period, then the chosen range's.
      const warnings = [];
      for (const [k, lab] of PERIODS) for (const f of flagsOf(dash[k])) warnings.push(`${lab}: ${flagText(f, dash[k])}`);
      for (const f of flagsOf(kpi.summary)) warnings.push(`${rangeText(range.from, range.to)}: ${flagText(f, kpi.summary)}`);
      const losses = entries.filter((e) => e.high_loss).sort((a, b) => (a.date < b.date ? 1 : -1));
      if (losses.length) {
        const shown = losses.slice(0, 3).map((e) => `${dayText(e.date)} at ${e.hotel.name} (lost dues ${WH.money(e.lost_dues_cents)})`);
        warnings.push(`High loss on ${losses.length} hotel day${losses.length === 1 ? '' : 's'} in this range (lost dues of $500 or more, or 10% or more of room revenue): ${shown.join('; ')}${losses.length > 3 ? `; and ${losses.length - 3} more` : ''}.`);
      }
      content.append(warningsBox(warnings) || '', headline(kind, dash));
      const rangeHead = h('div.card-head.range-head', {}, h('h2', { text: `Daily figures · ${rangeText(range.from, range.to)}` }),
        WH.exportLink(kpiPath, kpiQuery));
      content.append(rangeHead, range.warning ? h('p.warning', { role: 'status', text: range.warning }) : '', range.el);

      const labelsDays = daysBetween(range.from, range.to);
      const days = groupDays(kind, kpi.days || []);
      if (!days.size) {
        content.append(h('div.empty', {},
          h('p', { text: `No daily figures are recorded for ${rangeText(range.from, range.to)} yet.` }),
          h('p', { text: kind === 'freight' ? 'Daily rows are added each morning for the day before, from the loads of that day (the KPI aggregation job); choose a longer period, or record loads under Freight › Loads.'
            : kind === 'hotels' ? 'Daily rows are added each morning for the day before from the hotels\u2019 daily figures (Hospitality › Hotels); choose a longer period, or enter the figures.'
              : kind === 'saas' ? 'Daily rows are added each morning from the subscription events (SaaS › Subscriptions), including earlier days a change was dated back to; choose a longer period.'
              : 'Daily rows are added each morning for the day before from the call logs of each campaign (BPO › Call logs); choose a longer period, or log calls with a campaign.' })));
        return;
      }
      const rows = [...days.values()];
      const at = (field) => labelsDays.map((d) => (days.has(d) ? days.get(d)[field] : null));
      const labels = labelsDays.map(shortDay);
      const span = `from ${dayText(range.from)} to ${dayText(range.to, { year: 'numeric' })}`;
      const dayCol = { label: 'Day', value: (r) => dayText(r.date) };
      const col = (field, lab) => ({ label: lab, num: true, value: (r) => fmtField(field, r[field]), total: (s) => fmtField(field, s[field]) });
      const s = kpi.summary || {};
      const note = rows.length < labelsDays.length ? `Days without a row have no figures yet (${labelsDays.length - rows.length} of ${labelsDays.length}); today's figures are in the headline above until tomorrow's aggregation.` : null;

      if (kind === 'freight') {
        content.append(h('div.summary-line', {}, h('p', {},
          `Over the range: ${int(s.loads_inbound)} inbound, ${int(s.loads_covered)} covered (coverage ${WH.bp(s.coverage_bp)}), ${int(s.loads_delivered)} delivered, ${int(s.loads_lost)} lost; revenue ${WH.money(s.revenue_cents)}, profit ${WH.money(s.profit_cents)} (margin ${WH.bp(s.margin_bp)}).`)));
        content.append(h('div.chart-grid', {},
          chartCard({ name: 'freight-loads', heading: 'Loads by status and coverage', note,
            description: `Bar chart of inbound, covered, delivered and lost loads per day, with the day's coverage as a line, ${span}.`,
            labels, axes: { y: { title: 'Loads', precision: 0 }, y1: { position: 'right', title: 'Coverage', tick: tickPct } },
            datasets: [
              { label: 'Inbound', data: at('loads_inbound'), color: COLORS.light, yAxisID: 'y' },
              { label: 'Covered', data: at('loads_covered'), color: COLORS.blue, yAxisID: 'y' },
              { label: 'Delivered', data: at('loads_delivered'), color: COLORS.green, yAxisID: 'y' },
              { label: 'Lost', data: at('loads_lost'), color: COLORS.red, yAxisID: 'y' },
              { type: 'line', label: 'Coverage', data: at('coverage_bp'), color: COLORS.orange, yAxisID: 'y1', fmt: WH.bp },
            ],
            table: { caption: 'Loads per day', rows, total: s, columns: [dayCol, col('loads_inbound', 'Inbound'), col('loads_quoted', 'Quoted'),
              col('loads_covered', 'Covered'), col('loads_delivered', 'Delivered'), col('loads_lost', 'Lost'), col('coverage_bp', 'Coverage')] } }),
          chartCard({ name: 'freight-money', heading: 'Revenue, cost and margin', note,
            description: `Bar chart of revenue and cost per day by billing date, with the day's margin as a line, ${span}.`,
            labels, axes: { y: { title: 'Dollars', tick: tickMoney }, y1: { position: 'right', title: 'Margin', tick: tickPct } },
            datasets: [
              { label: 'Revenue', data: at('revenue_cents'), color: COLORS.blue, yAxisID: 'y', fmt: WH.money },
              { label: 'Cost', data: at('cost_cents'), color: COLORS.grey, yAxisID: 'y', fmt: WH.money },
              { type: 'line', label: 'Margin', data: at('margin_bp'), color: COLORS.green, yAxisID: 'y1', fmt: WH.bp },
            ],
            table: { caption: 'Revenue, cost and margin per day', rows, total: s, columns: [dayCol, col('revenue_cents', 'Revenue'),
              col('cost_cents', 'Cost'), col('profit_cents', 'Profit'), col('margin_bp', 'Margin'), col('active_shippers', 'Shippers'), col('active_carriers', 'Carriers')] } })));
      } else if (kind === 'saas') {
        content.append(h('div.summary-line', {}, h('p', {},
          `Over the range: MRR ${WH.money(s.start_mrr_cents)} → ${WH.money(s.mrr_cents)} (net new ${WH.money(s.net_new_mrr_cents)}; new ${WH.money(s.new_mrr_cents)}, expansion ${WH.money(s.expansion_mrr_cents)}, reactivation ${WH.money(s.reactivation_mrr_cents)}, contraction ${WH.money(s.contraction_mrr_cents)}, churned ${WH.money(s.churned_mrr_cents)}); ARR ${WH.money(s.arr_cents)}; customers ${int(s.start_customers)} → ${int(s.active_customers)}, logo churn ${WH.bp(s.logo_churn_bp)}; net revenue retention ${WH.bp(s.nrr_bp)}.`)));
        const neg = (field) => at(field).map((v) => (v === null ? null : -v));
        content.append(h('div.chart-grid', {},
          chartCard({ name: 'saas-mrr', heading: 'MRR and its movements', note,
            description: `Bar chart of new, expansion and reactivation MRR (up) and contraction and churned MRR (down) per day, with MRR at the end of each day as a line, ${span}.`,
            labels, axes: { y: { title: 'Movement', tick: tickMoney }, y1: { position: 'right', title: 'MRR', tick: tickMoney } },
            datasets: [
              { label: 'New', data: at('new_mrr_cents'), color: COLORS.green, yAxisID: 'y', fmt: WH.money, stack: 'm' },
              { label: 'Expansion', data: at('expansion_mrr_cents'), color: COLORS.blue, yAxisID: 'y', fmt: WH.money, stack: 'm' },
              { label: 'Reactivation', data: at('reactivation_mrr_cents'), color: COLORS.teal, yAxisID: 'y', fmt: WH.money, stack: 'm' },
              { label: 'Contraction', data: neg('contraction_mrr_cents'), color: COLORS.orange, yAxisID: 'y', fmt: WH.money, stack: 'm' },
              { label: 'Churned', data: neg('churned_mrr_cents'), color: COLORS.red, yAxisID: 'y', fmt: WH.money, stack: 'm' },
              { type: 'line', label: 'MRR', data: at('mrr_cents'), color: COLORS.purple, yAxisID: 'y1', fmt: WH.money },
            ],
            table: { caption: 'MRR and its movements per day', rows, total: s, columns: [dayCol, col('mrr_cents', 'MRR'),
              col('new_mrr_cents', 'New'), col('expansion_mrr_cents', 'Expansion'), col('reactivation_mrr_cents', 'Reactivation'),
              col('contraction_mrr_cents', 'Contraction'), col('churned_mrr_cents', 'Churned'), col('net_new_mrr_cents', 'Net new')] } }),
          chartCard({ name: 'saas-customers', heading: 'Customers, churn and retention', note,
            description: `Line chart of active customers per day, with new, reactivated and churned customers as bars, ${span}.`,
            labels, axes: { y: { title: 'Customers', precision: 0 } },
            datasets: [
              { label: 'New', data: at('new_customers'), color: COLORS.green },
              { label: 'Reactivated', data: at('reactivated_customers'), color: COLORS.teal },
              { label: 'Churned', data: at('churned_customers'), color: COLORS.red },
              { type: 'line', label: 'Active customers', data: at('active_customers'), color: COLORS.blue },
            ],
            table: { caption: 'Customers per day', rows, total: s, columns: [dayCol, col('active_customers', 'Active'),
              col('new_customers', 'New'), col('reactivated_customers', 'Reactivated'), col('churned_customers', 'Churned'),
              col('logo_churn_bp', 'Logo churn'), col('nrr_bp', 'NRR')] } })));
      } else if (kind === 'hotels') {
        const st = { ...s, revpar_cents: ratio(s.room_revenue_cents || 0, s.rooms_available || 0, 1) };
        const scopeText = hotelId ? hotels.find((x) => x.id === hotelId).name : (hotels.length > 1 ? 'all hotels summed' : (hotels[0] ? hotels[0].name : 'the venture\u2019s hotels'));
        content.append(h('div.summary-line', {}, h('p', {},
          `Over the range (${scopeText}): occupancy ${WH.bp(st.occupancy_bp)}, ADR ${WH.money(st.adr_cents)}, RevPAR ${WH.money(st.revpar_cents)}; ${int(st.rooms_sold)} of ${int(st.rooms_available)} rooms sold; room revenue ${WH.money(st.room_revenue_cents)}, total ${WH.money(st.total_revenue_cents)}.`)));
        content.append(h('div.chart-grid', {},
          chartCard({ name: 'hotels-occupancy', heading: 'Occupancy', note,
            description: `Line chart of occupancy per day (${scopeText}), ${span}.`,
            labels, axes: { y: { title: 'Occupancy', tick: tickPct, max: 10000 } },
            datasets: [{ type: 'line', label: 'Occupancy', data: at('occupancy_bp'), color: COLORS.blue, fmt: WH.bp, fill: false }],
            table: { caption: 'Occupancy per day', rows, total: st, columns: [dayCol, col('rooms_sold', 'Rooms sold'),
              col('rooms_available', 'Rooms available'), col('occupancy_bp', 'Occupancy')] } }),
          chartCard({ name: 'hotels-rates', heading: 'ADR and RevPAR', note: 'RevPAR is room revenue divided by rooms available, from the same daily rows.',
            description: `Line chart of the average daily rate (ADR) and revenue per available room (RevPAR) per day (${scopeText}), ${span}.`,
            labels, axes: { y: { title: 'Dollars', tick: tickMoney } },
            datasets: [
              { type: 'line', label: 'ADR', data: at('adr_cents'), color: COLORS.purple, fmt: WH.money },
              { type: 'line', label: 'RevPAR', data: at('revpar_cents'), color: COLORS.teal, fmt: WH.money },
            ],
            table: { caption: 'ADR and RevPAR per day', rows, total: st, columns: [dayCol, col('room_revenue_cents', 'Room revenue'),
              col('adr_cents', 'ADR'), col('revpar_cents', 'RevPAR'), col('total_revenue_cents', 'Total revenue'), col('refund_cents', 'Refunds'), col('lost_dues_cents', 'Lost dues')] } })));
      } else {
        const scopeText = campaignId ? campaigns.find((x) => x.id === campaignId).name : (campaigns.length > 1 ? 'all campaigns summed' : (campaigns[0] ? campaigns[0].name : 'the venture\u2019s campaigns'));
        const hours = (sec) => (sec === null || sec === undefined ? null : Math.round(sec / 36) / 100);
        content.append(h('div.summary-line', {}, h('p', {},
          `Over the range (${scopeText}): ${int(s.dials)} dials, ${int(s.connects)} connects (${WH.bp(s.connect_rate_bp)}), ${int(s.deals)} deals won (conversion ${WH.bp(s.conversion_bp)}), talk time ${talk(s.talk_seconds)}, revenue ${WH.money(s.revenue_cents)}.`)));
        content.append(h('div.chart-grid', {},
          chartCard({ name: 'bpo-calls', heading: 'Calls and conversions', note,
            description: `Bar chart of dials, connects and deals won per day, with conversion (deals per connect) as a line (${scopeText}), ${span}.`,
            labels, axes: { y: { title: 'Calls', precision: 0 }, y1: { position: 'right', title: 'Conversion', tick: tickPct } },
            datasets: [
              { label: 'Dials', data: at('dials'), color: COLORS.light, yAxisID: 'y' },
              { label: 'Connects', data: at('connects'), color: COLORS.blue, yAxisID: 'y' },
              { label: 'Deals won', data: at('deals'), color: COLORS.green, yAxisID: 'y' },
              { type: 'line', label: 'Conversion', data: at('conversion_bp'), color: COLORS.orange, yAxisID: 'y1', fmt: WH.bp },
            ],
            table: { caption: 'Calls per day', rows, total: s, columns: [dayCol, col('dials', 'Dials'), col('connects', 'Connects'),
              col('connect_rate_bp', 'Connect rate'), col('deals', 'Deals won'), col('conversion_bp', 'Conversion')] } }),
          chartCard({ name: 'bpo-talk', heading: 'Talk time', note,
            description: `Bar chart of talk time in hours per day (${scopeText}), ${span}.`,
            labels, axes: { y: { title: 'Hours' } },
            datasets: [{ label: 'Talk time (hours)', data: at('talk_seconds').map(hours), color: COLORS.purple, fmt: (v) => `${v} h` }],
            table: { caption: 'Talk time and revenue per day', rows, total: s, columns: [dayCol, col('talk_seconds', 'Talk time'),
              col('revenue_cents', 'Revenue')] } })));
      }
    };
  }

  // The daily rows by date: one venture's freight rows as they are; hotels and campaigns summed
  // per day with the ratios recomputed from the sums (as the API computes its summary).
  function groupDays(kind, days) {
    const by = new Map();
    for (const d of days) {
      if (!by.has(d.date)) by.set(d.date, []);
      by.get(d.date).push(d);
    }
    const out = new Map();
    for (const date of [...by.keys()].sort()) {
      const list = by.get(date);
      const sum = { date };
      for (const r of list) {
        for (const [k, v] of Object.entries(r)) {
          if (k === 'date' || /_id$/.test(k) || /_bp$/.test(k) || k === 'adr_cents') continue;
          if (typeof v === 'number') sum[k] = (sum[k] || 0) + v;
        }
      }
      if (kind === 'freight') {
        sum.margin_bp = list.length === 1 ? list[0].margin_bp : ratio(sum.profit_cents, sum.revenue_cents, 10000);
        sum.coverage_bp = ratio(sum.loads_covered || 0, sum.loads_inbound || 0, 10000);
      } else if (kind === 'hotels') {
        sum.occupancy_bp = list.length === 1 ? list[0].occupancy_bp : ratio(sum.rooms_sold, sum.rooms_available, 10000);
        sum.adr_cents = list.length === 1 ? list[0].adr_cents : ratio(sum.room_revenue_cents, sum.rooms_sold, 1);
        sum.revpar_cents = ratio(sum.room_revenue_cents || 0, sum.rooms_available || 0, 1);
      } else if (kind === 'saas') {
        for (const k of ['logo_churn_bp', 'nrr_bp']) sum[k] = list.length === 1 ? list[0][k] : null;
      } else {
        sum.connect_rate_bp = list.length === 1 ? list[0].connect_rate_bp : ratio(sum.connects, sum.dials, 10000);
        sum.conversion_bp = list.length === 1 ? list[0].conversion_bp : ratio(sum.deals, sum.connects, 10000);
      }
      out.set(date, sum);
    }
    return out;
  }

  // The HOLDINGS dashboard: the figures as of today, a week and a month ago, and their chart.
  function holdingsCharts(content, dash) {
    content.append(headline('holdings', dash));
    const points = [...PERIODS].reverse().map(([k]) => ({ ...dash[k], key: k }));
    const labels = points.map((x) => shortDay(x.as_of));
    content.append(h('div.chart-grid', {},
      chartCard({ name: 'holdings-values', heading: 'Cash and asset value',
        note: 'Cash: the latest balance of each active account on or before the day. Asset value: the latest valuation (or the cost) of each asset held that day.',
        description: `Bar chart of cash and asset value as of ${points.map((x) => dayText(x.as_of)).join(', ')}.`,
        labels, axes: { y: { title: 'Dollars', tick: tickMoney } },
        datasets: [
          { label: 'Cash', data: points.map((x) => x.cash_cents), color: COLORS.blue, fmt: WH.money },
          { label: 'Asset value', data: points.map((x) => x.asset_value_cents), color: COLORS.green, fmt: WH.money },
        ],
        table: { caption: 'Cash and asset value', unit: 'date', rows: points, total: null, columns: [
          { label: 'As of', value: (r) => dayText(r.as_of) },
          { label: 'Cash', num: true, value: (r) => WH.money(r.cash_cents) },
          { label: 'Asset value', num: true, value: (r) => WH.money(r.asset_value_cents) },
          { label: 'Active accounts', num: true, value: (r) => int(r.bank_accounts) },
          { label: 'Assets held', num: true, value: (r) => int(r.assets) }] } })));
  }

  for (const kind of Object.keys(TYPES)) WH.screen(TYPES[kind].path, dashboard(kind));

  // The pieces the report screens (reports.js) are built from.
  WH.dash = { periodPicker, chartCard, control, dashVenture, rangePresets, rangeText, fmtField, tickMoney,
    COLORS, TYPES, TYPE_LABELS, destroyCharts, int, addDays, firstOfMonth, isDay };

  /* ------------------------------------------------------------------ Overview */

  WH.screen('/overview', async (content, ctx) => {
    destroyCharts(true);
    WH.title(content, ctx.label);
    const today = WH.today();
    const range = periodPicker(ctx.params, rangePresets(today), '30', today, []);
    content.append(range.warning ? h('p.warning', { role: 'status', text: range.warning }) : '', range.el);
    const ov = await WH.api('GET', `/overview${WH.qs({ from: range.from, to: range.to })}`);
    if (ctx.stale()) return;
    const t = ov.totals;
    content.append(h('section.card.headline', {},
      h('div.card-head', {}, h('h2', { text: `All ventures · ${rangeText(ov.from, ov.to)}` }),
        WH.exportLink('/overview', { from: range.from, to: range.to })),
      h('div.figures.kpi-figures.money-figures', {}, [['revenue_cents', 'Revenue'], ['cost_cents', 'Cost'], ['margin_cents', 'Margin'],
        ['margin_bp', 'Margin %'], ['cash_cents', `Cash on ${shortDay(ov.to)}`], ['asset_value_cents', `Asset value on ${shortDay(ov.to)}`]]
        .map(([k, lab]) => h('div.figure.kpi-tile', {}, h('span.label', { text: lab }),
          h('span.value', { 'data-testid': `overview-total-${k}`, 'data-value': String(t[k]), text: fmtField(k, t[k]) }))))));
    if (!ov.ventures.length) {
      WH.empty(content, 'You have no active venture in your scope, so there is nothing to sum.');
      return;
    }
    const costText = (v) => (v.cost_tracked ? WH.money(v.cost_cents) : 'not tracked');
    const tbody = h('tbody', {}, ov.ventures.map((v) => h('tr', { 'data-testid': `overview-venture-${v.code}` },
      h('th', { scope: 'row', 'data-label': 'Venture', text: `${v.name} (${v.code})` }),
      h('td', { 'data-label': 'Type', text: TYPE_LABELS[v.type] || v.type }),
      h('td.num', { 'data-label': 'Revenue', 'data-value': String(v.revenue_cents), text: WH.money(v.revenue_cents) }),
      h('td.num', { 'data-label': 'Cost', text: costText(v) }),
      h('td.num', { 'data-label': 'Margin', text: WH.money(v.margin_cents) }),
      h('td.num', { 'data-label': 'Margin %', text: WH.bp(v.margin_bp) }),
      h('td.num', { 'data-label': 'Cash', text: WH.money(v.cash_cents) }),
      h('td.num', { 'data-label': 'Asset value', text: WH.money(v.asset_value_cents) }))));
    content.append(h('div.table-wrap', {}, h('table.stack', {},
      h('caption.sr-only', { text: 'Every venture: revenue, cost and margin over the range; cash and asset value at its end' }),
      h('thead', {}, h('tr', {}, ['Venture', 'Type', 'Revenue', 'Cost', 'Margin', 'Margin %', 'Cash', 'Asset value']
        .map((x, i) => h(`th${i > 1 ? '.num' : ''}`, { scope: 'col', text: x })))), tbody)));
    content.append(h('p.muted.small', { text: 'Revenue and cost come from the daily KPI rows of the range (a day not yet aggregated counts 0); SaaS revenue is MRR × 12 / 365 per day; BPO, SaaS and holdings do not track cost.' }));
    const moneyOf = (type) => (type === 'HOLDINGS'
      ? [['cash_cents', 'Cash', COLORS.blue], ['asset_value_cents', 'Asset value', COLORS.green]]
      : [['revenue_cents', 'Revenue', COLORS.blue], ['cost_cents', 'Cost', COLORS.grey], ['margin_cents', 'Margin', COLORS.green]]);
    /* a chart per venture type with figures; a type whose ventures show nothing but zeros gets a
     * line instead of an empty chart */
    const types = [...new Set(ov.ventures.map((v) => v.type))];
    const hasFigures = (type) => ov.ventures.some((v) => v.type === type && moneyOf(type).some(([k]) => v[k] !== 0));
    const quiet = types.filter((type) => !hasFigures(type));
    content.append(h('div.chart-grid', {}, types.filter(hasFigures).map((type) => {
      const vs = ov.ventures.filter((v) => v.type === type);
      const money = moneyOf(type);
      return chartCard({ name: `overview-${type.toLowerCase()}`, heading: TYPE_LABELS[type] || type,
        description: `Bar chart of ${money.map((m) => m[1].toLowerCase()).join(', ')} per ${TYPE_LABELS[type] || type} venture, ${rangeText(ov.from, ov.to)}.`,
        labels: vs.map((v) => v.code), axes: { y: { title: 'Dollars', tick: tickMoney } },
        datasets: money.map(([k, lab, color]) => ({ label: lab, data: vs.map((v) => v[k]), color, fmt: WH.money })),
        table: { caption: `${TYPE_LABELS[type] || type} ventures`, unit: 'venture', rows: vs, total: null, columns: [
          { label: 'Venture', value: (v) => v.name }, ...money.map(([k, lab]) => ({ label: lab, num: true, value: (v) => WH.money(v[k]) }))] } });
    })));
    if (quiet.length) {
      content.append(h('p.muted', { 'data-testid': 'overview-quiet', text: `No figures in this period for ${quiet.map((t) => TYPE_LABELS[t] || t).join(', ')}: no chart is drawn for them.` }));
    }
  });

  /* ------------------------------------------------------------------ Leaderboard */

  function leaderVenture(param) {
    const vs = WH.ventures();
    const wanted = Number(param) || WH.ventureId();
    return vs.some((v) => v.id === wanted) ? wanted : (vs[0] ? vs[0].id : null);
  }

  WH.screen('/leaderboard', async (content, ctx) => {
    WH.title(content, ctx.label);
    const p = ctx.params;
    const vs = WH.ventures();
    const ventureId = leaderVenture(p.venture);
    if (!ventureId) {
      WH.empty(content, 'You are not a member of any venture yet, so there is no leaderboard to show. Ask an administrator to add you to your venture.');
      return;
    }
    const today = WH.today();
    const offices = ((WH.state.me && WH.state.me.offices) || []).filter((o) => o.venture_id === ventureId);
    const office = offices.some((o) => String(o.id) === p.office) ? Number(p.office) : null;
    const extra = [];
    if (vs.length > 1) {
      extra.push({ name: 'venture', el: control({ name: 'venture', label: 'Venture', value: String(ventureId),
        options: vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }) });
    }
    if (offices.length > 1) {
      extra.push({ name: 'office', el: control({ name: 'office', label: 'Office', value: office ? String(office) : '',
        options: [['', 'All offices'], ...offices.map((o) => [String(o.id), o.name])] }) });
    }
    const range = periodPicker(p, [
      ['week', 'This week', () => [mondayOf(today), today]],
      ['month', 'This month', () => [firstOfMonth(today), today]],
      ['30', 'Last 30 days', () => [addDays(today, -29), today]],
    ], 'week', today, extra);
    for (const e of extra) e.el.querySelector('select').addEventListener('change', () => {
      if (e.name === 'venture') { const o = range.el.elements.namedItem('office'); if (o) o.value = ''; }
      range.el.requestSubmit();
    });
    if (range.warning) content.append(h('p.warning', { role: 'status', text: range.warning }));
    content.append(range.el);

    const board = await WH.api('GET', `/gamification/leaderboard${WH.qs({ venture_id: ventureId, office_id: office, from: range.from, to: range.to, limit: 50 })}`);
    if (ctx.stale()) return;
    const items = board.items || [];
    const v = vs.find((x) => x.id === ventureId);
    const where = `${v.name}${office ? ` · ${offices.find((o) => o.id === office).name}` : ''}`;
    content.append(h('p.lead', { text: `${where} · ${rangeText(range.from, range.to)}` }));
    if (!items.length) {
      content.append(h('div.empty', {},
        h('p', { text: 'Nobody has earned points in this period yet.' }),
        h('p', { text: 'Points come from work recorded in Wheelhouse: end-of-day reports (10, and 25 more for five in a week), delivered loads (25), completed calls (3), review responses (8) and resolved disputes (15). Choose a longer period to see earlier points.' })));
      return;
    }
    const counts = new Map();
    for (const it of items) counts.set(it.rank, (counts.get(it.rank) || 0) + 1);
    const me = WH.state.me.user.id;
    const mine = items.find((it) => it.user_id === me);
    if (mine) {
      content.append(h('p', { 'data-testid': 'leaderboard-me' }, 'You are ', h('strong', { text: `${counts.get(mine.rank) > 1 ? 'tied ' : ''}#${mine.rank}` }),
        ` with ${int(mine.points)} point${mine.points === 1 ? '' : 's'}.`));
    }
    const tbody = h('tbody', {}, items.map((it) => {
      const tied = counts.get(it.rank) > 1;
      return h(`tr${it.user_id === me ? '.me' : ''}${it.rank <= 3 ? `.top${it.rank}` : ''}`, { 'data-rank': String(it.rank) },
        h('td.num.rank', { 'data-label': 'Rank', 'data-testid': 'leaderboard-rank' }, tied ? `=${it.rank}` : String(it.rank),
          tied ? h('span.sr-only', { text: ' (tied)' }) : null),
        h('th', { scope: 'row', 'data-label': 'Person' }, it.full_name, it.user_id === me ? h('span.badge', { text: 'You' }) : null),
        h('td.num', { 'data-label': 'Points', text: int(it.points) }));
    }));
    content.append(h('div.table-wrap.leaderboard-wrap', {}, h('table.leaderboard', {},
      h('caption.sr-only', { text: `Leaderboard for ${where}, ${rangeText(range.from, range.to)}; people with the same points share a rank` }),
      h('thead', {}, h('tr', {}, h('th.num', { scope: 'col', text: 'Rank' }), h('th', { scope: 'col', text: 'Person' }), h('th.num', { scope: 'col', text: 'Points' }))),
      tbody)),
    h('p.muted.small', { text: `${items.length === 50 ? 'The top 50 are shown. ' : ''}People with the same points share a rank, shown as "=2"; the next rank skips the tied places.` }));
  });

  /* ------------------------------------------------------------------ My incentives */

  const PAYOUT_STATUS = {
    CALCULATED: ['Calculated, awaiting approval', 'warn'],
    APPROVED: ['Approved, to be paid', ''],
    PAID: ['Paid', 'good'],
  };

  WH.screen('/incentives/me', async (content, ctx) => {
    WH.title(content, ctx.label);
    const p = ctx.params;
    const today = WH.today();
    const lastMonth = addDays(firstOfMonth(today), -1);
    const range = periodPicker(p, [
      ['month', 'This month', () => [firstOfMonth(today), today]],
      ['lastmonth', 'Last month', () => [firstOfMonth(lastMonth), lastOfMonth(lastMonth)]],
      ['30', 'Last 30 days', () => [addDays(today, -29), today]],
      ['90', 'Last 90 days', () => [addDays(today, -89), today]],
    ], 'month', today);
    if (range.warning) content.append(h('p.warning', { role: 'status', text: range.warning }));
    content.append(range.el);

    const me = WH.state.me.user.id;
    const mayReadAll = WH.can('incentives.read');
    const [rows, payouts, plans] = await Promise.all([
      WH.allItems('/me/incentives', { from: range.from, to: range.to }, 20),
      mayReadAll ? WH.allItems('/incentives/payouts', {}, 10).then((items) => items.filter((x) => x.user_id === me)) : Promise.resolve(null),
      mayReadAll ? WH.allItems('/incentives/plans', {}, 2).catch(() => []) : Promise.resolve([]),
    ]);
    if (ctx.stale()) return;
    const planById = new Map(plans.map((x) => [x.id, x]));
    const ruleById = new Map(plans.flatMap((x) => (x.rules || []).map((r) => [r.id, r])));
    const ventureName = WH.ventureName;
    const partText = (b) => {
      const plan = planById.get(b.plan_id);
      const rule = ruleById.get(b.rule_id);
      return `${plan ? plan.name : `Plan ${b.plan_id}`} · ${rule ? `${WH.titleCase(rule.metric)} (${WH.titleCase(rule.calc_type)})` : `rule ${b.rule_id}`}: ${WH.money(b.amount_cents)}`;
    };

    const total = rows.reduce((s, r) => s + r.amount_cents, 0);
    const ventures = [...new Set(rows.map((r) => r.venture_id))];
    const best = rows.reduce((b, r) => (!b || r.amount_cents > b.amount_cents ? r : b), null);
    content.append(h('p.lead', { text: rangeText(range.from, range.to) }),
      h('div.figures', {},
        h('div.figure', {}, h('span.value', { 'data-testid': 'incentives-total', 'data-value': String(total), text: WH.money(total) }), h('span.label', { text: 'earned in this period' })),
        h('div.figure', {}, h('span.value', { text: String(rows.length) }), h('span.label', { text: `day${rows.length === 1 ? '' : 's'} with an incentive` })),
        h('div.figure', {}, h('span.value', { text: best ? WH.money(best.amount_cents) : '—' }), h('span.label', { text: best ? `best day (${dayText(best.date)})` : 'best day' })),
        ventures.length > 1 ? ventures.map((id) => h('div.figure', {},
          h('span.value', { text: WH.money(rows.filter((r) => r.venture_id === id).reduce((s, r) => s + r.amount_cents, 0)) }),
          h('span.label', { text: ventureName(id) }))) : null));

    content.append(h('h2', { text: 'Daily incentives' }));
    if (!rows.length) {
      content.append(h('div.empty', {},
        h('p', { text: 'No incentive is recorded for you in this period.' }),
        h('p', { text: 'Incentives are worked out each morning for the day before from your venture\u2019s incentive plan. If you expected one, ask your manager whether a plan applies to your role, or choose another period.' })));
    } else {
      const multi = ventures.length > 1;
      content.append(h('div.table-wrap', {}, h('table.stack.dense.incentive-days', {},
        h('caption.sr-only', { text: `Your daily incentives, ${rangeText(range.from, range.to)}, newest first` }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Day' }), multi ? h('th', { scope: 'col', text: 'Venture' }) : null,
          h('th.num', { scope: 'col', text: 'Amount' }), h('th', { scope: 'col', text: 'How it was earned' }))),
        h('tbody', {}, rows.map((r) => h('tr', {},
          h('th', { scope: 'row', 'data-label': 'Day', text: dayText(r.date, { year: 'numeric' }) }),
          multi ? h('td', { 'data-label': 'Venture', text: ventureName(r.venture_id) }) : null,
          h('td.num', { 'data-label': 'Amount', text: WH.money(r.amount_cents) }),
          h('td', { 'data-label': 'How it was earned' }, (r.breakdown || []).length
            ? h('ul.plain-parts', {}, r.breakdown.map((b) => h('li', { text: partText(b) }))) : h('span.muted', { text: '—' }))))),
        h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: 'Period total' }), multi ? h('td', {}) : null,
          h('td.num', { 'data-label': 'Amount', text: WH.money(total) }), h('td.foot-empty', {}))))));
    }

    content.append(h('h2.section-gap', { text: 'Payouts' }));
    if (payouts === null) {
      content.append(h('p.empty', { text: 'Payouts are shown by finance: they generate, approve and pay the payouts for each period. Ask your finance team about a payout\u2019s status.' }));
      return;
    }
    if (!payouts.length) {
      content.append(h('p.empty', { text: 'No payout has been generated for you yet. Finance generates payouts for a period from the daily incentives, then approves and pays them.' }));
      return;
    }
    content.append(h('div.table-wrap', {}, h('table.stack.dense.payouts-mine', {},
      h('caption.sr-only', { text: 'Your payouts, newest first' }),
      h('thead', {}, h('tr', {}, ['Period', 'Venture', 'Amount', 'Status'].map((t) => h(`th${t === 'Amount' ? '.num' : ''}`, { scope: 'col', text: t })))),
      h('tbody', {}, payouts.map((x) => {
        const [text, cls] = PAYOUT_STATUS[x.status] || [WH.titleCase(x.status), ''];
        return h('tr', {},
          h('th', { scope: 'row', 'data-label': 'Period', text: rangeText(x.period_start, x.period_end) }),
          h('td', { 'data-label': 'Venture', text: ventureName(x.venture_id) }),
          h('td.num', { 'data-label': 'Amount', text: WH.money(x.amount_cents) }),
          h('td', { 'data-label': 'Status' }, h(`span.status${cls ? `.${cls}` : ''}`, { text })));
      })))));
  });
})();
