/* Wheelhouse web UI: Hospitality screens (registered with WH.screen).
 *   /hotels/list            Hotels of the venture(s); "New hotel" for hotels.write
 *   /hotels/list/new        the create form
 *   /hotels/list/:id        a hotel: its fields (edit), and its daily figures a week at a time
 *   /hotels/reviews         reviews of one hotel (chosen, kept in the URL); "Respond" (the CSR's job)
 *   /hotels/reviews/new     record a review
 *   /hotels/disputes        disputes of one hotel by status; "New dispute"
 *   /hotels/disputes/new    the create form
 *   /hotels/disputes/:id    a dispute: status buttons, owner, resolution note */
'use strict';

(function () {
  const { h } = WH;
  const HOTEL_STATUSES = ['ACTIVE', 'CLOSED', 'RENOVATION', 'SOLD'];
  const SOURCES = [['GOOGLE', 'Google'], ['TRIPADVISOR', 'Tripadvisor'], ['BOOKING', 'Booking.com'], ['EXPEDIA', 'Expedia'], ['OTHER', 'Other']];
  const DISPUTE_STATUSES = ['OPEN', 'IN_PROGRESS', 'WON', 'LOST', 'CLOSED_NO_ACTION'];
  const RESOLVED = ['WON', 'LOST', 'CLOSED_NO_ACTION'];
  // Status buttons are named after the status they move to.
  const STATUS_BUTTON = { OPEN: 'Reopen', IN_PROGRESS: 'In progress', WON: 'Won', LOST: 'Lost', CLOSED_NO_ACTION: 'Closed, no action' };
  const DAYS_AHEAD = 1; // the server refuses daily figures more than a day ahead (docs/hotels.md)

  /* ------------------------------------------------------------------ small helpers */

  const { is: isDay, parse: parseDay, fmt: fmtDay, add: addDays, text: dayText } = WH.day;
  const monday = (s) => { const d = parseDay(s); d.setDate(d.getDate() - ((d.getDay() + 6) % 7)); return fmtDay(d); };
  const centsText = (c) => (c === null || c === undefined ? '' : (c / 100).toFixed(2));
  const go = (hash) => { location.hash = hash; };
  const rerender = () => window.dispatchEvent(new Event('wh:route'));

  const mayWrite = () => WH.can('hotels.write');
  // Review responses: hotels.write, or the CSR (docs/hotels.md, WH_PERM_HOTELS_RESPOND).
  const mayRespond = () => WH.can('hotels.write') || WH.role() === 'CSR';

  const hotelVentures = () => WH.ventures(['HOSPITALITY']);
  const ventureName = (id) => { const v = WH.ventures().find((x) => x.id === id); return v ? v.name : `Venture ${id}`; };

  // The top-bar venture when it is a hospitality venture; false when it is one of another type.
  function topVenture() {
    const id = WH.ventureId();
    if (!id) return null;
    return hotelVentures().some((v) => v.id === id) ? id : false;
  }

  function otherTypeNotice(content) {
    const v = WH.ventures().find((x) => x.id === WH.ventureId());
    WH.empty(content, `${v ? v.name : 'The venture chosen at the top'} is not a hospitality venture, so it has no hotels. Choose a hospitality venture or "All ventures" at the top.`);
  }

  const hotelsOf = () => WH.allItems('/hotels', { venture_id: topVenture() || null });

  const peopleCache = new Map();
  async function people(ventureId) {
    if (!peopleCache.has(ventureId)) peopleCache.set(ventureId, WH.allItems(`/ventures/${ventureId}/people`).catch(() => []));
    return peopleCache.get(ventureId);
  }
  function personName(list, id) {
    if (id === null || id === undefined) return '—';
    if (WH.state.me && id === WH.state.me.user.id) return `${WH.state.me.user.full_name} (you)`;
    const p = list.find((x) => x.id === id);
    return p ? p.full_name : `User ${id}`;
  }

  function hotelPicker(hotels, hotel, params) {
    return h('div.filters.picker-bar', {}, h('div.grid', {}, WH.contextControl({ name: 'hotel', label: 'Hotel', value: String(hotel.id),
      options: hotels.map((x) => [String(x.id), `${x.name} (${x.code})`]) }, (v) => WH.setParams({ ...params, hotel: v }))));
  }

  const statusBadge = (s) => h(`span.status${['ACTIVE', 'WON'].includes(s) ? '.good' : (['CLOSED', 'LOST', 'SOLD'].includes(s) ? '.bad' : '')}`, { text: WH.titleCase(s) });

  function crumb(content, href, text) {
    content.append(h('p.crumb', {}, h('a', { href, text: `‹ ${text}` })));
  }

  // A plain table with the markup WH.list draws (for rows a screen already holds).
  function table(columns, rows, caption, rowLink) {
    return h('div.table-wrap', {}, h('table.stack', {},
      h('caption.sr-only', { text: caption }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label, class: c.className || null })))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c, i) => {
        const v = c.render ? c.render(row) : (row[c.key] ?? '');
        return h('td', { 'data-label': c.label, class: c.className || null }, i === 0 && rowLink ? h('a', { href: rowLink(row) }, v) : v);
      }))))));
  }

  /* ------------------------------------------------------------------ Hotels */

  WH.screen('/hotels/list', async (content, ctx) => {
    WH.title(content, ctx.label, mayWrite() ? h('a.button.primary', { href: '#/hotels/list/new', text: 'New hotel' }) : null);
    if (topVenture() === false) { otherTypeNotice(content); return; }
    const multi = !topVenture() && hotelVentures().length > 1;
    const list = WH.list({
      path: '/hotels',
      query: { venture_id: topVenture() || null },
      caption: 'Hotels',
      empty: mayWrite() ? 'No hotels yet. Add the first one with "New hotel".' : 'No hotels in your ventures yet.',
      rowLink: (r) => `#/hotels/list/${r.id}`,
      columns: [
        { label: 'Hotel', key: 'name' },
        { label: 'Code', key: 'code' },
        { label: 'City', render: (r) => [r.city, r.state].filter(Boolean).join(', ') || '—' },
        { label: 'Rooms', key: 'rooms', className: 'num' },
        { label: 'Status', render: (r) => statusBadge(r.status) },
        multi ? { label: 'Venture', render: (r) => ventureName(r.venture_id) } : null,
      ].filter(Boolean),
    });
    content.append(list.el);
  });

  const hotelFields = (hotel) => [
    hotel ? null : WH.ventureField(['HOSPITALITY']),
    { name: 'name', label: 'Name', required: true, maxlength: 200, value: hotel && hotel.name },
    { name: 'code', label: 'Code', required: true, maxlength: 32, value: hotel && hotel.code, hint: 'A short unique tag, e.g. SAV-01.' },
    { name: 'rooms', label: 'Rooms', type: 'number', required: true, min: 1, max: 100000, value: hotel && hotel.rooms },
    { name: 'city', label: 'City', maxlength: 100, value: hotel && hotel.city },
    { name: 'state', label: 'State', maxlength: 100, value: hotel && hotel.state },
    { name: 'status', label: 'Status', type: 'select', required: true, options: HOTEL_STATUSES, value: hotel ? hotel.status : 'ACTIVE' },
  ].filter(Boolean);

  WH.screen('/hotels/list/new', (content) => {
    crumb(content, '#/hotels/list', 'Hotels');
    WH.title(content, 'New hotel');
    if (!mayWrite()) { WH.empty(content, 'Your role may not add hotels.'); return; }
    if (!hotelVentures().length) { WH.empty(content, 'You are not a member of a hospitality venture.'); return; }
    content.append(WH.form({
      fields: hotelFields(null),
      submitLabel: 'Create hotel',
      method: 'POST', path: '/hotels',
      cancel: () => go('#/hotels/list'),
      onDone: (hotel) => go(`#/hotels/list/${hotel.id}`),
    }));
  });

  WH.screen('/hotels/list/:id', async (content, ctx) => {
    const id = Number(ctx.args.id);
    const hotel = await WH.api('GET', `/hotels/${id}`);
    if (ctx.stale()) return;
    crumb(content, '#/hotels/list', 'Hotels');
    const editButton = mayWrite() ? h('button.secondary', { type: 'button', text: 'Edit hotel', 'aria-expanded': 'false' }) : null;
    WH.title(content, hotel.name, editButton);

    const facts = h('div.card', {}, WH.facts([
      ['Code', hotel.code],
      ['Venture', ventureName(hotel.venture_id)],
      ['Rooms', String(hotel.rooms)],
      ['City', [hotel.city, hotel.state].filter(Boolean).join(', ') || '—'],
      ['Status', statusBadge(hotel.status)],
    ]));
    content.append(facts);
    if (editButton) {
      const fields = hotelFields(hotel);
      const edit = WH.form({
        title: 'Edit hotel', fields, nullEmpty: true, submitLabel: 'Save changes',
        submit: (body, write) => write('PATCH', `/hotels/${id}`, body),
        cancel: () => { edit.hidden = true; facts.hidden = false; editButton.setAttribute('aria-expanded', 'false'); },
        onDone: rerender,
      });
      edit.hidden = true;
      editButton.addEventListener('click', () => {
        const open = edit.hidden;
        edit.hidden = !open;
        facts.hidden = open;
        editButton.setAttribute('aria-expanded', String(open));
        if (open) edit.querySelector('input').focus();
      });
      facts.after(edit);
    }
    await dailyGrid(content, ctx, hotel);
  });

  /* ------------------------------------------------------------------ the daily grid */

  const COLS = [
    { key: 'rooms_sold', label: 'Rooms sold', kind: 'int', required: true },
    { key: 'rooms_available', label: 'Rooms available', kind: 'int' },
    { key: 'room_revenue_cents', label: 'Room revenue', kind: 'money', required: true },
    { key: 'other_revenue_cents', label: 'Other revenue', kind: 'money' },
    { key: 'cash_cents', label: 'Cash', kind: 'money' },
    { key: 'credit_cents', label: 'Credit', kind: 'money' },
    { key: 'online_cents', label: 'Online', kind: 'money' },
    { key: 'refund_cents', label: 'Refunds', kind: 'money' },
    { key: 'lost_dues_cents', label: 'Lost dues', kind: 'money' },
  ];
  const DERIVED = [
    { key: 'occupancy_bp', label: 'Occupancy', show: WH.bp },
    { key: 'adr_cents', label: 'ADR', show: WH.money },
    { key: 'revpar_cents', label: 'RevPAR', show: WH.money },
  ];

  // src/hotels/hotels_rules.c wh_hotel_div_round: half away from zero, exactly (BigInt: the
  // products exceed 2^53).
  function divRound(num, den) {
    let q = num / den;
    const rem = num % den < 0n ? -(num % den) : num % den;
    const mag = den < 0n ? -den : den;
    if (rem >= mag - rem) q += (num < 0n) === (den < 0n) ? 1n : -1n;
    return q;
  }
  // wh_hotel_daily_derive: the same figures the server answers.
  function derive(e) {
    const sold = BigInt(e.rooms_sold);
    const avail = BigInt(e.rooms_available);
    const revenue = BigInt(e.room_revenue_cents);
    const lost = BigInt(e.lost_dues_cents || 0);
    return {
      occupancy_bp: Number(divRound(sold * 10000n, avail)),
      adr_cents: sold > 0n ? Number(divRound(revenue, sold)) : null,
      revpar_cents: Number(divRound(revenue, avail)),
      high_loss: lost > 0n && (lost >= 50000n || lost * 10000n >= revenue * 1000n),
    };
  }

  function cellText(col, v) {
    if (v === null || v === undefined) return '';
    return col.kind === 'money' ? centsText(v) : String(v);
  }

  // Reads one typed cell: {value} (undefined when empty) or {error}.
  function readCell(col, raw) {
    const t = raw.trim();
    if (t === '') return { value: undefined };
    if (col.kind === 'int') {
      if (!/^\d+$/.test(t)) return { error: 'must be a whole number' };
      const n = Number(t);
      if (col.key === 'rooms_available' && n < 1) return { error: 'must be at least 1' };
      if (n > 100000) return { error: 'must be at most 100000' };
      return { value: n };
    }
    const c = WH.toCents(t);
    if (Number.isNaN(c) || c === null) return { error: 'must be an amount like 1234.50' };
    if (c < 0) return { error: 'must not be negative' };
    if (c > 1e14) return { error: 'is too large' };
    return { value: c };
  }

  async function dailyGrid(content, ctx, hotel) {
    const today = WH.today();
    const lastDay = WH.today(DAYS_AHEAD);
    const week = monday(isDay(ctx.params.week) ? ctx.params.week : today);
    const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
    const editable = mayWrite();

    const section = h('section.card.daily', { 'aria-labelledby': 'daily-h' });
    content.append(section);
    const entries = await WH.allItems(`/hotels/${hotel.id}/daily`, { from: days[0], to: days[6] }, 1);
    if (ctx.stale()) return;
    const byDay = new Map(entries.map((e) => [e.date, e]));

    let rows = [];
    const dirtyRows = () => rows.filter((r) => r.dirty());
    const leave = (to) => {
      if (dirtyRows().length && !window.confirm('You have unsaved figures in this week. Leave them unsaved?')) return;
      WH.setParams({ ...ctx.params, week: to });
    };
    const thisWeek = monday(today);
    const nextWeek = addDays(week, 7);
    const weekNav = h('div.day-nav', {},
      h('button.secondary', { type: 'button', text: '‹ Previous week', onclick: () => leave(addDays(week, -7)) }),
      WH.contextControl({ name: 'week', label: 'Week of', type: 'date', value: week, max: lastDay }, (v) => { if (isDay(v)) leave(monday(v)); }),
      h('button.secondary', { type: 'button', text: 'Next week ›', disabled: nextWeek > lastDay, onclick: () => leave(nextWeek) }),
      week !== thisWeek ? h('button.link', { type: 'button', text: 'This week', onclick: () => leave(thisWeek) }) : null);

    section.append(h('div.daily-head', {},
      h('h2', { id: 'daily-h', text: `Daily figures · ${dayText(days[0])} – ${dayText(days[6], { year: 'numeric' })}` }), weekNav));
    if (editable) {
      section.append(h('p.muted.small', { text: 'Amounts in dollars. Occupancy, ADR and RevPAR update as you type (grey until saved). Enter moves down a day; "Save week" saves every changed day. Figures can be entered up to tomorrow.' }));
    }

    const errors = WH.errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    section.append(errors, notice);

    const colIds = {};
    // The derived figures sit beside the room columns they come from.
    const LAYOUT = [...COLS.slice(0, 3), ...DERIVED.map((c) => ({ ...c, derived: true })), ...COLS.slice(3)];
    const headRow = h('tr', {}, h('th.day-col', { scope: 'col', text: 'Day' }),
      LAYOUT.map((c) => {
        if (c.derived) return h('th.num.derived', { scope: 'col', text: c.label });
        colIds[c.key] = WH.nextId('col');
        return h('th.num', { scope: 'col', id: colIds[c.key], text: c.label });
      }),
      h('th', { scope: 'col', text: 'Status' }));
    const tbody = h('tbody');
    const tfoot = h('tfoot');

    for (const day of days) {
      const locked = day > lastDay;
      const rowId = WH.nextId('day');
      const row = { day, entry: byDay.get(day) || null, inputs: {}, cells: {}, locked };
      const th = h('th', { scope: 'row', id: rowId }, h('span.day-name', { text: dayText(day) }),
        day === today ? h('span.badge', { text: 'Today' }) : null);
      const tr = h('tr', { class: [day === today ? 'today' : '', !editable && !row.entry ? 'no-entry' : ''].join(' ').trim() || null }, th);
      for (const c of LAYOUT) {
        if (c.derived) {
          row.cells[c.key] = h('td.num.derived', { 'data-label': c.label });
          tr.append(row.cells[c.key]);
          continue;
        }
        const td = h('td.num', { 'data-label': c.label });
        if (editable) {
          const input = h(`input.cell.${c.kind}`, { type: 'text', inputmode: c.kind === 'int' ? 'numeric' : 'decimal',
            'aria-labelledby': `${colIds[c.key]} ${rowId}`, 'data-field': c.key, disabled: locked,
            autocomplete: 'off', placeholder: c.key === 'rooms_available' ? String(hotel.rooms) : (c.required ? '' : '0.00') });
          input.value = cellText(c, row.entry && row.entry[c.key]);
          input.addEventListener('input', () => { clearCell(input); update(row); });
          input.addEventListener('keydown', (ev) => move(ev, row, c.key));
          row.inputs[c.key] = input;
          td.append(input);
        } else {
          td.textContent = row.entry ? (c.kind === 'money' ? WH.money(row.entry[c.key]) : String(row.entry[c.key])) : '—';
        }
        tr.append(td);
      }
      row.status = h('td.row-status', { 'data-label': 'Status' });
      tr.append(row.status);
      row.original = () => Object.fromEntries(COLS.map((c) => [c.key, cellText(c, row.entry && row.entry[c.key])]));
      row.dirty = () => editable && !locked && COLS.some((c) => row.inputs[c.key].value.trim() !== row.original()[c.key]);
      row.tr = tr;
      rows.push(row);
      tbody.append(tr);
    }

    function clearCell(input) {
      input.removeAttribute('aria-invalid');
      const next = input.nextElementSibling;
      if (next && next.classList.contains('field-error')) next.remove();
      input.removeAttribute('aria-describedby');
    }
    function markCell(input, message) {
      clearCell(input);
      input.setAttribute('aria-invalid', 'true');
      const id = WH.nextId('fe');
      input.insertAdjacentElement('afterend', h('small.field-error', { id, text: message }));
      input.setAttribute('aria-describedby', id);
    }

    // The body of a row's PUT, or the cell errors that stop it.
    function readRow(row) {
      const body = {};
      const errs = [];
      for (const c of COLS) {
        const r = readCell(c, row.inputs[c.key].value);
        if (r.error) errs.push({ field: c.key, message: r.error });
        else if (r.value === undefined && c.required) errs.push({ field: c.key, message: 'is required' });
        else if (r.value !== undefined) body[c.key] = r.value;
      }
      const avail = body.rooms_available ?? hotel.rooms;
      if (body.rooms_sold !== undefined && body.rooms_sold > avail) errs.push({ field: 'rooms_sold', message: `more than rooms available (${avail})` });
      return { body, errs };
    }

    function showDerived(row, figures, pending) {
      for (const c of DERIVED) {
        const cell = row.cells[c.key];
        cell.textContent = figures ? c.show(figures[c.key]) : '—';
        cell.classList.toggle('pending', !!pending);
      }
    }

    function setStatus(row, kind, text) {
      row.status.replaceChildren(h('span.tags', {}, h(`span.status${kind ? `.${kind}` : ''}`, { text })));
      row.tr.classList.toggle('dirty', kind === 'dirty');
    }

    function rowStatus(row) {
      const lossBadge = (f) => (f && f.high_loss ? h('span.status.bad', { text: 'High loss' }) : null);
      if (row.locked) { setStatus(row, '', 'Not yet'); return; }
      if (editable && row.dirty()) {
        const typo = readRow(row).errs.some((e) => e.message !== 'is required');
        setStatus(row, typo ? 'bad' : 'dirty', typo ? 'Check values' : 'Unsaved');
        if (typo) row.tr.classList.add('dirty');
        return;
      }
      if (row.entry) { setStatus(row, 'good', editable ? 'Saved' : 'Entered'); if (row.entry.high_loss) row.status.firstChild.append(lossBadge(row.entry)); return; }
      setStatus(row, '', 'Not entered');
    }

    // Live figures as typed, with the server's formulas; the server's answer once saved.
    function update(row) {
      if (editable && row.dirty()) {
        const { body } = readRow(row);
        const sold = readCell(COLS[0], row.inputs.rooms_sold.value);
        const ok = sold.value !== undefined && !sold.error;
        const e = {
          rooms_sold: ok ? sold.value : 0,
          rooms_available: body.rooms_available ?? hotel.rooms,
          room_revenue_cents: body.room_revenue_cents ?? 0,
          lost_dues_cents: body.lost_dues_cents ?? 0,
        };
        showDerived(row, ok && e.rooms_sold <= e.rooms_available ? derive(e) : null, true);
      } else {
        showDerived(row, row.entry, false);
      }
      rowStatus(row);
      totals();
      saveBar.hidden = !editable;
      const n = dirtyRows().length;
      saveButton.disabled = n === 0;
      discardButton.hidden = n === 0;
      changed.textContent = n ? `${n} day${n === 1 ? '' : 's'} changed, not saved yet.` : (rows.some((r) => r.entry) ? 'All figures saved.' : '');
    }

    // The week's totals: sums, and the ratios of the sums.
    function totals() {
      const sum = Object.fromEntries(COLS.map((c) => [c.key, 0]));
      let any = false;
      for (const row of rows) {
        let e = row.entry;
        if (editable && row.dirty()) {
          const { body, errs } = readRow(row);
          e = errs.length ? null : { rooms_available: hotel.rooms, ...body };
        }
        if (!e) continue;
        any = true;
        for (const c of COLS) sum[c.key] += Number(e[c.key] || 0);
      }
      const f = any && sum.rooms_available > 0 ? derive(sum) : null;
      tfoot.replaceChildren(h('tr', {}, h('th', { scope: 'row', text: 'Week' }),
        LAYOUT.map((c) => (c.derived
          ? h('td.num.derived', { 'data-label': c.label, text: f ? c.show(f[c.key]) : '—' })
          : h('td.num', { 'data-label': c.label, text: any ? (c.kind === 'money' ? WH.money(sum[c.key]) : String(sum[c.key])) : '—' }))),
        h('td.foot-status', { 'data-label': 'Status' })));
    }

    // Enter / arrows move between days in a column, like a spreadsheet.
    function move(ev, row, key) {
      const down = (ev.key === 'Enter' && !ev.shiftKey) || ev.key === 'ArrowDown';
      const up = (ev.key === 'Enter' && ev.shiftKey) || ev.key === 'ArrowUp';
      if (!down && !up) return;
      ev.preventDefault();
      const i = rows.indexOf(row);
      for (let j = i + (down ? 1 : -1); j >= 0 && j < rows.length; j += down ? 1 : -1) {
        if (!rows[j].locked) { rows[j].inputs[key].focus(); rows[j].inputs[key].select(); return; }
      }
      if (down) saveButton.focus();
    }

    const saveButton = h('button.primary', { type: 'button', text: 'Save week' });
    const discardButton = h('button.secondary', { type: 'button', text: 'Discard changes', hidden: true });
    const changed = h('span.muted.small', { role: 'status', 'aria-live': 'polite' });
    const saveBar = h('div.actions.save-bar', {}, saveButton, discardButton, changed);

    saveButton.addEventListener('click', async () => {
      WH.clearProblem(errors);
      notice.textContent = '';
      const todo = dirtyRows();
      const problems = [];
      saveButton.disabled = true;
      let saved = 0;
      for (const row of todo) {
        for (const input of Object.values(row.inputs)) clearCell(input);
        const { body, errs } = readRow(row);
        if (errs.length) { problems.push({ row, errs }); continue; }
        try {
          row.entry = await WH.api('PUT', `/hotels/${hotel.id}/daily/${row.day}`, body);
          for (const c of COLS) row.inputs[c.key].value = cellText(c, row.entry[c.key]);
          saved++;
        } catch (err) {
          const fe = Array.isArray(err.problem && err.problem.errors) ? err.problem.errors : [];
          problems.push({ row, errs: fe, text: fe.length ? null : WH.problemText(err) });
        }
      }
      for (const row of rows) update(row);
      for (const { row, errs } of problems) {
        for (const e of errs) {
          const input = row.inputs[e.field];
          if (input) markCell(input, e.message);
        }
        setStatus(row, 'bad', 'Not saved');
      }
      if (problems.length) {
        errors.append(h('p', { text: `${problems.length} day${problems.length === 1 ? ' was' : 's were'} not saved${saved ? ` (${saved} saved)` : ''}. Correct the marked cells and save again.` }),
          h('ul', {}, problems.flatMap(({ row, errs, text }) => (text ? [h('li', {}, h('strong', { text: dayText(row.day) }), `: ${text}`)]
            : errs.map((e) => h('li', {}, h('strong', { text: dayText(row.day) }), ` · ${(COLS.find((c) => c.key === e.field) || { label: e.field }).label}: ${e.message}`))))));
        errors.hidden = false;
        const first = problems[0].row.tr.querySelector('[aria-invalid=true]');
        if (first) first.focus();
      } else if (saved) {
        notice.textContent = `Saved ${saved} day${saved === 1 ? '' : 's'}.`;
      }
    });
    discardButton.addEventListener('click', () => {
      WH.clearProblem(errors);
      for (const row of rows) {
        if (row.locked || !editable) continue;
        for (const c of COLS) { row.inputs[c.key].value = row.original()[c.key]; clearCell(row.inputs[c.key]); }
        update(row);
      }
    });

    section.append(h('div.table-wrap.grid-wrap', {}, h(`table.stack.daily-grid${editable ? '.editing' : ''}`, {},
      h('caption.sr-only', { text: `Daily figures of ${hotel.name}, week of ${dayText(week)}` }),
      h('thead', {}, headRow), tbody, tfoot)));
    if (editable) section.append(saveBar);
    for (const row of rows) update(row);
    if (!editable && !entries.length) section.append(h('p.muted', { text: 'No figures entered for this week.' }));

    // Leaving the page with unsaved figures asks first (while this grid is on screen).
    const unsaved = (ev) => {
      if (!section.isConnected) { window.removeEventListener('beforeunload', unsaved); return; }
      if (dirtyRows().length) { ev.preventDefault(); ev.returnValue = ''; }
    };
    window.addEventListener('beforeunload', unsaved);
  }

  /* ------------------------------------------------------------------ Reviews */

  const stars = (n) => h('span.stars', { 'aria-label': `${n} out of 5`, title: `${n} out of 5` }, '★'.repeat(n), h('span.dim', { text: '★'.repeat(5 - n), 'aria-hidden': 'true' }));

  // The hotel a screen shows: the URL's, else the first. Null (with a message) when none.
  async function chooseHotel(content, params, emptyText) {
    if (topVenture() === false) { otherTypeNotice(content); return null; }
    const hotels = await hotelsOf();
    if (!hotels.length) {
      content.append(h('p.empty', {}, emptyText, ' ',
        mayWrite() ? h('a', { href: '#/hotels/list/new', text: 'Add a hotel' }) : 'Hotels are added by a manager.'));
      return null;
    }
    hotels.sort((a, b) => a.name.localeCompare(b.name));
    const hotel = hotels.find((x) => String(x.id) === params.hotel) || hotels[0];
    return { hotels, hotel };
  }

  WH.screen('/hotels/reviews', async (content, ctx) => {
    const p = ctx.params;
    const newLink = h('a.button.primary', { href: `#/hotels/reviews/new${WH.qs({ hotel: p.hotel })}`, text: 'New review' });
    WH.title(content, ctx.label, mayWrite() ? newLink : null);
    const chosen = await chooseHotel(content, p, 'There are no hotels yet, so there are no reviews.');
    if (!chosen || ctx.stale()) return;
    const { hotels, hotel } = chosen;
    newLink.setAttribute('href', `#/hotels/reviews/new${WH.qs({ hotel: hotel.id })}`);
    const show = p.show === 'unanswered' ? 'unanswered' : 'all';
    const bar = hotelPicker(hotels, hotel, p);
    bar.querySelector('.grid').append(WH.contextControl({ name: 'show', label: 'Show', value: show,
      options: [['all', 'All reviews'], ['unanswered', 'Needs a response']] }, (v) => WH.setParams({ ...p, hotel: String(hotel.id), show: v === 'all' ? '' : v })));
    content.append(bar);
    const staff = await people(hotel.venture_id);
    if (ctx.stale()) return;

    let reload = () => {};
    let onAnswered = () => {};
    const columns = [
      { label: 'Date', className: 'nowrap', render: (r) => dayText(r.review_date, { weekday: undefined, year: 'numeric' }) },
      { label: 'Source', render: (r) => (SOURCES.find(([k]) => k === r.source) || [r.source, r.source])[1] },
      { label: 'Rating', render: (r) => stars(r.rating) },
      { label: 'Review', render: (r) => h('div.review-text', { text: r.text || '(no text)' }) },
      { label: 'Response', render: (r) => responseCell(r, staff, () => reload(), () => onAnswered()) },
    ];
    if (show === 'all') {
      const list = WH.list({
        path: `/hotels/${hotel.id}/reviews`, columns, caption: `Reviews of ${hotel.name}`,
        empty: mayWrite() ? 'No reviews recorded for this hotel yet. Record one with "New review".' : 'No reviews recorded for this hotel yet.',
      });
      reload = list.reload;
      list.el.classList.add('reviews');
      content.append(list.el);
    } else {
      const holder = h('div.reviews');
      content.append(holder);
      const left = (n) => (n ? `${n} review${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} a response.` : 'Every review of this hotel has a response now.');
      reload = async () => {
        const all = await WH.allItems(`/hotels/${hotel.id}/reviews`);
        const open = all.filter((r) => r.response_text === null || r.response_text === undefined);
        let n = open.length;
        const status = h('p.muted.list-status', { role: 'status', text: open.length ? left(n) : '' });
        onAnswered = () => { n = Math.max(0, n - 1); status.textContent = left(n); };
        holder.replaceChildren(open.length
          ? table(columns, open, `Reviews of ${hotel.name} that need a response`)
          : h('p.empty', { text: 'Every review of this hotel has a response. Nothing to do here.' }), status);
      };
      await reload();
    }
  });

  function responseCell(review, staff, reload, onAnswered) {
    const cell = h('div.response');
    if (review.response_text !== null && review.response_text !== undefined) {
      cell.append(h('div.response-text', { text: review.response_text }),
        h('small.muted', { text: `${personName(staff, review.responded_by)} · ${WH.dateTime(review.responded_at)}` }));
      return cell;
    }
    cell.append(h('span.status.bad', { text: 'Needs a response' }));
    if (!mayRespond()) return cell;
    const open = h('button.secondary.small-button', { type: 'button', text: 'Respond', 'aria-expanded': 'false' });
    cell.append(' ', open);
    open.addEventListener('click', () => {
      open.hidden = true;
      const id = WH.nextId('resp');
      const box = WH.errorBox();
      const write = WH.writer();
      const text = h('textarea', { id, name: 'response_text', rows: 4, maxlength: 10000, required: true });
      const send = h('button.primary', { type: 'submit', text: 'Send response' });
      const form = h('form.respond-form', { novalidate: true },
        box, h('div.field', {}, h('label', { for: id, text: `Response to this ${review.rating}-star review` }), text),
        h('div.actions', {}, send, h('button.secondary', { type: 'button', text: 'Cancel', onclick: () => { form.remove(); open.hidden = false; open.focus(); } })));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        WH.clearProblem(box, form);
        if (!text.value.trim()) {
          WH.showProblem(box, new WH.ApiError(400, { detail: 'Write a response first.', errors: [{ field: 'response_text', message: 'is required' }] }), form);
          return;
        }
        send.disabled = true;
        try {
          const out = await write('POST', `/hotel-reviews/${review.id}/response`, { response_text: text.value.trim() });
          cell.replaceWith(responseCell(out, staff, reload));
          if (onAnswered) onAnswered();
        } catch (err) {
          if (err.status === 409) {
            // Answered meanwhile: show that answer, keep what was typed (to copy), send nothing.
            WH.showProblem(box, new WH.ApiError(409, { detail: 'Someone else answered this review a moment ago, so yours was not sent. Their response is shown above.' }), form);
            const now = (await WH.allItems(`/hotels/${review.hotel_id}/reviews`).catch(() => [])).find((x) => x.id === review.id);
            if (now && now.response_text !== null) {
              const answered = responseCell(now, staff, reload);
              form.before(answered);
              cell.querySelector('.status.bad')?.remove();
            }
            text.readOnly = true;
            send.replaceWith(h('button.secondary', { type: 'button', text: 'Close', onclick: () => (now ? cell.replaceWith(responseCell(now, staff, reload)) : reload()) }));
            form.querySelector('button.secondary:not(:first-child)')?.remove();
          } else {
            WH.showProblem(box, err, form);
          }
        } finally {
          send.disabled = false;
        }
      });
      cell.append(form);
      text.focus();
    });
    return cell;
  }

  WH.screen('/hotels/reviews/new', async (content, ctx) => {
    crumb(content, `#/hotels/reviews${WH.qs({ hotel: ctx.params.hotel })}`, 'Reviews');
    WH.title(content, 'New review');
    if (!mayWrite()) { WH.empty(content, 'Your role may not record reviews.'); return; }
    const chosen = await chooseHotel(content, ctx.params, 'Add a hotel before recording its reviews.');
    if (!chosen || ctx.stale()) return;
    content.append(WH.form({
      fields: [
        { name: 'hotel', label: 'Hotel', type: 'select', required: true, value: String(chosen.hotel.id),
          options: chosen.hotels.map((x) => [String(x.id), `${x.name} (${x.code})`]) },
        { name: 'source', label: 'Source', type: 'select', required: true, options: SOURCES, value: 'GOOGLE' },
        { name: 'rating', label: 'Rating', type: 'select', numeric: true, required: true, value: '5',
          options: [5, 4, 3, 2, 1].map((n) => [String(n), `${n} star${n === 1 ? '' : 's'}`]) },
        { name: 'review_date', label: 'Review date', type: 'date', required: true, value: WH.today(), max: WH.today() },
        { name: 'text', label: 'Review text', type: 'textarea', wide: true, rows: 5, maxlength: 10000 },
      ],
      submitLabel: 'Save review',
      toBody: (body) => { const { hotel, ...rest } = body; return rest; },
      submit: (body, write) => write('POST', `/hotels/${content.querySelector('[name=hotel]').value}/reviews`, body),
      cancel: () => history.back(),
      onDone: (r) => go(`#/hotels/reviews${WH.qs({ hotel: r.hotel_id })}`),
    }));
  });

  /* ------------------------------------------------------------------ Disputes */

  const TABS = [['unresolved', 'Unresolved'], ...DISPUTE_STATUSES.map((s) => [s, WH.titleCase(s)]), ['all', 'All']];
  const inTab = (tab, d) => (tab === 'all' || (tab === 'unresolved' ? !RESOLVED.includes(d.status) : d.status === tab));

  WH.screen('/hotels/disputes', async (content, ctx) => {
    const p = ctx.params;
    const newLink = h('a.button.primary', { href: '#/hotels/disputes/new', text: 'New dispute' });
    WH.title(content, ctx.label, mayWrite() ? newLink : null);
    const chosen = await chooseHotel(content, p, 'There are no hotels yet, so there are no disputes.');
    if (!chosen || ctx.stale()) return;
    const { hotels, hotel } = chosen;
    newLink.setAttribute('href', `#/hotels/disputes/new${WH.qs({ hotel: hotel.id })}`);
    content.append(hotelPicker(hotels, hotel, p));
    const [disputes, staff] = await Promise.all([WH.allItems(`/hotels/${hotel.id}/disputes`), people(hotel.venture_id)]);
    if (ctx.stale()) return;
    const tab = TABS.some(([k]) => k === p.status) ? p.status : 'unresolved';

    content.append(h('nav.tabs', { 'aria-label': 'Dispute status' }, TABS.map(([k, label]) => {
      const n = disputes.filter((d) => inTab(k, d)).length;
      return h('a.tab', { href: `#/hotels/disputes${WH.qs({ hotel: hotel.id, status: k === 'unresolved' ? '' : k })}`,
        'aria-current': k === tab ? 'page' : null }, label, h('span.count', { text: String(n) }));
    })));
    const rows = disputes.filter((d) => inTab(tab, d));
    if (!rows.length) {
      WH.empty(content, disputes.length
        ? `No ${tab === 'unresolved' ? 'unresolved' : WH.titleCase(tab).toLowerCase()} disputes for ${hotel.name}. Choose another status above.`
        : `No disputes recorded for ${hotel.name}.${mayWrite() ? ' Record a chargeback with "New dispute".' : ''}`);
      return;
    }
    content.append(table([
      { label: 'Dispute', render: (d) => `#${d.id}` },
      { label: 'Type', render: (d) => WH.titleCase(d.type) },
      { label: 'Channel', render: (d) => d.channel || '—' },
      { label: 'Amount', render: (d) => WH.money(d.amount_cents), className: 'num' },
      { label: 'Opened', render: (d) => (d.opened_on ? dayText(d.opened_on, { weekday: undefined, year: 'numeric' }) : '—'), className: 'nowrap' },
      { label: 'Status', render: (d) => statusBadge(d.status) },
      { label: 'Owner', render: (d) => personName(staff, d.owner_id) },
      { label: 'Resolution note', render: (d) => (d.resolution_note ? (d.resolution_note.length > 80 ? `${d.resolution_note.slice(0, 80)}…` : d.resolution_note) : '—') },
    ], rows, `Disputes of ${hotel.name}`, (d) => `#/hotels/disputes/${d.id}${WH.qs({ hotel: hotel.id })}`),
    h('p.muted.list-status', { text: `Showing ${rows.length} of ${disputes.length}.` }));
  });

  // Owners: active members of the hotel's venture, and the caller when an all-venture role.
  function ownerOptions(staff) {
    const opts = staff.filter((x) => x.active).map((x) => [String(x.id), `${x.full_name} · ${WH.titleCase(x.role)}`]);
    const me = WH.state.me;
    if (me.all_ventures && !staff.some((x) => x.id === me.user.id)) opts.unshift([String(me.user.id), `${me.user.full_name} (you)`]);
    return [['', 'No owner'], ...opts];
  }

  WH.screen('/hotels/disputes/new', async (content, ctx) => {
    crumb(content, `#/hotels/disputes${WH.qs({ hotel: ctx.params.hotel })}`, 'Disputes');
    WH.title(content, 'New dispute');
    if (!mayWrite()) { WH.empty(content, 'Your role may not record disputes.'); return; }
    const chosen = await chooseHotel(content, ctx.params, 'Add a hotel before recording its disputes.');
    if (!chosen || ctx.stale()) return;
    const staff = await people(chosen.hotel.venture_id);
    if (ctx.stale()) return;
    content.append(WH.form({
      fields: [
        { name: 'hotel', label: 'Hotel', type: 'select', required: true, value: String(chosen.hotel.id),
          options: chosen.hotels.map((x) => [String(x.id), `${x.name} (${x.code})`]) },
        { name: 'type', label: 'Type', required: true, maxlength: 50, value: 'CHARGEBACK', hint: 'A short label, e.g. CHARGEBACK or BILLING.' },
        { name: 'channel', label: 'Channel', maxlength: 50, placeholder: 'e.g. VISA, Expedia' },
        { name: 'amount_cents', label: 'Amount ($)', type: 'money', required: true },
        { name: 'opened_on', label: 'Opened on', type: 'date', required: true, value: WH.today(), max: WH.today(),
          hint: 'The day the chargeback was opened (not a future day). After 7 days open, a task reminds its owner.' },
        { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: ownerOptions(staff), value: '',
          hint: 'Who works on it. Only members of the hotel\'s venture can own it.' },
        { name: 'resolution_note', label: 'Note', type: 'textarea', wide: true, maxlength: 10000 },
      ],
      submitLabel: 'Create dispute',
      toBody: (body) => { const { hotel, ...rest } = body; return rest; },
      submit: (body, write) => write('POST', `/hotels/${content.querySelector('[name=hotel]').value}/disputes`, body),
      cancel: () => history.back(),
      onDone: (d) => go(`#/hotels/disputes/${d.id}${WH.qs({ hotel: d.hotel_id })}`),
    }));
  });

  // There is no GET of one dispute: it is found in its hotel's list (the URL names the hotel;
  // without it, every hotel in scope is searched).
  async function findDispute(id, hotelParam) {
    const hotels = hotelParam ? [await WH.api('GET', `/hotels/${Number(hotelParam)}`)] : await hotelsOf();
    for (const hotel of hotels) {
      const d = (await WH.allItems(`/hotels/${hotel.id}/disputes`)).find((x) => x.id === id);
      if (d) return { hotel, dispute: d };
    }
    return null;
  }

  WH.screen('/hotels/disputes/:id', async (content, ctx) => {
    const id = Number(ctx.args.id);
    const found = await findDispute(id, ctx.params.hotel);
    if (ctx.stale()) return;
    crumb(content, `#/hotels/disputes${WH.qs({ hotel: ctx.params.hotel })}`, 'Disputes');
    if (!found) {
      WH.title(content, `Dispute #${id}`);
      WH.empty(content, 'This dispute does not exist, or it belongs to a hotel outside your ventures.');
      return;
    }
    const { hotel, dispute: d } = found;
    const staff = await people(hotel.venture_id);
    if (ctx.stale()) return;
    WH.title(content, `Dispute #${d.id}`);
    content.append(h('div.card', {}, WH.facts([
      ['Hotel', h('a', { href: `#/hotels/list/${hotel.id}`, text: `${hotel.name} (${hotel.code})` })],
      ['Type', WH.titleCase(d.type)],
      ['Channel', d.channel || '—'],
      ['Amount', WH.money(d.amount_cents)],
      ['Opened on', d.opened_on ? dayText(d.opened_on, { weekday: undefined, year: 'numeric' }) : '—'],
      ['Status', statusBadge(d.status)],
      ['Owner', personName(staff, d.owner_id)],
      ['Resolution note', d.resolution_note ? h('div.prose-text', { text: d.resolution_note }) : '—'],
    ])));
    if (!mayWrite()) return;

    const patch = (body) => WH.api('PATCH', `/hotel-disputes/${d.id}`, body);
    const targets = DISPUTE_STATUSES.filter((s) => s !== d.status);
    content.append(h('section.card', { 'aria-labelledby': 'status-h' },
      h('h2', { id: 'status-h', text: 'Change status' }),
      d.owner_id === null && targets.some((s) => RESOLVED.includes(s))
        ? h('p.muted.small', { text: 'Set an owner first if someone should be credited for resolving it.' }) : null,
      WH.actions(targets.map((s) => ({ label: STATUS_BUTTON[s],
        run: () => patch({ status: s }), done: `Moved to ${WH.titleCase(s)}.` })), rerender)));

    const form = WH.form({
      title: 'Owner, opening day and resolution note', nullEmpty: true,
      fields: [
        { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: ownerOptions(staff),
          value: d.owner_id === null ? '' : String(d.owner_id) },
        { name: 'opened_on', label: 'Opened on', type: 'date', required: true, value: d.opened_on, max: WH.today() },
        { name: 'resolution_note', label: 'Resolution note', type: 'textarea', wide: true, rows: 4, maxlength: 10000, value: d.resolution_note },
      ],
      submitLabel: 'Save',
      submit: (body, write) => write('PATCH', `/hotel-disputes/${d.id}`, body),
      onDone: rerender,
    });
    content.append(form);
  });
})();
