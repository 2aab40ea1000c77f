/* Wheelhouse web UI, the shell: sign-in (password or e-mailed code), the top bar (venture
 * switcher, user menu), the navigation the server computes (/me/navigation), and the router
 * that draws the screen files' registered screens. A 401 anywhere returns to sign-in and,
 * after signing in again, to the same place. */
'use strict';

(function () {
  const { h, api, state, showProblem, clearProblem } = WH;
  const $ = (id) => document.getElementById(id);
  const VENTURE_KEY = 'wh.venture';
  const RETURN_KEY = 'wh.return';

  /* ------------------------------------------------------------------ sign-in */

  function showForm(which) {
    for (const id of ['login-form', 'code-form', 'verify-form']) $(id).hidden = id !== which;
    clearProblem($('login-error'));
    const first = $(which).querySelector('input');
    if (first) first.focus();
  }

  function showLogin(notice) {
    state.me = null;
    state.nav = null;
    $('boot').hidden = true;
    $('app-view').hidden = true;
    $('login-view').hidden = false;
    $('login-notice').textContent = notice || '';
    $('login-password').value = '';
    showForm('login-form');
  }

  function sessionEnded() {
    if (!state.me) return;
    sessionStorage.setItem(RETURN_KEY, location.hash);
    showLogin('Your session has ended. Please sign in again.');
  }

  async function signedIn() {
    await startShell();
    const back = sessionStorage.getItem(RETURN_KEY);
    sessionStorage.removeItem(RETURN_KEY);
    if (back && back !== location.hash) location.hash = back;
  }

  function submitting(form, run) {
    return async (ev) => {
      ev.preventDefault();
      const button = form.querySelector('button[type=submit]');
      clearProblem($('login-error'), form);
      button.disabled = true;
      try {
        await run();
      } catch (err) {
        showProblem($('login-error'), err, form);
      } finally {
        button.disabled = false;
      }
    };
  }

  function wireLogin() {
    const login = $('login-form');
    login.addEventListener('submit', submitting(login, async () => {
      await api('POST', '/auth/login', {
        email: login.elements.email.value.trim(),
        password: login.elements.password.value,
      }, { allow401: true });
      login.elements.password.value = '';
      await signedIn();
    }));
    $('code-start').addEventListener('click', () => {
      $('code-email').value = $('login-email').value;
      showForm('code-form');
    });
    $('code-back').addEventListener('click', () => showForm('login-form'));
    $('verify-back').addEventListener('click', () => showForm('code-form'));
    const codeForm = $('code-form');
    codeForm.addEventListener('submit', submitting(codeForm, async () => {
      const email = codeForm.elements.email.value.trim();
      await api('POST', '/auth/code', { email }, { allow401: true });
      $('verify-hint').textContent = `If ${email} has an account, a 6-digit code is on its way. It works once, for 10 minutes.`;
      $('verify-form').dataset.email = email;
      showForm('verify-form');
    }));
    const verify = $('verify-form');
    verify.addEventListener('submit', submitting(verify, async () => {
      await api('POST', '/auth/code/verify', {
        email: verify.dataset.email, code: verify.elements.code.value.trim(),
      }, { allow401: true });
      verify.elements.code.value = '';
      await signedIn();
    }));
  }

  async function onLogout() {
    try {
      await api('POST', '/auth/logout', undefined, { allow401: true });
    } catch (e) {
      // Signed out either way: the cookie is HttpOnly and the server clears it.
    }
    closeUserMenu();
    sessionStorage.removeItem(RETURN_KEY);
    showLogin('You have signed out.');
    history.replaceState(null, '', location.pathname);
  }

  /* ------------------------------------------------------------------ shell */

  async function loadMe() {
    const [me, nav] = await Promise.all([
      api('GET', '/me', undefined, { allow401: true }),
      api('GET', '/me/navigation', undefined, { allow401: true }),
    ]);
    state.me = me;
    state.nav = nav;
    const saved = Number(localStorage.getItem(`${VENTURE_KEY}.${me.user.id}`));
    state.venture = (me.ventures || []).some((v) => v.id === saved) ? saved : null;
  }

  async function startShell() {
    await loadMe();
    drawTopbar();
    drawSidebar();
    $('boot').hidden = true;
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    route();
    if (WH.refreshBell) WH.refreshBell();
  }

  function drawTopbar() {
    const me = state.me;
    $('who-name').textContent = me.user.full_name;
    $('who-role').textContent = me.user.role;
    const vs = me.ventures || [];
    const select = $('venture-select');
    $('venture-switch').hidden = vs.length < 2;
    select.replaceChildren(h('option', { value: '', text: `All ventures (${vs.length})` }),
      ...vs.map((v) => h('option', { value: String(v.id), text: `${v.name} (${v.code})` })));
    select.value = state.venture ? String(state.venture) : '';
  }

  function onVenture() {
    const v = $('venture-select').value;
    state.venture = v ? Number(v) : null;
    const key = `${VENTURE_KEY}.${state.me.user.id}`;
    if (v) localStorage.setItem(key, v);
    else localStorage.removeItem(key);
    route();
  }

  function drawSidebar() {
    const sections = (state.nav && state.nav.sections) || [];
    $('sidebar').replaceChildren(...sections.map((s) => {
      const headingId = WH.nextId('nav');
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

  // The navigation item a path belongs to: itself, or the longest item path it extends
  // (/freight/loads/12 belongs to Loads).
  function navEntry(path) {
    let best = null;
    for (const e of navItems()) {
      const p = e.item.path;
      if (path === p || (p !== '/' && path.startsWith(`${p}/`))) {
        if (!best || p.length > best.item.path.length) best = e;
      }
    }
    return best;
  }

  function markCurrent(entry) {
    for (const a of $('sidebar').querySelectorAll('a[data-path]')) {
      if (entry && a.dataset.path === entry.item.path) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  // Screens reachable without a navigation item of their own.
  const ALWAYS = ['/', '/me/password', '/me/notifications'];
  // Every navigation item's path of DOMAIN.md §1: one of these the caller was not given is not
  // theirs even when it lies under an item they have (/eod/team under /eod).
  const NAV_PATHS = ['/leaderboard', '/incentives/me', '/eod', '/eod/team', '/freight', '/freight/loads',
    '/freight/carriers', '/freight/shippers', '/hotels', '/hotels/list', '/hotels/reviews', '/hotels/disputes',
    '/bpo', '/bpo/calls', '/bpo/campaigns', '/bpo/agents', '/saas', '/holdings', '/admin/users',
    '/admin/ventures', '/admin/incentive-plans', '/admin/payouts', '/admin/gamification', '/admin/jobs',
    '/admin/integrations', '/admin/audit', '/admin/imports', '/tasks', '/tasks/team', '/notifications'];

  let generation = 0;
  async function route() {
    if (!state.me) return;
    const { path, params } = WH.hashParts();
    const entry = navEntry(path);
    markCurrent(entry);
    closeMenus();
    const content = $('content');
    content.replaceChildren();
    const found = WH.findScreen(path);
    const mine = ++generation;
    if (!found && entry && entry.item.path === path) {
      // A navigation item whose screen belongs to a later part of the web app.
      WH.title(content, entry.item.label);
      content.append(h('div.card.placeholder', {},
        h('p', { text: `The ${entry.section.label} › ${entry.item.label} screen is not built yet.` }),
        h('p.muted', {}, 'Until it is, the same data is available from the API; see ',
          h('a', { href: '/api/v1/openapi.json', text: 'the API description' }), '.')));
    } else if (!found || (!entry && !ALWAYS.includes(path)) ||
      (NAV_PATHS.includes(path) && entry.item.path !== path)) {
      WH.title(content, 'Page not found');
      content.append(h('p', { text: 'This page does not exist or is not available to your role.' }),
        h('p', {}, h('a', { href: '#/', text: 'Back to My day' })));
    } else {
      try {
        await found.screen.render(content, { params, args: found.args, label: entry ? entry.item.label : 'My day',
          stale: () => mine !== generation });
      } catch (err) {
        if (mine !== generation) return;
        if (!content.querySelector('h1')) WH.title(content, entry ? entry.item.label : 'Wheelhouse');
        const box = WH.errorBox();
        content.append(box);
        showProblem(box, err);
      }
    }
    if (mine !== generation) return;
    const heading = content.querySelector('h1');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
  }

  /* ------------------------------------------------------------------ menus */

  function closeUserMenu() {
    $('user-popup').hidden = true;
    $('user-button').setAttribute('aria-expanded', 'false');
  }

  function closeMenus() {
    closeUserMenu();
    document.body.classList.remove('nav-open');
    $('menu-button').setAttribute('aria-expanded', 'false');
  }

  function wireMenus() {
    $('user-button').addEventListener('click', () => {
      const open = $('user-popup').hidden;
      $('user-popup').hidden = !open;
      $('user-button').setAttribute('aria-expanded', String(open));
      if (open) $('change-password').focus();
    });
    $('menu-button').addEventListener('click', () => {
      const open = !document.body.classList.contains('nav-open');
      document.body.classList.toggle('nav-open', open);
      $('menu-button').setAttribute('aria-expanded', String(open));
      if (open) {
        const first = $('sidebar').querySelector('a');
        if (first) first.focus();
      }
    });
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeMenus(); });
    $('change-password').addEventListener('click', closeUserMenu);
    $('notification-settings').addEventListener('click', closeUserMenu);
  }

  /* ------------------------------------------------------------------ change password */

  WH.screen('/me/password', (content) => {
    WH.title(content, 'Change password');
    const codeSignin = true; // the server decides whether the current password is required
    content.append(WH.form({
      fields: [
        { name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password',
          hint: 'Needed when you signed in with your password; leave empty after signing in with an e-mailed code.' },
        { name: 'new_password', label: 'New password', type: 'password', required: true, minlength: 12,
          maxlength: 256, autocomplete: 'new-password', hint: 'At least 12 characters.' },
      ],
      submitLabel: 'Change password',
      submit: (body, write) => write('PUT', '/me/password', body),
      onDone: (out, notice, form) => {
        form.reset();
        notice.textContent = 'Your password is changed. Your other sessions have been signed out.';
      },
    }));
    return codeSignin;
  });

  /* ------------------------------------------------------------------ boot */

  // After an organisation change: the scope, and so the navigation, may differ.
  WH.refreshMe = async () => {
    try {
      await loadMe();
      drawTopbar();
      drawSidebar();
      markCurrent(navEntry(WH.hashParts().path));
    } catch (e) {
      // The header and sidebar keep what they showed.
    }
  };

  async function boot() {
    WH.setUnauthenticated(sessionEnded);
    wireLogin();
    wireMenus();
    $('logout').addEventListener('click', onLogout);
    $('venture-select').addEventListener('change', onVenture);
    window.addEventListener('hashchange', route);
    window.addEventListener('popstate', route);
    window.addEventListener('wh:route', route);
    try {
      await startShell();
    } catch (err) {
      showLogin();
      if (!(err instanceof WH.ApiError && err.status === 401)) showProblem($('login-error'), err);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
