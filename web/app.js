/* Wheelhouse web UI: plain JS, no build step. The server computes what the
 * caller may see (/me, /me/navigation); this file only draws it. */
'use strict';

(function () {
  const API = '/api/v1';
  const ROLES = ['CEO', 'ADMIN', 'COO', 'VENTURE_HEAD', 'OFFICE_MANAGER', 'TEAM_LEAD', 'EMPLOYEE',
    'CONTRACTOR', 'AUDITOR', 'FINANCE', 'HR_ADMIN', 'TEST_USER', 'CSR', 'DISPATCHER',
    'CARRIER_TEAM', 'ACCOUNTING'];
  const VENTURE_TYPES = ['LOGISTICS', 'TRANSPORT', 'HOSPITALITY', 'BPO', 'SAAS', 'HOLDINGS', 'TESTING'];

  const state = { me: null, nav: null };
  const $ = (id) => document.getElementById(id);

  /* ---------------------------------------------------------------- DOM */

  // h('tag.class', {attr: value, onclick: fn}, child, ...) - text is always set
  // as text nodes, never parsed as HTML.
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split('.');
    const el = document.createElement(tag);
    if (classes.length) el.className = classes.join(' ');
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  let uid = 0;
  const nextId = (p) => `${p}-${++uid}`;

  /* ---------------------------------------------------------------- API */

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `Request failed (HTTP ${status})`);
      this.status = status;
      this.problem = problem || {};
    }
  }

  function randomKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

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
      if (res.status === 429 && data && !data.detail) {
        data.detail = `Too many requests; try again in ${res.headers.get('Retry-After') || 'a few'} seconds.`;
      }
      const err = new ApiError(res.status, data);
      if (res.status === 401 && !(opts && opts.allow401)) sessionEnded();
      throw err;
    }
    return data;
  }

  const qs = (params) => {
    const parts = Object.entries(params)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    return parts.length ? `?${parts.join('&')}` : '';
  };

  /* ---------------------------------------------------------------- errors */

  // Fills an error box with a problem's detail and its field errors, and marks
  // the matching inputs of the form as invalid.
  function showProblem(box, err, form) {
    clearProblem(box, form);
    const p = (err && err.problem) || {};
    box.append(h('p', { text: p.detail || p.title || (err && err.message) || 'Something went wrong.' }));
    const fields = Array.isArray(p.errors) ? p.errors : [];
    if (fields.length) {
      box.append(h('ul', {}, fields.map((fe) => h('li', {}, h('strong', { text: fe.field }), `: ${fe.message}`))));
      for (const fe of fields) {
        const input = form && form.elements.namedItem(fe.field);
        if (input && input.setAttribute) {
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', box.id);
        }
      }
    }
    box.hidden = false;
  }

  function clearProblem(box, form) {
    box.replaceChildren();
    box.hidden = true;
    if (form) {
      for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
        el.removeAttribute('aria-describedby');
      }
    }
  }

  function errorBox() {
    return h('div.error', { id: nextId('err'), role: 'alert', 'aria-live': 'assertive', hidden: true });
  }

  /* ---------------------------------------------------------------- session */

  function showLogin(notice) {
    state.me = null;
    state.nav = null;
    $('boot').hidden = true;
    $('app-view').hidden = true;
    $('login-view').hidden = false;
    $('login-notice').textContent = notice || '';
    clearProblem($('login-error'), $('login-form'));
    $('login-password').value = '';
    $('login-email').focus();
  }

  function sessionEnded() {
    if (state.me) showLogin('Your session has ended. Please sign in again.');
  }

  async function onLogin(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const box = $('login-error');
    const button = form.querySelector('button[type=submit]');
    clearProblem(box, form);
    button.disabled = true;
    try {
      await api('POST', '/auth/login', {
        email: form.elements.email.value.trim(),
        password: form.elements.password.value,
      }, { allow401: true });
      form.elements.password.value = '';
      await startShell();
    } catch (err) {
      showProblem(box, err, form);
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    try {
      await api('POST', '/auth/logout', undefined, { allow401: true });
    } catch (e) {
      // Signed out either way: the cookie is HttpOnly, the server clears it.
    }
    showLogin('You have signed out.');
    history.replaceState(null, '', location.pathname);
  }

  async function startShell() {
    const [me, nav] = await Promise.all([
      api('GET', '/me', undefined, { allow401: true }),
      api('GET', '/me/navigation', undefined, { allow401: true }),
    ]);
    state.me = me;
    state.nav = nav;
    drawHeader();
    drawSidebar();
    $('boot').hidden = true;
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    route();
  }

  /* ---------------------------------------------------------------- shell */

  function ventureLabel(me) {
    const names = (me.ventures || []).map((v) => v.code || v.name);
    if (me.all_ventures) return `All ventures (${names.length})`;
    if (!names.length) return 'No ventures';
    return names.length > 4 ? `${names.slice(0, 4).join(', ')} +${names.length - 4}` : names.join(', ');
  }

  function drawHeader() {
    const me = state.me;
    $('who-name').textContent = me.user.full_name;
    $('who-role').textContent = me.user.role;
    $('who-ventures').textContent = ventureLabel(me);
    $('who-ventures').title = (me.ventures || []).map((v) => v.name).join(', ');
  }

  function drawSidebar() {
    const sections = (state.nav && state.nav.sections) || [];
    $('sidebar').replaceChildren(...sections.map((s) => {
      const headingId = nextId('nav');
      return h('section.nav-section', { 'aria-labelledby': headingId },
        h('h2', { id: headingId, text: s.label }),
        h('ul', {}, (s.items || []).map((it) => h('li', {},
          h('a', { href: `#${it.path}`, 'data-path': it.path, text: it.label })))));
    }));
  }

  function navItems() {
    const out = [];
    for (const s of (state.nav && state.nav.sections) || []) {
      for (const it of s.items || []) out.push({ section: s, item: it });
    }
    return out;
  }

  function currentPath() {
    const raw = location.hash.replace(/^#/, '');
    const path = raw.split('?')[0] || '/';
    return path.startsWith('/') ? path : `/${path}`;
  }

  const SCREENS = {
    '/': renderMyDay,
    '/admin/ventures': renderVentures,
    '/admin/users': renderUsers,
  };

  function markCurrent(path) {
    for (const a of $('sidebar').querySelectorAll('a[data-path]')) {
      if (a.dataset.path === path) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  function route() {
    if (!state.me) return;
    const path = currentPath();
    markCurrent(path);
    const entry = navItems().find((e) => e.item.path === path);
    const content = $('content');
    content.replaceChildren();
    if (path === '/' || entry) {
      const screen = SCREENS[path] || renderPlaceholder;
      document.title = `${entry ? entry.item.label : 'My day'} · Wheelhouse`;
      screen(content, entry);
    } else {
      document.title = 'Not found · Wheelhouse';
      content.append(h('h1', { tabindex: '-1', text: 'Page not found' }),
        h('p', { text: 'This page does not exist or is not available to your role.' }),
        h('p', {}, h('a', { href: '#/', text: 'Back to My day' })));
    }
    const heading = content.querySelector('h1');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
  }

  /* ---------------------------------------------------------------- widgets */

  // A cursor list drawn as a table with a "Load more" button.
  function cursorTable({ path, params, columns, caption, empty }) {
    const tbody = h('tbody');
    const status = h('p.muted', { role: 'status', 'aria-live': 'polite' });
    const errors = errorBox();
    const more = h('button.secondary', { type: 'button', hidden: true, text: 'Load more' });
    const table = h('table', {},
      h('caption.sr-only', { text: caption }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label })))),
      tbody);
    let cursor = null;
    let loaded = 0;

    async function load(reset) {
      if (reset) { cursor = null; loaded = 0; tbody.replaceChildren(); }
      more.disabled = true;
      status.textContent = 'Loading…';
      clearProblem(errors);
      try {
        const page = await api('GET', path + qs({ ...(params || {}), limit: 50, cursor }));
        for (const row of page.items || []) {
          tbody.append(h('tr', {}, columns.map((c) => h('td', {}, c.render ? c.render(row) : String(row[c.key] ?? '')))));
        }
        loaded += (page.items || []).length;
        cursor = page.next_cursor;
        more.hidden = !(page.has_more && cursor);
        status.textContent = loaded ? `Showing ${loaded}${more.hidden ? '' : ' so far'}.` : empty;
      } catch (err) {
        status.textContent = '';
        showProblem(errors, err);
      } finally {
        more.disabled = false;
      }
    }

    more.addEventListener('click', () => load(false));
    const el = h('div.list', {}, errors, h('div.table-wrap', {}, table), status, more);
    load(true);
    return { el, reload: () => load(true) };
  }

  // A create form: fields [{name, label, type, options, required, ...}] and
  // toBody(form) -> request body. Calls onCreated(resource) after a 201.
  function createForm({ title, path, fields, submitLabel, toBody, onCreated }) {
    const errors = errorBox();
    const notice = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    const headingId = nextId('form');
    // One Idempotency-Key per distinct body: submitting the same data twice (a
    // double click, a retry after a network error) replays the first answer;
    // corrected data after an error is a new request with a new key.
    let sent = { body: null, key: null };
    const controls = fields.map((f) => {
      const id = nextId('f');
      let input;
      if (f.type === 'select') {
        input = h('select', { id, name: f.name, required: f.required },
          f.options.map((o) => h('option', { value: o, text: o, selected: o === f.value })));
      } else if (f.type === 'checkbox') {
        input = h('input', { id, name: f.name, type: 'checkbox', checked: f.checked });
        return h('div.field.check', {}, input, h('label', { for: id, text: f.label }));
      } else {
        input = h('input', { id, name: f.name, type: f.type || 'text', required: f.required,
          maxlength: f.maxlength, minlength: f.minlength, autocomplete: f.autocomplete || 'off',
          'aria-describedby': f.hint ? `${id}-hint` : null });
      }
      return h('div.field', {}, h('label', { for: id, text: f.label + (f.required ? '' : ' (optional)') }), input,
        f.hint ? h('small.muted', { id: `${id}-hint`, text: f.hint }) : null);
    });
    const button = h('button.primary', { type: 'submit', text: submitLabel });
    const form = h('form.card', { novalidate: true, 'aria-labelledby': headingId },
      h('h2', { id: headingId, text: title }), errors, notice, h('div.grid', {}, controls), button);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearProblem(errors, form);
      notice.textContent = '';
      button.disabled = true;
      try {
        const body = toBody(form);
        const text = JSON.stringify(body);
        if (text !== sent.body) sent = { body: text, key: randomKey() };
        const created = await api('POST', path, body, { idempotencyKey: sent.key });
        sent = { body: null, key: null };
        form.reset();
        onCreated(created, notice);
      } catch (err) {
        showProblem(errors, err, form);
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  const val = (form, name) => form.elements[name].value.trim();
  const yesNo = (b) => (b ? 'Yes' : 'No');

  /* ---------------------------------------------------------------- screens */

  function renderMyDay(content) {
    const me = state.me;
    const first = (me.user.full_name || '').split(' ')[0];
    const ventures = me.ventures || [];
    const offices = me.offices || [];
    content.append(h('h1', { text: `Good ${greeting()}, ${first}` }),
      h('p.muted', { text: `${me.user.role} · ${me.user.email}` }));
    const section = h('section.card', { 'aria-labelledby': 'myday-ventures' },
      h('h2', { id: 'myday-ventures', text: me.all_ventures ? 'All ventures' : 'Your ventures' }));
    if (!ventures.length) {
      section.append(h('p', { text: 'You are not a member of any venture yet. Ask an administrator to add you.' }));
    } else {
      section.append(h('ul.venture-list', {}, ventures.map((v) => {
        const mine = offices.filter((o) => o.venture_id === v.id).map((o) => o.name);
        return h('li', {}, h('span.venture-name', { text: v.name }), ' ',
          h('span.badge', { text: v.code }), ' ', h('span.muted', { text: v.type }),
          mine.length ? h('div.muted.small', { text: `Offices: ${mine.join(', ')}` }) : null);
      })));
    }
    content.append(section);
  }

  function greeting() {
    const hr = new Date().getHours();
    return hr < 12 ? 'morning' : hr < 18 ? 'afternoon' : 'evening';
  }

  function renderVentures(content) {
    content.append(h('h1', { text: 'Ventures' }));
    const list = cursorTable({
      path: '/ventures', caption: 'Ventures', empty: 'No ventures yet.',
      columns: [
        { label: 'Name', key: 'name' }, { label: 'Code', key: 'code' },
        { label: 'Type', key: 'type' }, { label: 'Active', render: (v) => yesNo(v.active) },
      ],
    });
    content.append(createForm({
      title: 'New venture', path: '/ventures', submitLabel: 'Create venture',
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'code', label: 'Code', required: true, maxlength: 32, hint: 'Up to 32 of A-Z, 0-9, _ and -.' },
        { name: 'type', label: 'Type', type: 'select', options: VENTURE_TYPES, required: true },
        { name: 'active', label: 'Active', type: 'checkbox', checked: true },
      ],
      toBody: (f) => ({ name: val(f, 'name'), code: val(f, 'code').toUpperCase(), type: val(f, 'type'),
        active: f.elements.active.checked }),
      onCreated: (v, notice) => {
        notice.textContent = `Venture ${v.name} (${v.code}) created.`;
        list.reload();
        refreshMe();
      },
    }), h('section', { 'aria-label': 'Venture list' }, list.el));
  }

  function renderUsers(content) {
    content.append(h('h1', { text: 'Users' }));
    const list = cursorTable({
      path: '/users', caption: 'Users', empty: 'No users yet.',
      columns: [
        { label: 'Name', key: 'full_name' }, { label: 'E-mail', key: 'email' },
        { label: 'Role', key: 'role' }, { label: 'Active', render: (u) => yesNo(u.active) },
      ],
    });
    content.append(createForm({
      title: 'New user', path: '/users', submitLabel: 'Create user',
      fields: [
        { name: 'email', label: 'E-mail', type: 'email', required: true, maxlength: 254 },
        { name: 'full_name', label: 'Full name', required: true, maxlength: 200 },
        { name: 'role', label: 'Role', type: 'select', options: ROLES, value: 'EMPLOYEE', required: true },
        { name: 'password', label: 'Password', type: 'password', minlength: 12, maxlength: 256,
          autocomplete: 'new-password', hint: 'At least 12 characters. Leave empty for sign-in by e-mailed code.' },
        { name: 'active', label: 'Active', type: 'checkbox', checked: true },
      ],
      toBody: (f) => {
        const body = { email: val(f, 'email'), full_name: val(f, 'full_name'), role: val(f, 'role'),
          active: f.elements.active.checked };
        if (f.elements.password.value) body.password = f.elements.password.value;
        return body;
      },
      onCreated: (u, notice) => {
        notice.textContent = `User ${u.full_name} <${u.email}> created.`;
        list.reload();
      },
    }), h('section', { 'aria-label': 'User list' }, list.el));
  }

  function renderPlaceholder(content, entry) {
    content.append(h('h1', { text: entry.item.label }),
      h('div.card.placeholder', {},
        h('p', { text: `The ${entry.section.label} › ${entry.item.label} screen is not built yet.` }),
        h('p.muted', {}, 'Path ', h('code', { text: entry.item.path }))));
  }

  // After an organisation change: the scope, and so the navigation, may differ.
  async function refreshMe() {
    try {
      const [me, nav] = await Promise.all([api('GET', '/me'), api('GET', '/me/navigation')]);
      state.me = me;
      state.nav = nav;
      drawHeader();
      drawSidebar();
      markCurrent(currentPath());
    } catch (e) {
      // The header and sidebar keep what they showed.
    }
  }

  /* ---------------------------------------------------------------- boot */

  async function boot() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    window.addEventListener('hashchange', route);
    try {
      await startShell();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) showLogin();
      else {
        showLogin();
        showProblem($('login-error'), err);
      }
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
