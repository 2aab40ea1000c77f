/* Wheelhouse web UI: Admin › Users and Admin › Ventures. Role choices are limited to what the
 * caller may grant (DOMAIN.md §1 "Granting roles"); the server enforces the same rule. */
'use strict';

(function () {
  const { h, api, state } = WH;

  const grantsPrivileged = () => ['CEO', 'ADMIN'].includes(WH.role());
  const grantable = () => WH.ROLES.filter((r) => grantsPrivileged() || !WH.PRIVILEGED.includes(r));
  const roleOptions = () => grantable().map((r) => [r, WH.roleLabel(r)]);
  const activeBadge = (on) => h(`span.status.${on ? 'good' : 'bad'}`, { text: on ? 'Active' : 'Inactive' });

  /* ------------------------------------------------------------------ users */

  WH.screen('/admin/users', (content, ctx) => {
    WH.title(content, ctx.label, h('a.button.primary', { href: '#/admin/users/new', text: 'New user' }));
    content.append(WH.filters([
      { name: 'q', label: 'Search name or e-mail', type: 'search', maxlength: 100 },
      { name: 'role', label: 'Role', type: 'select', options: [['', 'Any role'], ...WH.ROLES.map((r) => [r, WH.roleLabel(r)])] },
      { name: 'active', label: 'Status', type: 'select', options: [['', 'Active and inactive'], ['true', 'Active'], ['false', 'Inactive']] },
    ], ctx.params));
    const filtered = Object.keys(ctx.params).length > 0;
    content.append(WH.list({
      path: '/users', query: ctx.params, caption: 'Users',
      empty: filtered ? 'No user matches these filters. Clear them to see everyone.' : 'No users yet. Create one with "New user".',
      rowLink: (u) => `#/admin/users/${u.id}`,
      columns: [
        { label: 'Name', key: 'full_name' }, { label: 'E-mail', key: 'email' },
        { label: 'Role', render: (u) => WH.roleLabel(u.role) },
        { label: 'Status', render: (u) => activeBadge(u.active) },
      ],
    }).el);
  });

  WH.screen('/admin/users/new', (content) => {
    WH.title(content, 'New user');
    content.append(h('p.muted', { text: 'After creating the user, choose their ventures and offices on their page. Without a password they sign in with an e-mailed code.' }));
    content.append(WH.form({
      fields: [
        { name: 'email', label: 'E-mail', type: 'email', required: true, maxlength: 254 },
        { name: 'full_name', label: 'Full name', required: true, maxlength: 200 },
        { name: 'role', label: 'Role', type: 'select', options: roleOptions(), value: 'EMPLOYEE', required: true,
          hint: grantsPrivileged() ? null : 'Only a CEO or ADMIN may grant CEO, ADMIN, COO, AUDITOR, HR_ADMIN or TEST_USER.' },
        { name: 'password', label: 'Password', type: 'password', minlength: 12, maxlength: 256,
          autocomplete: 'new-password', hint: 'At least 12 characters. Leave empty for sign-in by e-mailed code.' },
        { name: 'active', label: 'Active', type: 'checkbox', value: true },
      ],
      submitLabel: 'Create user', method: 'POST', path: '/users',
      onDone: (u) => { location.hash = `#/admin/users/${u.id}`; },
    }));
  });

  async function membershipSection(user, mayChange, saved) {
    const [ventures, mine, myOffices] = await Promise.all([
      api('GET', '/ventures?limit=200'),
      api('GET', `/users/${user.id}/ventures`),
      api('GET', `/users/${user.id}/offices`),
    ]);
    const section = h('section.card', { 'aria-labelledby': 'memberships' }, h('h2', { id: 'memberships', text: 'Ventures and offices' }));
    if (WH.PRIVILEGED.includes(user.role) && ['CEO', 'ADMIN', 'COO', 'AUDITOR', 'HR_ADMIN', 'TEST_USER'].includes(user.role)) {
      section.append(h('p.muted', { text: `A ${WH.roleLabel(user.role)} sees every venture; memberships only decide where their personal points are credited.` }));
    }
    const member = new Set(mine.venture_ids);
    const inOffice = new Set(myOffices.office_ids);
    const vForm = h('form', { novalidate: true });
    const vBox = WH.errorBox();
    const vNote = h('p.notice', { role: 'status', 'aria-live': 'polite', text: saved || '' });
    const fieldset = h('fieldset', {}, h('legend', { text: 'Ventures' }),
      (ventures.items || []).map((v) => {
        const id = WH.nextId('v');
        return h('div.field.check', {}, h('input', { id, type: 'checkbox', name: 'venture_ids', value: String(v.id),
          checked: member.has(v.id), disabled: !mayChange }), h('label', { for: id, text: `${v.name} (${v.code})` }));
      }));
    vForm.append(vBox, vNote, fieldset);
    if (mayChange) vForm.append(h('button.primary', { type: 'submit', text: 'Save ventures' }));
    const write = WH.writer();
    vForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      WH.clearProblem(vBox, vForm);
      const ids = [...vForm.querySelectorAll('input[name=venture_ids]:checked')].map((i) => Number(i.value));
      try {
        await write('PUT', `/users/${user.id}/ventures`, { venture_ids: ids });
        // the offices on offer follow the ventures
        section.replaceWith(await membershipSection(user, mayChange, 'Ventures saved.'));
      } catch (err) { WH.showProblem(vBox, err, vForm); }
    });
    section.append(vForm);
    // offices of the ventures the user is in
    const offices = [];
    for (const v of (ventures.items || []).filter((x) => member.has(x.id))) {
      const page = await api('GET', `/ventures/${v.id}/offices?limit=200`);
      for (const o of page.items || []) offices.push({ ...o, venture: v });
    }
    const oForm = h('form', { novalidate: true });
    const oBox = WH.errorBox();
    const oNote = h('p.notice', { role: 'status', 'aria-live': 'polite' });
    oForm.append(oBox, oNote, h('fieldset', {}, h('legend', { text: 'Offices' }),
      offices.length ? offices.map((o) => {
        const id = WH.nextId('o');
        return h('div.field.check', {}, h('input', { id, type: 'checkbox', name: 'office_ids', value: String(o.id),
          checked: inOffice.has(o.id), disabled: !mayChange }), h('label', { for: id, text: `${o.name} — ${o.venture.name}` }));
      }) : h('p.muted', { text: 'Offices can be chosen once the user is in a venture that has offices.' })));
    if (mayChange && offices.length) oForm.append(h('button.primary', { type: 'submit', text: 'Save offices' }));
    oForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      WH.clearProblem(oBox, oForm);
      const ids = [...oForm.querySelectorAll('input[name=office_ids]:checked')].map((i) => Number(i.value));
      try {
        await write('PUT', `/users/${user.id}/offices`, { office_ids: ids });
        oNote.textContent = 'Offices saved.';
      } catch (err) { WH.showProblem(oBox, err, oForm); }
    });
    section.append(oForm);
    return section;
  }

  WH.screen('/admin/users/:id', async (content, ctx) => {
    const user = await api('GET', `/users/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    WH.title(content, user.full_name, activeBadge(user.active));
    const self = user.id === state.me.user.id;
    const mayChange = grantsPrivileged() || !WH.PRIVILEGED.includes(user.role);
    content.append(h('p', {}, h('a', { href: '#/admin/users', text: '← All users' })));
    content.append(h('section.card', { 'aria-labelledby': 'about' }, h('h2', { id: 'about', text: 'Account' }),
      WH.facts([['E-mail', user.email], ['Role', WH.roleLabel(user.role)], ['Status', user.active ? 'Active' : 'Inactive']])));
    if (!mayChange) {
      content.append(h('p.warning', { text: `Only a CEO or ADMIN may change a ${WH.roleLabel(user.role)}.` }));
    } else {
      const buttons = [{
        label: 'Send password reset',
        run: () => api('POST', `/users/${user.id}/password-reset`, undefined),
        done: `A sign-in code is on its way to ${user.email}. With it they can set a new password.`,
      }];
      if (!self) {
        buttons.push(user.active
          ? { label: 'Deactivate', confirm: `Deactivate ${user.full_name}? They are signed out at once.`,
            run: () => api('PATCH', `/users/${user.id}`, { active: false }) }
          : { label: 'Activate', run: () => api('PATCH', `/users/${user.id}`, { active: true }) });
      }
      content.append(WH.actions(buttons, (out) => { if (out && out.id) window.dispatchEvent(new Event('wh:route')); }));
      const roles = self ? [[user.role, WH.roleLabel(user.role)]] : roleOptions();
      content.append(WH.form({
        title: 'Edit',
        fields: [
          { name: 'full_name', label: 'Full name', required: true, maxlength: 200, value: user.full_name },
          { name: 'email', label: 'E-mail', type: 'email', required: true, maxlength: 254, value: user.email,
            hint: 'Changing the e-mail signs the user out everywhere.' },
          { name: 'role', label: 'Role', type: 'select', options: roles, value: user.role, disabled: self,
            hint: self ? 'Nobody changes their own role.' : 'Changing the role signs the user out everywhere.' },
        ],
        submitLabel: 'Save changes',
        toBody: (b) => { if (self) delete b.role; return b; },
        submit: (body, write) => write('PATCH', `/users/${user.id}`, body),
        onDone: (out, notice) => { notice.textContent = 'Saved.'; },
      }));
    }
    content.append(await membershipSection(user, mayChange));
  });

  /* ------------------------------------------------------------------ ventures */

  const VENTURE_TYPES = ['LOGISTICS', 'TRANSPORT', 'HOSPITALITY', 'BPO', 'SAAS', 'HOLDINGS', 'TESTING'];

  WH.screen('/admin/ventures', (content, ctx) => {
    WH.title(content, ctx.label, h('a.button.primary', { href: '#/admin/ventures/new', text: 'New venture' }));
    content.append(WH.list({
      path: '/ventures', caption: 'Ventures', empty: 'No ventures yet. Create one with "New venture".',
      rowLink: (v) => `#/admin/ventures/${v.id}`,
      columns: [
        { label: 'Name', key: 'name' }, { label: 'Code', key: 'code' },
        { label: 'Type', render: (v) => WH.titleCase(v.type) },
        { label: 'Status', render: (v) => activeBadge(v.active) },
      ],
    }).el);
  });

  WH.screen('/admin/ventures/new', (content) => {
    WH.title(content, 'New venture');
    content.append(WH.form({
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'code', label: 'Code', required: true, maxlength: 32, hint: 'Up to 32 of A-Z, 0-9, _ and -.' },
        { name: 'type', label: 'Type', type: 'select', options: VENTURE_TYPES, required: true },
        { name: 'active', label: 'Active', type: 'checkbox', value: true },
      ],
      submitLabel: 'Create venture', method: 'POST', path: '/ventures',
      toBody: (b) => ({ ...b, code: b.code.toUpperCase() }),
      onDone: async (v) => { await WH.refreshMe(); location.hash = `#/admin/ventures/${v.id}`; },
    }));
  });

  WH.screen('/admin/ventures/:id', async (content, ctx) => {
    const v = await api('GET', `/ventures/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    WH.title(content, v.name, activeBadge(v.active));
    content.append(h('p', {}, h('a', { href: '#/admin/ventures', text: '← All ventures' })));
    const mayManage = WH.can('ventures.manage');
    if (mayManage) {
      content.append(WH.form({
        title: 'Edit',
        fields: [
          { name: 'name', label: 'Name', required: true, maxlength: 200, value: v.name },
          { name: 'code', label: 'Code', required: true, maxlength: 32, value: v.code },
          { name: 'type', label: 'Type', type: 'select', options: VENTURE_TYPES, value: v.type, required: true },
          { name: 'active', label: 'Active', type: 'checkbox', value: v.active },
        ],
        submitLabel: 'Save changes',
        toBody: (b) => ({ ...b, code: b.code.toUpperCase() }),
        submit: (body, write) => write('PATCH', `/ventures/${v.id}`, body),
        onDone: async (out, notice) => { notice.textContent = 'Saved.'; await WH.refreshMe(); },
      }));
    }
    const offices = WH.list({
      path: `/ventures/${v.id}/offices`, caption: 'Offices', empty: 'No offices yet.',
      columns: [{ label: 'Office', key: 'name' }, { label: 'City', key: 'city' }, { label: 'Country', key: 'country' }],
    });
    const section = h('section', { 'aria-labelledby': 'offices' }, h('h2', { id: 'offices', text: 'Offices' }), offices.el);
    if (mayManage) {
      section.append(WH.form({
        title: 'New office',
        fields: [
          { name: 'name', label: 'Name', required: true, maxlength: 200 },
          { name: 'city', label: 'City', maxlength: 100 },
          { name: 'country', label: 'Country', maxlength: 100 },
        ],
        submitLabel: 'Add office', method: 'POST', path: `/ventures/${v.id}/offices`,
        onDone: (o, notice, form) => { form.reset(); notice.textContent = `Office ${o.name} added.`; offices.reload(); },
      }));
    }
    content.append(section);
    content.append(h('section', { 'aria-labelledby': 'people' }, h('h2', { id: 'people', text: 'People' }),
      WH.list({
        path: `/ventures/${v.id}/people`, caption: 'People', empty: 'Nobody is a member yet.',
        rowLink: WH.can('users.manage') ? (p) => `#/admin/users/${p.id}` : null,
        columns: [
          { label: 'Name', key: 'full_name' }, { label: 'Role', render: (p) => WH.roleLabel(p.role) },
          { label: 'Offices', render: (p) => (p.offices || []).map((o) => o.name).join(', ') },
        ],
      }).el));
  });
})();
