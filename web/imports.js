/* Wheelhouse web UI: CSV imports (registered with WH.screen).
 *   /admin/imports   choose a kind and a venture, pick a file, "Check file" (a dry run: counts and
 *                    the line errors in a table), "Import" (enabled once the check of this very
 *                    file, kind and venture is clean), template downloads per kind, and the
 *                    history of committed imports.
 * The file is sent as it is (Content-Type: text/csv), never read into the page; an Import
 * reuses one Idempotency-Key per file, kind and venture, so a double click imports once.
 * Test hooks: [data-testid="import-report"], [data-testid="import-errors"],
 * [data-testid="import-done"]. */
'use strict';

(function () {
  const { h } = WH;
  const KINDS = [
    ['shippers', 'Shippers', ['LOGISTICS', 'TRANSPORT']],
    ['loads', 'Loads', ['LOGISTICS', 'TRANSPORT']],
    ['carriers', 'Carriers', null],
    ['hotel_daily', 'Hotel daily figures', ['HOSPITALITY']],
    ['bpo_call_logs', 'BPO call logs', ['BPO']],
    ['saas_subscriptions', 'SaaS subscriptions', ['SAAS']],
  ];
  const kindOf = (k) => KINDS.find(([v]) => v === k) || KINDS[0];

  // POST /imports with the file as the body; the answer's JSON, or a WH.ApiError.
  async function upload(query, file, key) {
    const headers = { 'Accept': 'application/json', 'X-Requested-With': 'wheelhouse',
      'Content-Type': 'text/csv; charset=utf-8' };
    if (key) headers['Idempotency-Key'] = key;
    let res;
    try {
      res = await fetch(`${WH.API}/imports${WH.qs(query)}`, { method: 'POST', headers, body: file, credentials: 'same-origin' });
    } catch (e) {
      throw new WH.ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new WH.ApiError(res.status, data, res.headers.get('X-Request-Id'), res.headers.get('Retry-After'));
    return data;
  }

  function errorTable(errors, truncated, invalid) {
    if (!errors || !errors.length) return h('p.muted', { text: 'No errors.' });
    return h('div.table-wrap', { 'data-testid': 'import-errors' },
      h('table.stack', {},
        h('caption', { text: truncated ? `The first ${errors.length} errors (${invalid} records are invalid)` : 'Errors by line' }),
        h('thead', {}, h('tr', {}, ['Line', 'Column', 'Problem'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, errors.map((e) => h('tr', {},
          h('td', { 'data-label': 'Line', class: 'num', text: String(e.line) }),
          h('td', { 'data-label': 'Column', text: e.field }),
          h('td', { 'data-label': 'Problem', text: e.message }))))));
  }

  // The check's verdict in one sentence: what to do next.
  function verdict(r) {
    const n = (k, one, many) => `${k} ${k === 1 ? one : many}`;
    if (r.rows_invalid > 0) return `${n(r.rows_invalid, 'record has', 'records have')} a problem (below): fix the file and check it again. Nothing was imported.`;
    if (r.already_imported_id) return 'This very file is already imported: importing it again would change nothing.';
    return `Every record is valid: Import writes ${n(r.rows_total, 'record', 'records')} (${r.created} new, ${r.updated} updated, ${r.skipped} skipped), all or none.`;
  }

  function reportView(r) {
    return h('div', { 'data-testid': 'import-report' },
      h(`p.notice${r.rows_invalid > 0 ? '.bad' : ''}`, { 'data-testid': 'import-verdict', text: verdict(r) }),
      WH.facts([
        ['Records', String(r.rows_total)], ['Valid', String(r.rows_valid)], ['Invalid', String(r.rows_invalid)],
        ['Would create', String(r.created)], ['Would update', String(r.updated)], ['Would skip', String(r.skipped)],
        r.already_imported_id ? ['Already imported', `yes (import #${r.already_imported_id}): importing again changes nothing`] : null,
      ]),
      errorTable(r.errors, r.errors_truncated, r.rows_invalid));
  }

  function importForm(content) {
    const box = WH.errorBox();
    const result = h('div.import-result', { 'aria-live': 'polite' });
    const kindId = WH.nextId('kind'), ventureId = WH.nextId('venture'), fileId = WH.nextId('file');
    const kindSel = h('select', { id: kindId, name: 'kind' }, KINDS.map(([v, t]) => h('option', { value: v, text: t })));
    const ventureSel = h('select', { id: ventureId, name: 'venture_id' });
    const ventureField = h('div.field', {}, h('label', { for: ventureId, text: 'Venture' }), ventureSel);
    const fileInput = h('input', { id: fileId, name: 'file', type: 'file', accept: '.csv,text/csv', required: true });
    const check = h('button.secondary', { type: 'button', text: 'Check file' });
    const commit = h('button.primary', { type: 'button', text: 'Import', disabled: true });
    const hint = h('p.muted', { text: 'Check the file first: Import is enabled when the check finds no errors.' });
    let checked = null; // {sig, key} of the last clean dry run
    const sig = () => {
      const f = fileInput.files[0];
      return f ? [kindSel.value, ventureSel.value, f.name, f.size, f.lastModified].join('|') : '';
    };
    const query = (dry) => {
      const k = kindOf(kindSel.value);
      const f = fileInput.files[0];
      return { kind: k[0], venture_id: k[2] ? ventureSel.value : null, dry_run: dry ? 'true' : 'false', filename: f ? f.name.slice(0, 200) : null };
    };
    const fillVentures = () => {
      const k = kindOf(kindSel.value);
      ventureField.hidden = !k[2];
      const vs = k[2] ? WH.ventures(k[2]) : [];
      ventureSel.replaceChildren(...vs.map((v) => h('option', { value: String(v.id), text: `${v.name} (${v.code})` })));
      if (WH.ventureId() && vs.some((v) => v.id === WH.ventureId())) ventureSel.value = String(WH.ventureId());
      check.disabled = !!k[2] && !vs.length;
      if (k[2] && !vs.length) hint.textContent = `None of your ventures takes ${k[1].toLowerCase()}.`;
      else hint.textContent = 'Check the file first: Import is enabled when the check finds no errors.';
    };
    const reset = () => { checked = null; commit.disabled = true; result.replaceChildren(); WH.clearProblem(box); };
    kindSel.addEventListener('change', () => { fillVentures(); reset(); });
    ventureSel.addEventListener('change', reset);
    fileInput.addEventListener('change', reset);
    check.addEventListener('click', async () => {
      reset();
      if (!fileInput.files[0]) { WH.showProblem(box, new WH.ApiError(400, { detail: 'Choose a CSV file first.' })); return; }
      check.disabled = true;
      try {
        const r = await upload(query(true), fileInput.files[0]);
        result.append(h('h2', { text: 'Check' }), reportView(r));
        if (r.rows_invalid === 0 && !r.already_imported_id) {
          const bytes = new Uint8Array(16);
          crypto.getRandomValues(bytes);
          checked = { sig: sig(), key: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
          commit.disabled = false;
        }
      } catch (err) {
        WH.showProblem(box, err);
        const p = err.problem || {};
        if (Array.isArray(p.errors) && p.errors.length && 'line' in p.errors[0]) box.append(errorTable(p.errors, p.errors_truncated, p.rows_invalid));
      } finally {
        check.disabled = false;
      }
    });
    commit.addEventListener('click', async () => {
      if (!checked || checked.sig !== sig()) { reset(); return; }
      commit.disabled = true;
      try {
        const r = await upload(query(false), fileInput.files[0], checked.key);
        result.replaceChildren(h('p.flash', { role: 'status', 'data-testid': 'import-done',
          text: `Imported ${r.rows_total} records: ${r.created} created, ${r.updated} updated, ${r.skipped} skipped (import #${r.id}).` }));
        checked = null;
        history.refresh();
      } catch (err) {
        WH.showProblem(box, err);
        commit.disabled = false;
      }
    });
    content.append(h('section.card', {},
      h('h2', { text: 'Import a file' }),
      h('div.grid', {},
        h('div.field', {}, h('label', { for: kindId, text: 'What the file holds' }), kindSel),
        ventureField,
        h('div.field', {}, h('label', { for: fileId, text: 'CSV file (UTF-8, header row first)' }), fileInput)),
      hint,
      h('div.actions', {}, check, commit),
      box, result));
    fillVentures();
  }

  function templates(content) {
    content.append(h('section.card', {},
      h('h2', { text: 'Templates' }),
      h('p.muted', { text: 'Each template is the header row of its kind: required columns first. Values are checked as the forms check them; an empty value means "not given".' }),
      h('ul.template-links', {}, KINDS.map(([k, label]) => h('li', {},
        h('a', { href: `${WH.API}/imports/templates/${k}`, download: `${k}-template.csv`, text: `${label} template` }))))));
  }

  const history = { refresh: () => {} };

  WH.screen('/admin/imports', async (content, ctx) => {
    WH.title(content, ctx.label);
    if (WH.can('imports.write')) importForm(content);
    templates(content);
    const box = h('div');
    const draw = () => box.replaceChildren(h('h2', { text: 'Imported files' }), WH.list({
      path: '/imports', query: { venture_id: WH.ventureId() || null },
      caption: 'Imported files, newest first', empty: 'No file has been imported yet.',
      columns: [
        { label: 'When', className: 'when', render: (i) => WH.dateTime(i.created_at) },
        { label: 'Kind', render: (i) => kindOf(i.kind)[1] },
        { label: 'Venture', render: (i) => (i.venture_id ? WH.ventureName(i.venture_id) : '—') },
        { label: 'File', render: (i) => i.filename || '—' },
        { label: 'Records', className: 'num', render: (i) => String(i.rows_total) },
        { label: 'Created', className: 'num', render: (i) => String(i.created) },
        { label: 'Updated', className: 'num', render: (i) => String(i.updated) },
        { label: 'Skipped', className: 'num', render: (i) => String(i.skipped) },
      ],
    }).el);
    history.refresh = draw;
    content.append(box);
    draw();
  });
})();
