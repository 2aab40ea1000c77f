/* Wheelhouse web UI: Tasks (mine, team, one task), the notification bell with its unread
 * count, Notifications, and Notification settings (in the user menu). The API decides who sees
 * and changes what (DOMAIN-wave2 §18, §19); these screens draw it. */
'use strict';

(function () {
  const { h, api } = WH;
  const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
  const STATUSES = ['OPEN', 'DONE', 'CANCELLED'];
  // The automatic rules (§18) in words.
  const RULES = [['MISSED_EOD', 'Missed EOD report'], ['DISPUTE_OPEN_7_DAYS', 'Dispute open over 7 days'],
    ['CARRIER_LOST_AUTHORITY', 'Carrier lost authority']];
  const ruleLabel = (rule) => (RULES.find(([r]) => r === rule) || [rule, WH.titleCase(rule)])[1];
  const TYPES = [['TASK_ASSIGNED', 'A task is assigned to me'], ['TASK_COMPLETED', 'A task I created is done'],
    ['EOD_REMINDER', 'End-of-day reminder'], ['PAYOUT_STATUS', 'My payout is approved or paid']];

  const me = () => WH.state.me.user;
  const opt = (values) => [['', 'Any'], ...values.map((v) => [v, WH.titleCase(v)])];

  /* ------------------------------------------------------------------ the bell */

  // The bell in the top bar: a link to Notifications with the unread count, read again on
  // every navigation.
  WH.refreshBell = async () => {
    const bell = document.getElementById('bell');
    if (!bell || !WH.state.me) return;
    try {
      const { unread } = await api('GET', '/notifications/unread-count');
      const count = document.getElementById('bell-count');
      count.textContent = String(unread);
      count.hidden = unread === 0;
      bell.setAttribute('aria-label', `Notifications, ${unread} unread`);
    } catch (e) {
      // the bell keeps its last count
    }
  };
  window.addEventListener('hashchange', () => WH.refreshBell());

  /* ------------------------------------------------------------------ tasks */

  const statusBadge = (t) => h(`span.status${t.overdue ? '.bad' : t.status === 'DONE' ? '.good' : ''}`,
    { text: t.overdue ? 'Overdue' : WH.titleCase(t.status) });

  // People by id: the members of the given ventures (the people list the UI already reads),
  // and me.
  async function peopleById(ventureIds) {
    const lists = await Promise.all(ventureIds.map((v) => WH.people(v)));
    const map = new Map();
    for (const list of lists) for (const p of list) map.set(p.id, p);
    map.set(me().id, { ...me(), active: true });
    return map;
  }
  const personName = (map, id) => {
    if (!id) return '—';
    if (id === me().id) return `${me().full_name} (you)`;
    const p = map.get(id);
    return p ? p.full_name : `User ${id}`;
  };

  // The assignees a task of the venture may have: me first (a member or an all-venture role,
  // since the venture is one of mine), then its active members by name; keep: an id to keep
  // listed although it is not one of them (the current assignee of an edited task).
  async function assigneeOptions(ventureId, keep) {
    const staff = await WH.people(ventureId);
    const others = staff.filter((p) => p.active && p.id !== me().id)
      .sort((a, b) => a.full_name.localeCompare(b.full_name))
      .map((p) => [String(p.id), `${p.full_name} · ${WH.roleLabel(p.role)}`]);
    const opts = [[String(me().id), `${me().full_name} (you)`], ...others];
    if (keep && !opts.some(([v]) => v === String(keep))) {
      const p = staff.find((x) => x.id === keep);
      opts.push([String(keep), p ? `${p.full_name}${p.active ? '' : ' (inactive)'}` : `User ${keep}`]);
    }
    return opts;
  }

  function setOptions(select, options, value) {
    select.replaceChildren(...options.map(([v, t]) => h('option', { value: v, text: t })));
    select.value = options.some(([v]) => v === value) ? value : options[0][0];
  }

  // Refills the form's assignee picker from its venture on every change of the venture.
  function followVenture(form) {
    const venture = form.elements.namedItem('venture_id');
    const assignee = form.elements.namedItem('assignee_id');
    if (!venture || !assignee) return;
    venture.addEventListener('change', async () => {
      const opts = await assigneeOptions(Number(venture.value));
      setOptions(assignee, opts, assignee.value); // the choice made while the list was read stays
    });
  }

  function taskColumns(team, people) {
    return [
      { label: 'Task', key: 'title' },
      { label: 'Priority', render: (t) => WH.titleCase(t.priority) },
      { label: 'Due', render: (t) => WH.day.date(t.due_on), className: 'nowrap' },
      { label: 'Status', render: statusBadge },
      team ? { label: 'Assignee', render: (t) => personName(people, t.assignee_id) } : null,
      team || (!WH.ventureId() && WH.ventures().length > 1) ? { label: 'Venture', render: (t) => WH.ventureName(t.venture_id) } : null,
      { label: 'Source', render: (t) => (t.rule ? ruleLabel(t.rule) : 'Person') },
    ].filter(Boolean);
  }

  async function taskForm(onDone) {
    const venture = WH.ventureField(null);
    const manage = WH.can('tasks.manage');
    const fields = [
      venture,
      { name: 'title', label: 'Title', required: true, maxlength: 200, wide: true },
      { name: 'priority', label: 'Priority', type: 'select', options: PRIORITIES, value: 'MEDIUM', plain: true },
      { name: 'due_on', label: 'Due on', type: 'date' },
      manage ? { name: 'assignee_id', label: 'Assignee', type: 'select', numeric: true, plain: true,
        options: await assigneeOptions(Number(venture.value)), value: String(me().id),
        hint: 'Active members of the venture, and you.' } : null,
      { name: 'description', label: 'Description', type: 'textarea', maxlength: 4000, wide: true },
    ].filter(Boolean);
    const form = WH.form({ title: 'New task', fields, submitLabel: 'Create task', method: 'POST', path: '/tasks', onDone });
    followVenture(form);
    return form;
  }

  async function taskList(content, ctx, team) {
    const p = ctx.params;
    const canCreate = WH.role() !== 'AUDITOR' && WH.ventures().length > 0;
    const newButton = canCreate ? h('button.secondary', { type: 'button', text: 'New task' }) : null;
    WH.title(content, ctx.label, newButton);
    const scope = WH.ventureId() ? [WH.ventureId()] : WH.ventures().map((v) => v.id);
    const people = team ? await peopleById(scope) : new Map();
    if (ctx.stale()) return;
    const slot = h('div');
    const query = { status: p.status, overdue: p.overdue, rule: p.rule,
      venture_id: WH.ventureId() || undefined, ...(team ? { assignee_id: p.assignee_id } : { mine: 'true' }) };
    const lst = WH.list({ path: '/tasks', query, columns: taskColumns(team, people), caption: ctx.label,
      empty: team ? 'No tasks match these filters.' : 'You have no tasks. Create one with "New task".',
      rowLink: (t) => `#/tasks/${t.id}` });
    if (newButton) {
      newButton.addEventListener('click', async () => {
        slot.replaceChildren(await taskForm((t, notice) => {
          notice.textContent = `Task "${t.title}" created.`;
          lst.reload();
          WH.refreshBell();
        }));
        const first = slot.querySelector('input, select');
        if (first) first.focus();
      });
    }
    const assignees = [...people.values()].filter((x) => x.active)
      .sort((a, b) => a.full_name.localeCompare(b.full_name))
      .map((x) => [String(x.id), x.id === me().id ? `${x.full_name} (you)` : x.full_name]);
    content.append(slot, WH.filters([
      { name: 'status', label: 'Status', type: 'select', options: opt(STATUSES) },
      { name: 'overdue', label: 'Overdue', type: 'select', options: [['', 'Any'], ['true', 'Overdue'], ['false', 'Not overdue']] },
      team ? { name: 'rule', label: 'Source', type: 'select', options: [['', 'Any'], ...RULES] } : null,
      team ? { name: 'assignee_id', label: 'Assignee', type: 'select', options: [['', 'Anyone'], ...assignees] } : null,
    ].filter(Boolean), p), lst.el);
  }

  WH.screen('/tasks', (content, ctx) => taskList(content, ctx, false));
  WH.screen('/tasks/team', (content, ctx) => taskList(content, ctx, true));

  // A task's assignee by name: "you", or the member of the task's venture (its people list).
  async function assigneeName(t) {
    if (!t.assignee_id) return null;
    return personName(await peopleById([t.venture_id]), t.assignee_id);
  }

  async function drawTask(content, ctx, t, notice) {
    const manage = WH.can('tasks.manage') && WH.role() !== 'AUDITOR';
    const [assignee, options] = await Promise.all([assigneeName(t),
      manage ? assigneeOptions(t.venture_id, t.assignee_id) : null]);
    content.replaceChildren(h('p.crumb', {}, h('a', { href: '#/tasks', text: 'Tasks' })));
    WH.title(content, t.title, statusBadge(t));
    if (notice) content.append(h('p.notice.flash', { role: 'status', text: notice }));
    content.append(WH.facts([
      ['Priority', WH.titleCase(t.priority)], ['Due on', WH.day.date(t.due_on)], ['Assignee', assignee],
      ['Venture', WH.ventureName(t.venture_id)], ['Linked to', t.link_type ? `${WH.titleCase(t.link_type)} #${t.link_id}` : null],
      ['Source', t.rule ? `Automatic: ${ruleLabel(t.rule)}` : 'Created by a person'],
      ['Completed', t.completed_at ? WH.dateTime(t.completed_at) : null], ['Description', t.description],
    ]));
    if (WH.role() === 'AUDITOR') return;
    const write = WH.writer();
    const move = (status, label) => ({ label, primary: status === 'DONE',
      run: () => write('POST', `/tasks/${t.id}/status`, { status }), done: `${label}: done.` });
    const moves = t.status === 'OPEN' ? [move('DONE', 'Mark done'), move('CANCELLED', 'Cancel task')] : [move('OPEN', 'Reopen')];
    content.append(WH.actions(moves, (next) => drawTask(content, ctx, next, `The task is now ${WH.titleCase(next.status)}.`)));
    const fields = [
      { name: 'title', label: 'Title', required: true, maxlength: 200, value: t.title, wide: true },
      { name: 'priority', label: 'Priority', type: 'select', options: PRIORITIES, value: t.priority, plain: true },
      { name: 'due_on', label: 'Due on', type: 'date', value: t.due_on },
      manage ? { name: 'assignee_id', label: 'Assignee', type: 'select', numeric: true, required: true,
        options, value: String(t.assignee_id || me().id) } : null,
      { name: 'description', label: 'Description', type: 'textarea', maxlength: 4000, value: t.description, wide: true },
    ].filter(Boolean);
    content.append(WH.form({ title: 'Edit task', fields, submitLabel: 'Save task', nullEmpty: true,
      method: 'PATCH', path: `/tasks/${t.id}`, onDone: (next) => drawTask(content, ctx, next, 'Saved.') }));
  }

  WH.screen('/tasks/:id', async (content, ctx) => {
    const t = await api('GET', `/tasks/${encodeURIComponent(ctx.args.id)}`);
    if (ctx.stale()) return;
    await drawTask(content, ctx, t, '');
  });

  /* ------------------------------------------------------------------ notifications */

  WH.screen('/notifications', (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label);
    const write = WH.writer();
    let lst = null;
    const readButton = (n) => (n.read_at ? h('span.muted', { text: 'Read' }) : h('button.link', {
      type: 'button', text: 'Mark read',
      onclick: async () => { await write('POST', `/notifications/${n.id}/read`); lst.reload(); WH.refreshBell(); },
    }));
    lst = WH.list({ path: '/notifications', query: { unread: p.unread }, caption: 'Notifications',
      empty: p.unread ? 'Nothing unread.' : 'You have no notifications yet.',
      columns: [
        { label: 'Notification', render: (n) => (n.link_type === 'task' ? h('a', { href: `#/tasks/${n.link_id}`, text: n.title }) : n.title) },
        { label: 'Details', key: 'body' },
        { label: 'When', render: (n) => WH.dateTime(n.created_at), className: 'nowrap' },
        { label: 'Read', render: readButton, className: 'nowrap' },
      ] });
    content.append(WH.actions([{ label: 'Mark all read', run: () => write('POST', '/notifications/read-all'),
      done: 'Everything is marked read.' }], () => { lst.reload(); WH.refreshBell(); }),
    WH.filters([{ name: 'unread', label: 'Show', type: 'select', options: [['', 'All'], ['true', 'Unread only']] }], p),
    lst.el);
    WH.refreshBell();
  });

  WH.screen('/me/notifications', async (content, ctx) => {
    WH.title(content, 'Notification settings');
    const prefs = await api('GET', '/me/notification-preferences');
    if (ctx.stale()) return;
    const fields = [{ name: 'phone', label: 'Mobile phone for SMS', value: prefs.phone, hint: 'E.164, e.g. +15551234567. Needed for SMS.', wide: true }];
    for (const [type, label] of TYPES) {
      fields.push({ name: `${type}.email`, label: `${label}: e-mail`, type: 'checkbox', value: prefs.channels[type].email });
      fields.push({ name: `${type}.sms`, label: `${label}: SMS`, type: 'checkbox', value: prefs.channels[type].sms });
    }
    content.append(WH.form({ fields, submitLabel: 'Save settings', method: 'PUT', path: '/me/notification-preferences',
      toBody: (body) => {
        const channels = {};
        for (const [type] of TYPES) channels[type] = { email: body[`${type}.email`], sms: body[`${type}.sms`] };
        return { phone: body.phone || null, channels };
      },
      onDone: (out, notice) => { notice.textContent = 'Your notification settings are saved.'; } }));
  });
})();
