/* Wheelhouse web UI, shared core: DOM helper, API client, formatting, URL state, and the
 * components every screen is built from (cursor lists, filters, forms, action buttons).
 * Plain JS, no build step; every screen file registers itself with WH.screen(). Text is
 * always set as text nodes, never parsed as HTML. No inline styles or scripts (the UI runs
 * under Content-Security-Policy default-src 'self'). */
'use strict';

window.WH = (function () {
  const API = '/api/v1';
  const ROLES = ['CEO', 'ADMIN', 'COO', 'VENTURE_HEAD', 'OFFICE_MANAGER', 'TEAM_LEAD', 'EMPLOYEE',
    'CONTRACTOR', 'AUDITOR', 'FINANCE', 'HR_ADMIN', 'TEST_USER', 'CSR', 'DISPATCHER',
    'CARRIER_TEAM', 'ACCOUNTING'];
  // DOMAIN.md §1 "Granting roles": only CEO and ADMIN grant these.
  const PRIVILEGED = ['CEO', 'ADMIN', 'COO', 'AUDITOR', 'HR_ADMIN', 'TEST_USER'];
  const LEADERSHIP = ['CEO', 'ADMIN', 'COO', 'VENTURE_HEAD'];
  const ROLE_LABELS = {
    CEO: 'CEO', ADMIN: 'Admin', COO: 'COO', VENTURE_HEAD: 'Venture head', OFFICE_MANAGER: 'Office manager',
    TEAM_LEAD: 'Team lead', EMPLOYEE: 'Employee', CONTRACTOR: 'Contractor', AUDITOR: 'Auditor',
    FINANCE: 'Finance', HR_ADMIN: 'HR admin', TEST_USER: 'Test user', CSR: 'CSR', DISPATCHER: 'Dispatcher',
    CARRIER_TEAM: 'Carrier team', ACCOUNTING: 'Accounting',
  };
  const roleLabel = (r) => ROLE_LABELS[r] || r;

  const state = { me: null, nav: null, venture: null };
  const screens = [];

  /* ------------------------------------------------------------------ DOM */

  // h('tag.class', {attr: value, onclick: fn}, child, ...)
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split('.');
    const el = document.createElement(tag);
    if (classes.length) el.className = classes.join(' ');
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else if (k === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  let uid = 0;
  const nextId = (p) => `${p}-${++uid}`;

  /* ------------------------------------------------------------------ API */

  class ApiError extends Error {
    constructor(status, problem, requestId, retryAfter) {
      super((problem && (problem.detail || problem.title)) || `Request failed (HTTP ${status})`);
      this.status = status;
      this.problem = problem || {};
      this.requestId = requestId || (problem && problem.request_id) || '';
      this.retryAfter = retryAfter;
    }
  }

  function randomKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  let onUnauthenticated = () => {};

  async function api(method, path, body, opts) {
    const headers = { 'Accept': 'application/json', 'X-Requested-With': 'wheelhouse' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts && opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    let res;
    try {
      res = await fetch(API + path, {
        method, headers, credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
    }
    const type = res.headers.get('Content-Type') || '';
    let data = null;
    if (res.status !== 204 && /json/.test(type)) {
      try { data = await res.json(); } catch (e) { data = null; }
    }
    if (!res.ok) {
      const err = new ApiError(res.status, data, res.headers.get('X-Request-Id'),
        res.headers.get('Retry-After'));
      if (res.status === 401 && !(opts && opts.allow401)) onUnauthenticated();
      throw err;
    }
    return data;
  }

  // A write that may be retried safely: the same body reuses the same Idempotency-Key, so a
  // double click or a retry after a network error never creates two rows.
  function writer() {
    let sent = { text: null, key: null };
    return async (method, path, body) => {
      const text = `${method} ${path} ${JSON.stringify(body === undefined ? null : body)}`;
      if (text !== sent.text) sent = { text, key: randomKey() };
      const out = await api(method, path, body, method === 'POST' ? { idempotencyKey: sent.key } : undefined);
      sent = { text: null, key: null };
      return out;
    };
  }

  const qs = (params) => {
    const parts = Object.entries(params || {})
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    return parts.length ? `?${parts.join('&')}` : '';
  };

  /* ------------------------------------------------------------------ words for problems */

  const WORDS = {
    invalid_transition: 'That change is not allowed from the current status.',
    carrier_blocked: 'This carrier cannot be used: FMCSA does not authorise it, or it is blocked.',
    conflict: 'This conflicts with what is already recorded.',
    forbidden: 'Your role may not do this.',
    not_found: 'It does not exist, or it is outside your ventures.',
    idempotency_key_reused: 'This request was already sent with different data; reload and try again.',
    payload_too_large: 'That is too large to send.',
  };

  // One sentence a person can act on, for any failure.
  function problemText(err) {
    const p = (err && err.problem) || {};
    const status = err && err.status;
    if (status === 429) {
      const s = Number(err.retryAfter);
      return `Too many requests. Try again in ${s > 0 ? `${s} second${s === 1 ? '' : 's'}` : 'a moment'}.`;
    }
    if (status >= 500 || status === 0) {
      const base = p.detail || 'The server could not complete this.';
      return err.requestId ? `${base} (request id ${err.requestId})` : base;
    }
    const words = WORDS[p.code];
    if (p.detail && words && p.detail !== words) return `${words} ${p.detail}`;
    return p.detail || words || p.title || (err && err.message) || 'Something went wrong.';
  }

  function errorBox() {
    return h('div.error', { id: nextId('err'), role: 'alert', 'aria-live': 'assertive', hidden: true });
  }

  function clearProblem(box, form) {
    box.replaceChildren();
    box.hidden = true;
    if (form) {
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      for (const el of form.querySelectorAll('.field-error')) el.remove();
    }
  }

  // The summary in box; each field error also beside its field (by name, or by data-field).
  function showProblem(box, err, form) {
    clearProblem(box, form);
    const p = (err && err.problem) || {};
    box.append(h('p', { text: problemText(err) }));
    const fields = Array.isArray(p.errors) ? p.errors : [];
    const unplaced = [];
    for (const fe of fields) {
      const input = form && (form.querySelector(`[data-field="${CSS.escape(fe.field)}"]`) ||
        form.elements.namedItem(fe.field));
      const target = input && (input.length && !input.tagName ? input[0] : input);
      if (target && target.setAttribute) {
        target.setAttribute('aria-invalid', 'true');
        const id = nextId('fe');
        const msg = h('small.field-error', { id, text: fe.message });
        target.insertAdjacentElement('afterend', msg);
        target.setAttribute('aria-describedby', id);
      } else {
        unplaced.push(fe);
      }
    }
    if (fields.length) {
      box.append(h('ul', {}, fields.map((fe) => h('li', {}, h('strong', { text: label(form, fe.field) }), `: ${fe.message}`))));
    }
    box.hidden = false;
    return unplaced;
  }

  function label(form, field) {
    const input = form && form.elements && (form.elements.namedItem(field) ||
      form.querySelector(`[data-field="${CSS.escape(field)}"]`));
    const lab = input && input.id && form.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    return lab ? lab.textContent.replace(/ \(optional\)$/, '') : field;
  }

  /* ------------------------------------------------------------------ formatting */

  const money = (cents) => {
    if (cents === null || cents === undefined) return '—';
    const neg = cents < 0;
    const abs = Math.abs(cents);
    const dollars = Math.floor(abs / 100).toLocaleString('en-US');
    return `${neg ? '−' : ''}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
  };
  const bp = (v) => (v === null || v === undefined ? '—' : `${(v / 100).toFixed(2)}%`);
  const dateTime = (iso) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  };
  const yesNo = (b) => (b ? 'Yes' : 'No');
  const titleCase = (s) => String(s || '').toLowerCase().replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
  // Dollars typed by a person ("1,234.50") to integer cents; NaN when it is not money.
  const toCents = (text) => {
    const t = String(text || '').replace(/[$,\s]/g, '');
    if (t === '') return null;
    if (!/^-?\d+(\.\d{1,2})?$/.test(t)) return NaN;
    const [whole, frac = ''] = t.replace('-', '').split('.');
    const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
    return t.startsWith('-') ? -cents : cents;
  };
  const centsToInput = (c) => (c === null || c === undefined ? '' : (c / 100).toFixed(2));

  // Days (YYYY-MM-DD, the server's business days) as calendar days of the browser's clock: never
  // shifted by a time zone. One set for every screen.
  const day = {
    parse: (s) => { const [y, m, d] = String(s).split('-').map(Number); return new Date(y, m - 1, d); },
    fmt: (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`,
    // a real calendar day (2026-02-30 is not one)
    is: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || '') && day.fmt(day.parse(s)) === s,
    add: (s, n) => { const d = day.parse(s); d.setDate(d.getDate() + n); return day.fmt(d); },
    // "Wed, Dec 2" (opts add to it, e.g. { year: 'numeric' })
    text: (s, opts) => day.parse(s).toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short', ...(opts || {}) }),
    // "Dec 2, 2026"; — for none, the text itself when it is not a day
    date: (s) => (!s ? '—' : day.is(s) ? day.parse(s).toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' }) : s),
    // "Dec 2"
    short: (s) => (day.is(s) ? day.parse(s).toLocaleDateString([], { month: 'short', day: 'numeric' }) : s),
  };

  // Today in the browser's local time as YYYY-MM-DD (the business day for people at work).
  function today(offsetDays) {
    return day.add(day.fmt(new Date()), offsetDays || 0);
  }

  /* ------------------------------------------------------------------ URL state */

  function hashParts() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, query] = raw.split('?');
    const params = Object.fromEntries(new URLSearchParams(query || ''));
    return { path: path.startsWith('/') ? path : `/${path}`, params };
  }

  // Replaces the screen's query in the URL (one history entry), so back/forward, reload and a
  // shared link show the same list.
  function setParams(params, replace) {
    const { path } = hashParts();
    const url = `#${path}${qs(params)}`;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    window.dispatchEvent(new Event('wh:route'));
  }

  /* ------------------------------------------------------------------ ventures */

  // The venture chosen in the top bar (null: all of the caller's ventures).
  const ventureId = () => state.venture;
  const ventures = (types) => (state.me ? state.me.ventures : []).filter((v) => !types || types.includes(v.type));
  // A venture's name from the caller's ventures (GET /me), "Venture <id>" when it is not one.
  const ventureName = (id) => { const v = ventures().find((x) => x.id === id); return v ? v.name : `Venture ${id}`; };
  const can = (perm) => !!(state.me && state.me.permissions.includes(perm));
  const role = () => (state.me ? state.me.user.role : '');
  const isLeader = () => LEADERSHIP.includes(role());

  /* ------------------------------------------------------------------ components */

  // "Export CSV": the same path and filters as the screen shows, with format=csv (every row,
  // not a page: limit and cursor are left out; docs/export.md). A plain link, so the browser
  // downloads the file with the session cookie and names it from Content-Disposition.
  function exportLink(path, query) {
    const q = { ...(query || {}) };
    delete q.limit;
    delete q.cursor;
    return h('a.button.secondary.export-csv', { href: API + path + qs({ ...q, format: 'csv' }),
      download: '', 'data-testid': 'export-csv', text: 'Export CSV',
      title: 'Download every row of this list, with its filters, as a CSV file' });
  }

  // A cursor list drawn as a table with a "Load more" button. query: the list's filters (sent
  // as given); columns: [{label, key} | {label, render(row) -> node|text}]; rowLink(row) -> href
  // makes the first cell a link; a column's className (e.g. 'num') goes on its th and tds.
  function list({ path, query, columns, caption, empty, rowLink, limit }) {
    const tbody = h('tbody');
    const status = h('p.muted.list-status', { role: 'status', 'aria-live': 'polite' });
    const errors = errorBox();
    const more = h('button.secondary', { type: 'button', hidden: true, text: 'Load more' });
    const table = h('table.stack', {},
      h('caption.sr-only', { text: caption }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label, class: c.className })))),
      tbody);
    const wrap = h('div.table-wrap', {}, table);
    let cursor = null;
    let loaded = 0;
    const cell = (c, row, i) => {
      const v = c.render ? c.render(row) : (row[c.key] ?? '');
      if (i === 0 && rowLink) return h('a', { href: rowLink(row) }, v === '' ? '(open)' : v);
      return v;
    };
    async function load(reset) {
      if (reset) { cursor = null; loaded = 0; tbody.replaceChildren(); }
      more.disabled = true;
      status.textContent = 'Loading…';
      clearProblem(errors);
      try {
        const page = await api('GET', path + qs({ ...(query || {}), limit: limit || 50, cursor }));
        for (const row of page.items || []) {
          tbody.append(h('tr', {}, columns.map((c, i) => h('td', { 'data-label': c.label, class: c.className }, cell(c, row, i)))));
        }
        loaded += (page.items || []).length;
        cursor = page.next_cursor;
        more.hidden = !(page.has_more && cursor);
        wrap.hidden = loaded === 0;
        status.textContent = loaded ? `Showing ${loaded}${more.hidden ? '' : ' so far'}.` : empty;
      } catch (err) {
        status.textContent = '';
        wrap.hidden = loaded === 0;
        showProblem(errors, err);
      } finally {
        more.disabled = false;
      }
    }
    more.addEventListener('click', () => load(false));
    const foot = h('div.list-foot', {}, more, exportLink(path, query));
    const el = h('div.list', {}, errors, wrap, status, foot);
    load(true);
    return { el, reload: () => load(true) };
  }

  // An input for a field spec: {name, label, type (text|number|date|email|password|money|
  // select|textarea|checkbox|datetime-local), options: [[value, text]...] or [value...],
  // required, value, hint, min, max, maxlength, minlength, step, optional: false (no
  // "(optional)" after the label, as in filters, where every field is optional)}.
  function control(f) {
    const id = nextId('f');
    const hintId = f.hint ? `${id}-hint` : null;
    const common = { id, name: f.name, required: f.required, 'aria-describedby': hintId,
      disabled: f.disabled, 'data-field': f.field || null };
    let input;
    if (f.type === 'select') {
      const opts = (f.options || []).map((o) => (Array.isArray(o) ? o : [o, titleCase(o)]));
      input = h('select', common, opts.map(([v, t]) => h('option', { value: v, text: t })));
      if (f.value !== undefined && f.value !== null) input.value = String(f.value);
    } else if (f.type === 'textarea') {
      input = h('textarea', { ...common, rows: f.rows || 3, maxlength: f.maxlength });
      input.value = f.value ?? '';
    } else if (f.type === 'checkbox') {
      input = h('input', { ...common, type: 'checkbox' });
      input.checked = !!f.value;
      return h('div.field.check', {}, input, h('label', { for: id, text: f.label }));
    } else {
      const type = f.type === 'money' ? 'text' : (f.type || 'text');
      input = h('input', { ...common, type, maxlength: f.maxlength, minlength: f.minlength, min: f.min,
        max: f.max, step: f.step, inputmode: f.type === 'money' ? 'decimal' : null,
        autocomplete: f.autocomplete || 'off', placeholder: f.placeholder });
      input.value = f.type === 'money' ? centsToInput(f.value) : (f.value ?? '');
    }
    return h(`div.field${f.wide ? '.wide' : ''}`, {},
      h('label', { for: id, text: f.label + (f.required || f.plain || f.disabled || f.optional === false || f.type === 'checkbox' ? '' : ' (optional)') }),
      input, f.hint ? h('small.muted', { id: hintId, text: f.hint }) : null);
  }

  // Reads the fields of a form built by WH.form into a body: empty optional fields are left
  // out (or sent as null with nullEmpty), money to cents, numbers to integers. A value that is
  // not well-formed is reported like a server field error.
  function readFields(form, fields, opts) {
    const body = {};
    const errors = [];
    for (const f of fields) {
      const el = form.elements.namedItem(f.name);
      if (!el || f.readOnly) continue;
      const key = f.field || f.name;
      if (f.type === 'checkbox') { body[key] = el.checked; continue; }
      const raw = String(el.value).trim();
      if (raw === '') {
        if (opts && opts.nullEmpty && !f.required) body[key] = null;
        else if (f.required) errors.push({ field: key, message: 'is required' });
        continue;
      }
      if (f.type === 'money') {
        const c = toCents(raw);
        if (Number.isNaN(c)) errors.push({ field: key, message: 'must be an amount like 1234.50' });
        else body[key] = c;
      } else if (f.type === 'number') {
        if (!/^-?\d+$/.test(raw)) errors.push({ field: key, message: 'must be a whole number' });
        else body[key] = Number(raw);
      } else if (f.type === 'datetime-local') {
        const d = new Date(raw);
        if (Number.isNaN(d.getTime())) errors.push({ field: key, message: 'must be a date and time' });
        else body[key] = d.toISOString();
      } else if (f.type === 'select' && f.numeric) {
        body[key] = Number(raw);
      } else {
        body[key] = raw;
      }
    }
    return { body, errors };
  }

  // A form: fields as for control(); submit(body) performs the write (use a WH.writer());
  // onDone(result, notice) after success. The summary of a failure is in a role=alert region
  // and each field error beside its field. method/path given: the write is done here.
  function form({ title, fields, submitLabel, method, path, toBody, submit, onDone, nullEmpty, cancel }) {
    const errors = errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    const headingId = nextId('form');
    const write = writer();
    const button = h('button.primary', { type: 'submit', text: submitLabel });
    const el = h('form.card', { novalidate: true, 'aria-labelledby': title ? headingId : null },
      title ? h('h2', { id: headingId, text: title }) : null, errors, notice,
      h('div.grid', {}, fields.map(control)),
      h('div.actions', {}, button, cancel ? h('button.secondary', { type: 'button', text: 'Cancel', onclick: cancel }) : null));
    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearProblem(errors, el);
      notice.textContent = '';
      const read = readFields(el, fields, { nullEmpty });
      if (read.errors.length) {
        showProblem(errors, new ApiError(400, { detail: 'Some fields need attention.', errors: read.errors }), el);
        return;
      }
      button.disabled = true;
      try {
        const body = toBody ? toBody(read.body, el) : read.body;
        const out = submit ? await submit(body, write) : await write(method, typeof path === 'function' ? path() : path, body);
        if (onDone) onDone(out, notice, el);
      } catch (err) {
        showProblem(errors, err, el);
      } finally {
        button.disabled = false;
      }
    });
    return el;
  }

  // Filters above a list, kept in the URL: fields as for control() with values from params;
  // "Apply" writes them to the URL (which re-renders the screen), "Clear" removes them.
  function filters(fields, params) {
    const el = h('form.filters', { role: 'search', 'aria-label': 'Filters' },
      h('div.grid', {}, fields.map((f) => control({ ...f, plain: true, value: params[f.name] ?? f.value }))),
      h('div.actions', {}, h('button.secondary', { type: 'submit', text: 'Apply filters' }),
        h('button.link', { type: 'button', text: 'Clear', onclick: () => setParams({}) })));
    el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out = {};
      for (const f of fields) {
        const v = el.elements.namedItem(f.name);
        if (f.type === 'checkbox') { if (v.checked) out[f.name] = 'true'; } else if (v.value.trim() !== '') out[f.name] = v.value.trim();
      }
      setParams(out);
    });
    return el;
  }

  // Buttons for actions: [{label, run: async () => ..., confirm?}], with one error box and a
  // notice; after(result) runs after success (usually a re-render).
  function actions(items, after) {
    const errors = errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    const buttons = items.map((it) => h(`button.${it.primary ? 'primary' : 'secondary'}`, {
      type: 'button', text: it.label,
      onclick: async (ev) => {
        const b = ev.currentTarget;
        clearProblem(errors);
        if (it.confirm && !window.confirm(it.confirm)) return;
        b.disabled = true;
        try {
          const out = await it.run();
          notice.textContent = it.done || '';
          if (after) after(out);
        } catch (err) {
          showProblem(errors, err);
        } finally {
          b.disabled = false;
        }
      },
    }));
    return h('div.action-bar', {}, errors, notice, h('div.actions', {}, buttons));
  }

  // A definition list of [label, value] pairs.
  function facts(pairs) {
    return h('dl.facts', {}, pairs.filter(Boolean).map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v ?? '—')]));
  }

  // A venture choice for a form (only the caller's ventures of the given types); the top-bar
  // venture is preselected.
  function ventureField(types, extra) {
    const vs = ventures(types);
    return { name: 'venture_id', label: 'Venture', type: 'select', numeric: true, required: true,
      options: vs.map((v) => [String(v.id), `${v.name} (${v.code})`]),
      value: state.venture && vs.some((v) => v.id === state.venture) ? String(state.venture) : (vs[0] ? String(vs[0].id) : ''),
      ...(extra || {}) };
  }

  // The screen's title: one h1 equal to its navigation label.
  function title(content, text, ...after) {
    document.title = `${text} · Wheelhouse`;
    content.append(h('div.screen-head', {}, h('h1', { text }), ...after));
  }

  function empty(content, text) {
    content.append(h('p.empty', { text }));
  }

  /* ------------------------------------------------------------------ screens */

  // Registers a screen for a path pattern ('/freight/loads/:id'); render(content, ctx) with ctx
  // {params (the URL query), args (the :names), label}. May be async.
  function screen(pattern, render) {
    const names = [];
    const re = new RegExp(`^${pattern.replace(/:[a-z_]+/g, (m) => { names.push(m.slice(1)); return '([^/]+)'; })}$`);
    screens.push({ pattern, re, names, render });
  }

  function findScreen(path) {
    for (const s of screens) {
      const m = s.re.exec(path);
      if (m) {
        const args = {};
        s.names.forEach((n, i) => { args[n] = decodeURIComponent(m[i + 1]); });
        return { screen: s, args };
      }
    }
    return null;
  }

  // A labelled select (spec.options: [[value, text]...]) or input outside a WH.form that calls
  // onChange(value) when it changes (screens use it to rewrite the URL at once).
  function contextControl(spec, onChange) {
    const id = nextId('ctx');
    const input = spec.options
      ? h('select', { id, name: spec.name }, spec.options.map(([v, t]) => h('option', { value: v, text: t })))
      : h('input', { id, name: spec.name, type: spec.type || 'text', min: spec.min, max: spec.max });
    input.value = spec.value;
    input.addEventListener('change', () => onChange(input.value));
    return h('div.field', {}, h('label', { for: id, text: spec.label }), input);
  }

  // Every item of a cursor list (for small lists a screen groups or joins client-side: people
  // of a venture, hotels, agents); stops after maxPages pages of 200.
  async function allItems(path, query, maxPages) {
    const out = [];
    let cursor = null;
    for (let i = 0; i < (maxPages || 10); i++) {
      const page = await api('GET', path + qs({ ...(query || {}), limit: 200, cursor }));
      out.push(...(page.items || []));
      if (!page.has_more || !page.next_cursor) break;
      cursor = page.next_cursor;
    }
    return out;
  }

  // The members of a venture (GET /ventures/{id}/people, every page), read once a minute at
  // most per venture; [] when the caller may not list them.
  const peopleCache = new Map();
  function people(ventureId) {
    const hit = peopleCache.get(ventureId);
    if (hit && Date.now() - hit.at < 60000) return hit.list;
    const list = allItems(`/ventures/${ventureId}/people`).catch(() => []);
    peopleCache.set(ventureId, { at: Date.now(), list });
    return list;
  }

  return {
    API, ROLES, PRIVILEGED, LEADERSHIP, roleLabel, state, h, nextId, ApiError, api, writer, qs, problemText,
    errorBox, showProblem, clearProblem, money, bp, dateTime, yesNo, titleCase, toCents, today, day,
    hashParts, setParams, ventureId, ventures, ventureName, can, role, isLeader, list, exportLink, control, readFields,
    form, filters, actions, facts, ventureField, title, empty, screen, findScreen,
    contextControl,
    setUnauthenticated: (fn) => { onUnauthenticated = fn; },
    allItems, people,
  };
})();
