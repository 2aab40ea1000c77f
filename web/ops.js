/* Wheelhouse web UI: Operations screens (registered with WH.screen).
 *   /eod        End of day: the caller's report for today (or an earlier day still open for
 *               changes, docs/eod.md: today and up to 14 days back) and their earlier reports.
 *   /eod/team   Team EOD: for one day and venture, who submitted and who did not, each report
 *               readable in place; or (?view=week&week=<a day of the week>) a week at a glance:
 *               members × Monday–Sunday, ✓ where a report was filed. */
'use strict';

(function () {
  const { h } = WH;
  const WINDOW_DAYS = 14; // docs/eod.md "Filing window"

  /* ------------------------------------------------------------------ days */

  const { is: isDay, parse: parseDay, add: addDays, text: dayText } = WH.day;
  const longDay = (s) => parseDay(s).toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const timeText = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
  const hoursText = (v) => (v === null || v === undefined ? '—' : `${v} h`);

  const ventureName = (id) => {
    const v = WH.ventures().find((x) => x.id === id);
    return v ? v.name : `Venture ${id}`;
  };

  // The venture a screen works in: the URL's, else the top bar's, else the caller's first.
  function pickVenture(param) {
    const vs = WH.ventures();
    const wanted = Number(param) || WH.ventureId();
    return vs.some((v) => v.id === wanted) ? wanted : (vs[0] ? vs[0].id : null);
  }

  // Long text of a report, kept readable: paragraphs as written.
  const prose = (text) => h('div.prose', {}, String(text || '').split(/\n{2,}/).map((p) => h('p', { text: p })));

  function reportFacts(r) {
    return h('div.report', {},
      h('h3', { text: 'Summary' }), prose(r.summary),
      r.accomplishments ? [h('h3', { text: 'Accomplishments' }), prose(r.accomplishments)] : null,
      r.blockers ? [h('h3', { text: 'Blockers' }), prose(r.blockers)] : null,
      r.tomorrow_plan ? [h('h3', { text: 'Plan for tomorrow' }), prose(r.tomorrow_plan)] : null,
      h('p.muted.small', {}, `Hours worked: ${hoursText(r.hours_worked)} · submitted ${WH.dateTime(r.created_at)}`,
        r.updated_at && r.updated_at !== r.created_at ? ` · last changed ${WH.dateTime(r.updated_at)}` : ''));
  }

  /* ------------------------------------------------------------------ End of day */

  WH.screen('/eod', async (content, ctx) => {
    const me = WH.state.me;
    const today = WH.today();
    const earliest = addDays(today, -WINDOW_DAYS);
    WH.title(content, ctx.label);
    const vs = WH.ventures();
    if (!vs.length) {
      WH.empty(content, 'You are not a member of any venture yet, so there is nowhere to file a report. Ask your manager or an administrator to add you to your venture.');
      return;
    }
    const ventureId = pickVenture(ctx.params.venture);
    const asked = ctx.params.date;
    const date = isDay(asked) && asked >= earliest && asked <= today ? asked : today;
    const mayWrite = WH.can('eod.write');

    // The caller's reports of the filing window in this venture: the chosen day's, and the
    // weekdays still without one.
    const recent = await WH.allItems('/eod-reports', { user_id: me.user.id, venture_id: ventureId, from: earliest, to: today }, 1);
    if (ctx.stale()) return;
    let existing = recent.find((r) => r.date === date) || null;
    const filed = new Set(recent.map((r) => r.date));
    const missing = [];
    for (let d = addDays(today, -1); d >= earliest && missing.length < 5; d = addDays(d, -1)) {
      const wd = parseDay(d).getDay();
      if (wd !== 0 && wd !== 6 && !filed.has(d)) missing.push(d);
    }
    if (asked && asked !== date) {
      content.append(h('p.warning', { role: 'status', text: asked > today
        ? `${isDay(asked) ? dayText(asked) : asked} has not happened yet, so there is no report to file for it. Showing today.`
        : `Reports can be filed or changed only for today and the ${WINDOW_DAYS} days before it. Showing today.` }));
    }

    const go = (patch) => WH.setParams({ venture: String(ventureId), date, ...patch });
    const context = h('div.eod-context', {},
      vs.length > 1 ? WH.contextControl({ name: 'venture', label: 'Venture', value: String(ventureId),
        options: vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }, (v) => go({ venture: v })) : null,
      WH.contextControl({ name: 'date', label: 'Day', type: 'date', value: date, min: earliest, max: today },
        (v) => { if (isDay(v)) go({ date: v }); }),
      date !== today ? h('a.button-link', { href: `#/eod${WH.qs({ venture: ventureId })}`, text: 'Back to today' }) : null);

    const heading = date === today ? `Today's report · ${dayText(date)}` : `Report for ${longDay(date)}`;
    const state = () => (existing
      ? `Submitted ${WH.dateTime(existing.created_at)}${existing.updated_at !== existing.created_at ? `, last changed ${WH.dateTime(existing.updated_at)}` : ''}. You can change it until ${dayText(addDays(date, WINDOW_DAYS))}.`
      : (date === today ? 'Not submitted yet. Fill in at least the summary.' : 'No report for this day yet. You can still file one.'));
    const stateLine = h('p.muted.eod-state', { text: state() });
    const badge = h('span.status', {});
    const setBadge = () => {
      badge.className = `status ${existing ? 'good' : 'bad'}`;
      badge.textContent = existing ? 'Submitted' : 'Not submitted';
    };
    setBadge();

    const fields = [
      { name: 'summary', label: 'Summary', type: 'textarea', required: true, wide: true, rows: 4, maxlength: 10000,
        value: existing && existing.summary, hint: date === today ? 'What you worked on today, in a few lines.' : 'What you worked on that day, in a few lines.' },
      { name: 'accomplishments', label: 'Accomplishments', type: 'textarea', rows: 4, maxlength: 10000,
        value: existing && existing.accomplishments },
      { name: 'blockers', label: 'Blockers', type: 'textarea', rows: 4, maxlength: 10000,
        value: existing && existing.blockers, hint: 'Anything your lead should know about.' },
      { name: 'tomorrow_plan', label: 'Plan for tomorrow', type: 'textarea', rows: 4, maxlength: 10000,
        value: existing && existing.tomorrow_plan },
      { name: 'hours_worked', label: 'Hours worked', type: 'text', placeholder: 'e.g. 7.5', wide: true,
        value: existing && existing.hours_worked !== null ? String(existing.hours_worked) : '' },
    ];
    let history = null;
    const formEl = mayWrite ? WH.form({
      fields,
      nullEmpty: true,
      submitLabel: existing ? 'Save changes' : 'Submit report',
      toBody: (body) => {
        if (body.hours_worked !== null && body.hours_worked !== undefined) {
          const t = String(body.hours_worked).replace(',', '.');
          const n = Number(t);
          if (!/^\d+(\.\d+)?$/.test(t) || n > 24) {
            throw new WH.ApiError(400, { detail: 'Some fields need attention.',
              errors: [{ field: 'hours_worked', message: 'must be a number of hours from 0 to 24, like 7.5' }] });
          }
          body.hours_worked = n;
        }
        return body;
      },
      submit: (body, write) => write('PUT', `/eod-reports/${ventureId}/${date}`, body),
      onDone: (out, notice, form) => {
        const first = !existing;
        existing = out;
        notice.textContent = first ? 'Report submitted. Thank you!' : 'Changes saved.';
        form.querySelector('button[type=submit]').textContent = 'Save changes';
        stateLine.textContent = state();
        setBadge();
        if (history) history.reload();
      },
    }) : null;

    const gaps = missing.length && mayWrite ? h('p.gaps', {}, h('span.muted', { text: 'Weekdays without a report: ' }),
      missing.reverse().map((d) => h('a.tab', { href: `#/eod${WH.qs({ venture: ventureId, date: d })}`, text: dayText(d),
        'aria-current': d === date ? 'page' : null, 'aria-label': `File the report for ${dayText(d)}` }))) : null;
    content.append(h('section.card.eod-today', { 'aria-label': heading },
      h('div.eod-head', {}, h('h2', { text: heading }), badge),
      context, stateLine, gaps,
      formEl || h('p', { text: 'Your role does not file end-of-day reports.' })));
    if (formEl) formEl.classList.remove('card');

    // Earlier reports of the caller (in the top-bar venture, or all of theirs).
    const multi = vs.length > 1 && !WH.ventureId();
    content.append(h('h2', { text: 'Your reports' }));
    history = WH.list({
      path: '/eod-reports',
      query: { user_id: me.user.id, venture_id: WH.ventureId() },
      caption: 'Your end-of-day reports, newest first',
      empty: 'No reports yet. Your reports appear here after you submit the form above.',
      columns: [
        { label: 'Day', className: 'nowrap', render: (r) => dayText(r.date, { year: 'numeric' }) },
        multi ? { label: 'Venture', render: (r) => ventureName(r.venture_id) } : null,
        { label: 'Report', render: (r) => h('details.report-more', {},
          h('summary', { text: r.summary.length > 140 ? `${r.summary.slice(0, 140)}…` : r.summary }), reportFacts(r)) },
        { label: 'Hours', className: 'num', render: (r) => hoursText(r.hours_worked) },
        { label: 'Changes', render: (r) => (r.date >= earliest && mayWrite
          ? h('a', { href: `#/eod${WH.qs({ venture: r.venture_id, date: r.date })}`, text: 'Edit',
            'aria-label': `Edit the report for ${dayText(r.date)}` })
          : h('span.muted', { text: 'Closed' })) },
      ].filter(Boolean),
    });
    content.append(history.el, h('p.muted.small', { text: `Reports can be filed or changed for today and the ${WINDOW_DAYS} days before it.` }));
  });

  /* ------------------------------------------------------------------ Team EOD */

  const mondayOf = (s) => addDays(s, -((parseDay(s).getDay() + 6) % 7));

  // "Day" and "Week" as two links (the view is in the URL).
  function viewToggle(view, ventureId, date, office) {
    const keep = { venture: ventureId, office: office || '' };
    return h('nav.tabs.view-toggle', { 'aria-label': 'View' },
      h('a.tab', { href: `#/eod/team${WH.qs({ ...keep, date })}`, text: 'Day', 'aria-current': view === 'day' ? 'page' : null }),
      h('a.tab', { href: `#/eod/team${WH.qs({ ...keep, view: 'week', week: mondayOf(date) })}`, text: 'Week', 'aria-current': view === 'week' ? 'page' : null }));
  }

  // The week view: who filed a report on which day of one Monday–Sunday week (DOMAIN.md §5).
  async function teamWeek(content, ctx, ventureId, today) {
    const p = ctx.params;
    const vs = WH.ventures();
    const asked = isDay(p.week) ? mondayOf(p.week) : (isDay(p.date) ? mondayOf(p.date) : mondayOf(today));
    const monday = asked > today ? mondayOf(today) : asked;
    const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
    const sunday = days[6];
    const go = (patch) => WH.setParams({ view: 'week', venture: String(ventureId), week: monday, office: p.office || '', ...patch });

    const [people, reports] = await Promise.all([
      WH.allItems(`/ventures/${ventureId}/people`),
      WH.allItems('/eod-reports', { venture_id: ventureId, from: monday, to: sunday }),
    ]);
    if (ctx.stale()) return;
    const offices = new Map();
    for (const person of people) for (const o of person.offices || []) offices.set(o.id, o.name);
    const office = offices.has(Number(p.office)) ? Number(p.office) : null;

    const filed = new Map(); // user id -> Map(date -> report)
    for (const r of reports) {
      if (!filed.has(r.user_id)) filed.set(r.user_id, new Map());
      filed.get(r.user_id).set(r.date, r);
    }
    let rows = people.filter((x) => x.active || filed.has(x.id));
    for (const id of filed.keys()) {
      if (!people.some((x) => x.id === id)) rows.push({ id, full_name: `User ${id}`, role: '', offices: [], outsider: true });
    }
    if (office) rows = rows.filter((x) => (x.offices || []).some((o) => o.id === office));
    rows.sort((a, b) => a.full_name.localeCompare(b.full_name));

    const weekNav = h('div.day-nav', {},
      h('button.secondary', { type: 'button', text: '‹ Previous week', onclick: () => go({ week: addDays(monday, -7) }) }),
      WH.contextControl({ name: 'week', label: 'Week of', type: 'date', value: monday, max: today }, (v) => { if (isDay(v)) go({ week: mondayOf(v) }); }),
      h('button.secondary', { type: 'button', text: 'Next week ›', disabled: addDays(monday, 7) > today, onclick: () => go({ week: addDays(monday, 7) }) }),
      monday !== mondayOf(today) ? h('button.link', { type: 'button', text: 'This week', onclick: () => go({ week: mondayOf(today) }) }) : null);
    const pickers = h('div.eod-context', {},
      vs.length > 1 ? WH.contextControl({ name: 'venture', label: 'Venture', value: String(ventureId),
        options: vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }, (v) => go({ venture: v, office: '' })) : null,
      offices.size > 1 ? WH.contextControl({ name: 'office', label: 'Office', value: office ? String(office) : '',
        options: [['', 'All offices'], ...[...offices].sort((a, b) => a[1].localeCompare(b[1])).map(([id, n]) => [String(id), n])] },
      (v) => go({ office: v })) : null);
    content.append(viewToggle('week', ventureId, monday, p.office), h('div.filters.team-eod-filters', {}, weekNav, pickers));

    const weekdays = days.slice(0, 5).filter((d) => d <= today);
    const count = (x) => days.filter((d) => filed.has(x.id) && filed.get(x.id).has(d)).length;
    const complete = rows.filter((x) => weekdays.length && weekdays.every((d) => filed.has(x.id) && filed.get(x.id).has(d))).length;
    const none = rows.filter((x) => !count(x)).length;
    const total = rows.reduce((s, x) => s + count(x), 0);
    content.append(h('p.lead', { text: `Week of ${longDay(monday)} · ${ventureName(ventureId)}` }),
      h('div.figures', {},
        h('div.figure', {}, h('span.value', { text: String(total) }), h('span.label', { text: `report${total === 1 ? '' : 's'} this week` })),
        h('div.figure', {}, h('span.value', { text: `${complete} of ${rows.length}` }),
          h('span.label', { text: weekdays.length === 5 ? 'filed every weekday' : `filed every weekday so far (${weekdays.length})` })),
        h('div.figure', {}, h('span.value', { text: String(none) }), h('span.label', { text: 'no report yet this week' }))));

    if (!rows.length) {
      WH.empty(content, office ? 'Nobody in this office is a member of the venture. Choose another office or All offices.'
        : 'This venture has no active members yet. Members are added under Admin › Users.');
      return;
    }
    const dayLink = (d) => `#/eod/team${WH.qs({ venture: ventureId, date: d, office: p.office || '' })}`;
    const weekend = (d) => [0, 6].includes(parseDay(d).getDay());
    const head = h('tr', {}, h('th', { scope: 'col', text: 'Person' }),
      days.map((d) => h(`th.day-col${weekend(d) ? '.weekend' : ''}${d === today ? '.today' : ''}`, { scope: 'col' },
        d <= today ? h('a', { href: dayLink(d), 'aria-label': `${longDay(d)}: open the day view` },
          h('span.wd', { text: parseDay(d).toLocaleDateString([], { weekday: 'short' }) }), h('span.dm', { text: String(parseDay(d).getDate()) }))
          : [h('span.wd', { text: parseDay(d).toLocaleDateString([], { weekday: 'short' }) }), h('span.dm', { text: String(parseDay(d).getDate()) })])),
      h('th.num', { scope: 'col', text: 'Days' }));
    const body = rows.map((x) => h('tr', {},
      h('th', { scope: 'row' }, h('span.person', {}, h('strong', { text: x.full_name }),
        h('span.muted.small', { text: x.outsider ? 'not a member' : WH.titleCase(x.role) }))),
      days.map((d) => {
        const r = filed.has(x.id) ? filed.get(x.id).get(d) : null;
        const cls = `td.mark${weekend(d) ? '.weekend' : ''}${r ? '.yes' : (d > today ? '.future' : '.no')}`;
        if (r) {
          return h(cls, { title: `Submitted ${WH.dateTime(r.created_at)}` }, h('a', { href: dayLink(d),
            'aria-label': `${x.full_name}, ${dayText(d)}: submitted. Open the day view` }, '✓'));
        }
        return h(cls, {}, h('span', { 'aria-hidden': 'true', text: d > today ? '' : '—' }),
          h('span.sr-only', { text: d > today ? 'not yet' : 'not submitted' }));
      }),
      h('td.num', { text: String(count(x)) })));
    const foot = h('tr', {}, h('th', { scope: 'row', text: 'Submitted' }),
      days.map((d) => h(`td.mark${weekend(d) ? '.weekend' : ''}`, { text: d > today ? '' : `${rows.filter((x) => filed.has(x.id) && filed.get(x.id).has(d)).length}/${rows.length}` })),
      h('td.num', { text: String(total) }));
    content.append(h('div.table-wrap.week-wrap', {}, h('table.team-week', { 'data-testid': 'team-eod-week' },
      h('caption.sr-only', { text: `End-of-day reports in the week of ${longDay(monday)}: a check mark where a report was submitted, a dash where none was` }),
      h('thead', {}, head), h('tbody', {}, body), h('tfoot', {}, foot))),
    h('p.muted.small', { text: '✓ report submitted (select it to read the day), — none. Weekends are shaded; a week runs Monday to Sunday.' }));
  }

  WH.screen('/eod/team', async (content, ctx) => {
    const today = WH.today();
    WH.title(content, ctx.label);
    const vs = WH.ventures();
    if (!vs.length) {
      WH.empty(content, 'You are not a member of any venture yet, so there is no team to show. Ask an administrator to add you to your venture.');
      return;
    }
    const p = ctx.params;
    const ventureId = pickVenture(p.venture);
    if (p.view === 'week') {
      await teamWeek(content, ctx, ventureId, today);
      return;
    }
    const date = isDay(p.date) && p.date <= today ? p.date : today;
    const show = ['missing', 'submitted'].includes(p.show) ? p.show : 'all';
    const go = (patch) => WH.setParams({ venture: String(ventureId), date, show: show === 'all' ? '' : show, office: p.office || '', ...patch });

    const [people, reports] = await Promise.all([
      WH.allItems(`/ventures/${ventureId}/people`),
      WH.allItems('/eod-reports', { venture_id: ventureId, from: date, to: date }),
    ]);
    if (ctx.stale()) return;

    const offices = new Map();
    for (const person of people) for (const o of person.offices || []) offices.set(o.id, o.name);
    const office = offices.has(Number(p.office)) ? Number(p.office) : null;

    const byUser = new Map(reports.map((r) => [r.user_id, r]));
    let rows = people.filter((x) => x.active || byUser.has(x.id)).map((x) => ({ person: x, report: byUser.get(x.id) || null }));
    // Reports by people who are not members (an all-venture role filing for the venture).
    for (const r of reports) {
      if (!people.some((x) => x.id === r.user_id)) rows.push({ person: { id: r.user_id, full_name: `User ${r.user_id}`, role: '', offices: [] }, report: r, outsider: true });
    }
    if (office) rows = rows.filter((r) => (r.person.offices || []).some((o) => o.id === office));
    const submitted = rows.filter((r) => r.report).length;
    const missing = rows.length - submitted;
    const hours = rows.reduce((s, r) => s + (r.report && r.report.hours_worked ? Number(r.report.hours_worked) : 0), 0);

    // Day and venture.
    const dayNav = h('div.day-nav', {},
      h('button.secondary', { type: 'button', text: '‹ Previous day', onclick: () => go({ date: addDays(date, -1) }) }),
      WH.contextControl({ name: 'date', label: 'Day', type: 'date', value: date, max: today }, (v) => { if (isDay(v)) go({ date: v }); }),
      h('button.secondary', { type: 'button', text: 'Next day ›', disabled: date >= today, onclick: () => go({ date: addDays(date, 1) }) }),
      date !== today ? h('button.link', { type: 'button', text: 'Today', onclick: () => go({ date: today }) }) : null);
    const pickers = h('div.eod-context', {},
      vs.length > 1 ? WH.contextControl({ name: 'venture', label: 'Venture', value: String(ventureId),
        options: vs.map((v) => [String(v.id), `${v.name} (${v.code})`]) }, (v) => go({ venture: v, office: '' })) : null,
      offices.size > 1 ? WH.contextControl({ name: 'office', label: 'Office', value: office ? String(office) : '',
        options: [['', 'All offices'], ...[...offices].sort((a, b) => a[1].localeCompare(b[1])).map(([id, n]) => [String(id), n])] },
      (v) => go({ office: v })) : null,
      WH.contextControl({ name: 'show', label: 'Show', value: show,
        options: [['all', 'Everyone'], ['missing', 'Not submitted'], ['submitted', 'Submitted']] }, (v) => go({ show: v })));
    content.append(viewToggle('day', ventureId, date, p.office), h('div.filters.team-eod-filters', {}, dayNav, pickers));

    content.append(h('p.lead', { text: `${longDay(date)} · ${ventureName(ventureId)}` }),
      h('div.figures', {},
        h('div.figure', {}, h('span.value', { text: `${submitted} of ${rows.length}` }), h('span.label', { text: 'submitted' })),
        h('div.figure', {}, h('span.value', { text: String(missing) }), h('span.label', { text: 'not submitted yet' })),
        h('div.figure', {}, h('span.value', { text: `${Math.round(hours * 100) / 100} h` }), h('span.label', { text: 'hours reported' }))));

    if (!rows.length) {
      WH.empty(content, office ? 'Nobody in this office is a member of the venture. Choose another office or All offices.'
        : 'This venture has no active members yet. Members are added under Admin › Users.');
      return;
    }
    let shown = rows.filter((r) => show === 'all' || (show === 'missing' ? !r.report : !!r.report));
    shown.sort((a, b) => (!!a.report - !!b.report) || a.person.full_name.localeCompare(b.person.full_name));
    if (!shown.length) {
      WH.empty(content, show === 'missing' ? 'Everyone has submitted a report for this day.' : 'Nobody has submitted a report for this day yet.');
      return;
    }

    const tbody = h('tbody');
    for (const { person, report, outsider } of shown) {
      const detailId = WH.nextId('eod');
      const detail = report ? h('tr.detail-row', { id: detailId, hidden: true },
        h('td', { colspan: 5 }, reportFacts(report))) : null;
      const toggle = report ? h('button.link', { type: 'button', 'aria-expanded': 'false', 'aria-controls': detailId,
        text: 'Read report', 'aria-label': `Read report of ${person.full_name}`,
        onclick: (ev) => {
          const open = detail.hidden;
          detail.hidden = !open;
          ev.currentTarget.setAttribute('aria-expanded', String(open));
          ev.currentTarget.textContent = open ? 'Hide report' : 'Read report';
          ev.currentTarget.setAttribute('aria-label', `${open ? 'Hide' : 'Read'} report of ${person.full_name}`);
        } }) : null;
      tbody.append(h('tr', {},
        h('td', { 'data-label': 'Person' }, h('span.person', {}, h('strong', { text: person.full_name }),
          h('span.muted.small', { text: outsider ? ' not a member' : ` ${WH.titleCase(person.role)}${(person.offices || []).length ? ` · ${person.offices.map((o) => o.name).join(', ')}` : ''}` }))),
        h('td', { 'data-label': 'Status' }, report
          ? h('span.status.good', { text: `Submitted ${timeText(report.created_at)}` })
          : h('span.status.bad', { text: 'Not submitted' })),
        h(`td${report ? '' : '.no-report'}`, { 'data-label': 'Hours' }, report ? hoursText(report.hours_worked) : '—'),
        h(`td.summary-cell${report ? '' : '.no-report'}`, { 'data-label': 'Summary' }, report ? (report.summary.length > 120 ? `${report.summary.slice(0, 120)}…` : report.summary) : ''),
        h(`td${report ? '' : '.no-report'}`, { 'data-label': 'Report' }, toggle || h('span.muted', { text: '—' }))));
      if (detail) tbody.append(detail);
    }
    content.append(h('div.table-wrap', {}, h('table.stack.team-eod', {},
      h('caption.sr-only', { text: `End-of-day reports for ${longDay(date)}` }),
      h('thead', {}, h('tr', {}, ['Person', 'Status', 'Hours', 'Summary', 'Report'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)));
  });
})();
