/* Wheelhouse web UI: the reports (API-wave2 "Reports", docs/reports.md), registered with
 * WH.screen and built from the dashboards' pieces (WH.dash: period picker, chart card).
 *   /freight/reports   tabs Shippers, Lanes, Dispatchers, Lost reasons (?report=)
 *   /hotels/reports    hotel P&L by property (?hotel= one hotel)
 *   /bpo/reports       agent performance (?campaign= one campaign)
 * Each: a venture choice when several ventures of the type are in scope (the top bar's venture
 * wins when it is of the type), a period (presets or custom dates, kept in the URL), the report
 * as a table with its totals row (money in dollars, ratios as %), an "Export CSV" link (the same
 * query with format=csv) and one chart of the leading rows. Test hooks: [data-testid=
 * "report-table"], "report-totals", "report-export", "chart-report-<name>". */
'use strict';

(function () {
  const { h } = WH;
  const D = WH.dash;

  const FREIGHT_PL = [
    ['loads', 'Loads'], ['revenue_cents', 'Revenue'], ['cost_cents', 'Cost'], ['margin_cents', 'Margin'],
    ['margin_bp', 'Margin %'],
  ];
  const orDash = (v) => (v === null || v === undefined || v === '' ? '—' : v);

  // Each report: its API path, identity column (label, text of a row; null row: noneText),
  // figure columns [field, label], and the chart: the figures drawn per row.
  const REPORTS = {
    shippers: {
      tab: 'Shippers', api: '/reports/freight/shippers', what: 'shipper', key: 'shipper_id',
      name: (r) => (r.shipper_id === null ? 'No shipper' : `${r.shipper_name} (${r.shipper_code})`),
      short: (r) => (r.shipper_id === null ? 'No shipper' : r.shipper_code),
      figures: FREIGHT_PL, chart: [['revenue_cents', 'Revenue', 'blue'], ['cost_cents', 'Cost', 'grey'], ['margin_cents', 'Margin', 'green']],
      note: 'Delivered loads billed in the period, by shipper. Order: revenue, highest first.',
    },
    lanes: {
      tab: 'Lanes', api: '/reports/freight/lanes', what: 'lane',
      name: (r) => `${r.origin_state} → ${r.destination_state}`,
      figures: [...FREIGHT_PL, ['miles', 'Miles'], ['revenue_per_mile_cents', 'Revenue / mile']],
      chart: [['revenue_cents', 'Revenue', 'blue'], ['cost_cents', 'Cost', 'grey'], ['margin_cents', 'Margin', 'green']],
      note: 'Delivered loads billed in the period, by pickup and drop state. Order: revenue, highest first.',
    },
    dispatchers: {
      tab: 'Dispatchers', api: '/reports/freight/dispatchers', what: 'dispatcher', key: 'dispatcher_id',
      name: (r) => (r.dispatcher_id === null ? 'No dispatcher' : orDash(r.dispatcher_name)),
      figures: FREIGHT_PL, chart: [['revenue_cents', 'Revenue', 'blue'], ['cost_cents', 'Cost', 'grey'], ['margin_cents', 'Margin', 'green']],
      note: 'Delivered loads billed in the period, by dispatcher. Order: revenue, highest first.',
    },
    'lost-reasons': {
      tab: 'Lost reasons', api: '/reports/freight/lost-reasons', what: 'reason',
      name: (r) => WH.titleCase(r.lost_reason_code),
      figures: [['loads', 'Loads lost'], ['lost_revenue_cents', 'Lost revenue']],
      chart: [['loads', 'Loads lost', 'red']],
      note: 'Loads lost in the period (the day of their move to Lost), by reason. Order: loads, most first.',
    },
    hotels: {
      api: '/reports/hotels', what: 'hotel',
      name: (r) => `${r.hotel_name} (${r.hotel_code})`,
      short: (r) => r.hotel_code,
      // room and other revenue, refunds and lost dues are in the CSV export; the table shows
      // their sums (total revenue, losses)
      figures: [['days', 'Days'], ['occupancy_bp', 'Occupancy'], ['adr_cents', 'ADR'], ['revpar_cents', 'RevPAR'],
        ['total_revenue_cents', 'Total revenue'], ['losses_cents', 'Losses'],
        ['net_revenue_cents', 'Net revenue'], ['high_loss_days', 'High-loss days']],
      chart: [['total_revenue_cents', 'Total revenue', 'blue'], ['losses_cents', 'Losses', 'red'], ['net_revenue_cents', 'Net revenue', 'green']],
      note: 'Daily entries of the period, per active hotel (and any hotel with an entry). Order: total revenue, highest first.',
    },
    agents: {
      api: '/reports/bpo/agents', what: 'agent',
      name: (r) => r.full_name,
      figures: [['calls', 'Calls'], ['dials', 'Dials'], ['connects', 'Connects'], ['appointments', 'Appoint­ments'], ['deals', 'Deals'],
        ['talk_seconds', 'Talk time'], ['revenue_cents', 'Revenue'], ['connect_rate_bp', 'Connect rate'], ['conversion_bp', 'Conver­sion']],
      chart: [['deals', 'Deals', 'green'], ['connects', 'Connects', 'blue']],
      note: 'Calls started in the period, per agent (every active agent, and anyone with a call). Order: deals, then revenue.',
    },
  };
  const FREIGHT_TABS = ['shippers', 'lanes', 'dispatchers', 'lost-reasons'];
  const CHART_ROWS = 12;

  const cell = (field, v) => D.fmtField(field, v);

  function reportTable(spec, rep, identity) {
    const cols = spec.figures;
    const head = h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: identity }),
      cols.map(([, lab]) => h('th.num', { scope: 'col', text: lab }))));
    const body = h('tbody', {}, rep.items.map((r) => h('tr', {},
      h('th', { scope: 'row', 'data-label': identity, text: spec.name(r) }),
      cols.map(([f, lab]) => h('td.num', { 'data-label': lab, 'data-field': f, text: cell(f, r[f]) })))));
    const foot = h('tfoot', {}, h('tr', { 'data-testid': 'report-totals' },
      h('th', { scope: 'row', 'data-label': identity, text: 'Total' }),
      cols.map(([f, lab]) => h('td.num', { 'data-label': lab, 'data-field': f, 'data-value': String(rep.totals[f]),
        text: cell(f, rep.totals[f]) }))));
    return h('div.table-wrap', {}, h('table.stack.dense.report-table', { 'data-testid': 'report-table' },
      h('caption.sr-only', { text: `${identity} report, ${D.rangeText(rep.from, rep.to)}` }), head, body, foot));
  }

  function reportChart(key, spec, rep) {
    const rows = rep.items.slice(0, CHART_ROWS);
    const money = spec.chart.some(([f]) => /_cents$/.test(f));
    return D.chartCard({
      name: `report-${key}`, heading: `Leading ${spec.what}s`,
      note: rep.items.length > CHART_ROWS ? `The first ${CHART_ROWS} of ${rep.items.length} rows, in the report's order.` : null,
      description: `Bar chart of ${spec.chart.map((c) => c[1].toLowerCase()).join(', ')} per ${spec.what}, ${D.rangeText(rep.from, rep.to)}.`,
      labels: rows.map((r) => (spec.short || spec.name)(r)),
      axes: { y: money ? { title: 'Dollars', tick: D.tickMoney } : { title: 'Count', precision: 0 } },
      datasets: spec.chart.map(([f, lab, color]) => ({ label: lab, data: rows.map((r) => r[f]), color: D.COLORS[color],
        maxBarThickness: 56, fmt: (v) => cell(f, v) })),
      table: { caption: `Leading ${spec.what}s`, unit: spec.what, rows, total: null,
        columns: [{ label: WH.titleCase(spec.what), value: (r) => spec.name(r) },
          ...spec.chart.map(([f, lab]) => ({ label: lab, num: true, value: (r) => cell(f, r[f]) }))] },
    });
  }

  // One report screen. kind: the TYPES key of dashboards (freight, hotels, bpo); tabs: the
  // report keys offered as tabs (freight) or one key.
  function reportScreen(kind, tabs, filter) {
    return async (content, ctx) => {
      D.destroyCharts(true);
      WH.title(content, ctx.label);
      const t = D.TYPES[kind];
      const p = ctx.params;
      const key = tabs.includes(p.report) ? p.report : tabs[0];
      const spec = REPORTS[key];
      const pick = D.dashVenture(t, p);
      if (!pick.id) {
        WH.empty(content, `You have no ${t.noun} venture in your scope, so there is no report to show. Ask an administrator to add you to one.`);
        return;
      }
      const venture = pick.vs.find((v) => v.id === pick.id);
      if (tabs.length > 1) {
        content.append(h('nav.tabs', { 'aria-label': 'Report' }, tabs.map((k) => h('a.tab', {
          href: `#${t.path}/reports${WH.qs({ ...p, report: k })}`, 'aria-current': k === key ? 'page' : null,
          text: REPORTS[k].tab }))));
      }
      const extra = [];
      if (pick.choice) {
        extra.push({ name: 'venture', el: D.control({ name: 'venture', label: 'Venture', value: String(pick.id),
          options: pick.vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }) });
      }
      let choices = [];
      if (filter && WH.can(filter.perm)) {
        choices = await WH.allItems(filter.list, { venture_id: pick.id }, 2).catch(() => []);
        if (ctx.stale()) return;
        if (choices.length > 1) {
          extra.push({ name: filter.param, el: D.control({ name: filter.param, label: filter.label,
            value: choices.some((x) => String(x.id) === p[filter.param]) ? p[filter.param] : '',
            options: [['', filter.all], ...choices.map((x) => [String(x.id), x.code ? `${x.name} (${x.code})` : x.name])] }) });
        }
      }
      const today = WH.today();
      const range = D.periodPicker(p, [
        ['7', 'Last 7 days', () => [D.addDays(today, -6), today]],
        ['30', 'Last 30 days', () => [D.addDays(today, -29), today]],
        ['month', 'This month', () => [D.firstOfMonth(today), today]],
        ['90', 'Last 90 days', () => [D.addDays(today, -89), today]],
      ], '30', today, extra);
      const chosen = filter && choices.some((x) => String(x.id) === p[filter.param]) ? Number(p[filter.param]) : null;
      const query = { venture_id: pick.id, from: range.from, to: range.to };
      if (filter && chosen) query[filter.api] = chosen;
      content.append(h('p.lead', { text: `${venture.name} (${venture.code}) · ${D.TYPE_LABELS[venture.type] || WH.titleCase(venture.type)}` }),
        range.warning ? h('p.warning', { role: 'status', text: range.warning }) : '', range.el);
      const rep = await WH.api('GET', `${spec.api}${WH.qs(query)}`);
      if (ctx.stale()) return;
      const identity = spec.tab ? spec.tab.replace(/s$/, '') : WH.titleCase(spec.what);
      content.append(h('div.card-head', {},
        h('h2', { text: `${spec.tab || WH.titleCase(spec.what) + 's'} · ${D.rangeText(rep.from, rep.to)}` }),
        h('a.button.secondary', { href: `${WH.API}${spec.api}${WH.qs({ ...query, format: 'csv' })}`, download: '',
          'data-testid': 'report-export', text: 'Export CSV' })),
      h('p.muted.small', { text: spec.note }));
      if (!rep.items.length) {
        WH.empty(content, `Nothing to report for ${venture.name} in this period. Choose a longer period above.`);
        return;
      }
      content.append(reportTable(spec, rep, identity));
      content.append(h('div.chart-grid', {}, reportChart(key, spec, rep)));
    };
  }

  WH.screen('/freight/reports', reportScreen('freight', FREIGHT_TABS, null));
  WH.screen('/hotels/reports', reportScreen('hotels', ['hotels'],
    { perm: 'hotels.read', list: '/hotels', param: 'hotel', api: 'hotel_id', label: 'Hotel', all: 'All hotels' }));
  WH.screen('/bpo/reports', reportScreen('bpo', ['agents'],
    { perm: 'bpo.read', list: '/bpo/campaigns', param: 'campaign', api: 'campaign_id', label: 'Campaign', all: 'All campaigns' }));
})();
