/* Wheelhouse web UI: BPO screens (registered with WH.screen).
 *   /bpo/calls            call logs; agents see only their own (the server holds an EMPLOYEE to
 *                         them), leaders filter by agent, campaign, outcome and dates (in the URL)
 *   /bpo/calls/new        "Log a call"
 *   /bpo/calls/:id        one call
 *   /bpo/campaigns        campaigns; "New campaign"; /bpo/campaigns/:id shows and edits one
 *   /bpo/agents           agents; "New agent" (a member of the venture, picked from its people) */
'use strict';

(function () {
  const { h } = WH;

  const go = (hash) => { location.hash = hash; };
  const rerender = () => window.dispatchEvent(new Event('wh:route'));
  const me = () => WH.state.me;
  const isEmployee = () => WH.role() === 'EMPLOYEE';
  const mayLog = () => WH.can('bpo.write');
  // Campaigns and agents: bpo.write but not EMPLOYEE (docs/bpo.md).
  const mayManage = () => WH.can('bpo.write') && !isEmployee();

  const bpoVentures = () => WH.ventures(['BPO']);
  const ventureName = WH.ventureName;

  // The top-bar venture when it is a BPO venture; false when it is one of another type.
  function topVenture() {
    const id = WH.ventureId();
    if (!id) return null;
    return bpoVentures().some((v) => v.id === id) ? id : false;
  }
  function otherTypeNotice(content) {
    const v = WH.ventures().find((x) => x.id === WH.ventureId());
    WH.empty(content, `${v ? v.name : 'The venture chosen at the top'} is not a BPO venture. Choose a BPO venture or "All ventures" at the top.`);
  }
  const scope = () => ({ venture_id: topVenture() || null });
  const inScope = () => (topVenture() ? bpoVentures().filter((v) => v.id === topVenture()) : bpoVentures());
  const multi = () => !topVenture() && bpoVentures().length > 1;

  const people = WH.people;
  // Everyone in the BPO ventures in view, by user id.
  async function staffMap() {
    const lists = await Promise.all(inScope().map((v) => people(v.id)));
    const map = new Map();
    for (const list of lists) for (const p of list) map.set(p.id, p);
    return map;
  }

  // What the screens join: agents, campaigns and the people behind the agents.
  async function loadBpo() {
    const [agents, campaigns, staff] = await Promise.all([
      WH.allItems('/bpo/agents', scope()), WH.allItems('/bpo/campaigns', scope()), staffMap()]);
    const personOf = (userId) => staff.get(userId) || (me().user.id === userId ? me().user : null);
    const agentName = (a) => {
      if (!a) return '—';
      const p = personOf(a.user_id);
      return p ? p.full_name : `User ${a.user_id}`;
    };
    const agentById = new Map(agents.map((a) => [a.id, a]));
    const campaignById = new Map(campaigns.map((c) => [c.id, c]));
    return { agents, campaigns, staff, agentById, campaignById, agentName: (id) => agentName(agentById.get(id)), nameOfAgent: agentName, personOf };
  }

  const duration = (c) => {
    if (!c.ended_at) return 'Open';
    const s = Math.max(0, Math.floor((new Date(c.ended_at) - new Date(c.started_at)) / 1000));
    return s >= 3600 ? `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
      : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  const outcome = (c) => {
    const tags = [];
    if (c.deal_won) tags.push(h('span.status.good', { text: 'Deal won' }));
    if (c.appointment_set) tags.push(h('span.status', { text: 'Appointment' }));
    if (c.connected) tags.push(h('span.status', { text: 'Connected' }));
    if (!tags.length) tags.push(h('span.muted', { text: 'Not connected' }));
    return h('span.tags', {}, tags);
  };
  const clip = (t, n) => (t ? (t.length > n ? `${t.slice(0, n)}…` : t) : '—');
  const activeBadge = (a) => h(`span.status.${a ? 'good' : 'bad'}`, { text: a ? 'Active' : 'Inactive' });

  // A local "YYYY-MM-DDTHH:MM" for a datetime-local input.
  const localInput = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

  function crumb(content, href, text) {
    content.append(h('p.crumb', {}, h('a', { href, text: `‹ ${text}` })));
  }

  function setOptions(select, options, value) {
    select.replaceChildren(...options.map(([v, t]) => h('option', { value: v, text: t })));
    select.value = value !== undefined && options.some(([v]) => v === value) ? value : (options[0] ? options[0][0] : '');
  }

  /* ------------------------------------------------------------------ Call logs */

  function notAgentNotice(content) {
    content.append(h('div.empty', {},
      h('p', { text: 'You are not set up as a BPO agent yet, so you cannot log calls.' }),
      h('p', { text: 'Ask your team lead or venture head to add you under BPO › Agents; your calls show here after that.' })));
  }

  WH.screen('/bpo/calls', async (content, ctx) => {
    const p = ctx.params;
    WH.title(content, ctx.label);
    if (topVenture() === false) { otherTypeNotice(content); return; }
    const data = await loadBpo();
    if (ctx.stale()) return;
    const mine = data.agents.filter((a) => a.user_id === me().user.id);
    const employee = isEmployee();
    if (mayLog() && (employee ? mine.some((a) => a.active !== false) : data.agents.length)) {
      content.querySelector('.screen-head').append(h('a.button.primary', { href: '#/bpo/calls/new', text: 'Log a call' }));
    }
    if (employee && !mine.length) { notAgentNotice(content); return; }

    const agentOptions = [['', 'Any agent'], ...data.agents.map((a) => [String(a.id), `${data.nameOfAgent(a)}${multi() ? ` · ${ventureName(a.venture_id)}` : ''}`])
      .sort((x, y) => x[1].localeCompare(y[1]))];
    const campaignOptions = [['', 'Any campaign'], ...data.campaigns.map((c) => [String(c.id), c.name]).sort((x, y) => x[1].localeCompare(y[1]))];
    const yesNo = (any, yes, no) => [['', any], ['true', yes], ['false', no]];
    const filterForm = WH.filters([
      employee ? null : { name: 'agent_id', label: 'Agent', type: 'select', options: agentOptions },
      { name: 'campaign_id', label: 'Campaign', type: 'select', options: campaignOptions },
      { name: 'connected', label: 'Connected', type: 'select', options: yesNo('Any', 'Connected', 'Not connected') },
      { name: 'deal_won', label: 'Deal', type: 'select', options: yesNo('Any', 'Deal won', 'No deal') },
      { name: 'from', label: 'From', type: 'date' },
      { name: 'to', label: 'To', type: 'date' },
    ].filter(Boolean), p);
    filterForm.classList.add('compact');
    content.append(filterForm);

    const filtered = ['agent_id', 'campaign_id', 'connected', 'deal_won', 'from', 'to'].some((k) => p[k]);
    const list = WH.list({
      path: '/bpo/call-logs',
      query: { ...scope(), agent_id: employee ? null : p.agent_id, campaign_id: p.campaign_id,
        connected: p.connected, deal_won: p.deal_won, from: p.from, to: p.to },
      caption: employee ? 'Your calls, newest first' : 'Call logs, newest first',
      empty: filtered ? 'No calls match these filters. Change or clear them.'
        : (mayLog() ? 'No calls logged yet. Log one with "Log a call".' : 'No calls logged yet.'),
      rowLink: (c) => `#/bpo/calls/${c.id}`,
      columns: [
        { label: 'Started', className: 'nowrap', render: (c) => WH.dateTime(c.started_at) },
        employee ? null : { label: 'Agent', render: (c) => data.agentName(c.agent_id) },
        { label: 'Campaign', render: (c) => (c.campaign_id ? (data.campaignById.get(c.campaign_id) || { name: `#${c.campaign_id}` }).name : '—') },
        { label: 'Length', className: 'num', render: (c) => duration(c) },
        { label: 'Dials', key: 'dial_count', className: 'num' },
        { label: 'Outcome', render: outcome },
        { label: 'Revenue', className: 'num', render: (c) => (c.revenue_cents ? WH.money(c.revenue_cents) : '—') },
        { label: 'Notes', render: (c) => clip(c.notes, 60) },
      ].filter(Boolean),
    });
    content.append(list.el);
  });

  WH.screen('/bpo/calls/new', async (content, ctx) => {
    crumb(content, '#/bpo/calls', 'Call logs');
    WH.title(content, 'Log a call');
    if (!mayLog()) { WH.empty(content, 'Your role may not log calls.'); return; }
    if (topVenture() === false) { otherTypeNotice(content); return; }
    const data = await loadBpo();
    if (ctx.stale()) return;
    const employee = isEmployee();
    const agents = (employee ? data.agents.filter((a) => a.user_id === me().user.id) : data.agents).filter((a) => a.active !== false);
    if (!agents.length) {
      if (employee) notAgentNotice(content);
      else WH.empty(content, 'There are no active agents yet. Add one under BPO › Agents first.');
      return;
    }
    const label = (a) => `${a.user_id === me().user.id ? `${data.nameOfAgent(a)} (you)` : data.nameOfAgent(a)}${multi() ? ` · ${ventureName(a.venture_id)}` : ''}`;
    const own = agents.find((a) => a.user_id === me().user.id);
    const first = agents.find((a) => String(a.id) === ctx.params.agent_id) || own || agents[0];
    const campaignsOf = (a) => [['', 'No campaign'], ...data.campaigns.filter((c) => c.venture_id === a.venture_id && c.active !== false)
      .map((c) => [String(c.id), c.name])];
    const now = () => { const d = new Date(); d.setSeconds(0, 0); return localInput(d); };

    let todays = null;
    const form = WH.form({
      fields: [
        { name: 'agent_id', label: 'Agent', type: 'select', numeric: true, required: true, value: String(first.id),
          options: agents.map((a) => [String(a.id), label(a)]).sort((x, y) => x[1].localeCompare(y[1])),
          disabled: agents.length === 1, hint: agents.length === 1 && employee ? 'Calls you log are credited to you.' : null },
        { name: 'campaign_id', label: 'Campaign', type: 'select', numeric: true, options: campaignsOf(first),
          value: first.campaign_id ? String(first.campaign_id) : '' },
        { name: 'started_at', label: 'Started at', type: 'datetime-local', required: true, value: now() },
        { name: 'duration', field: 'ended_at', label: 'Length', placeholder: 'e.g. 4:30',
          hint: 'Minutes, or minutes:seconds. Leave empty if the call has not ended; a call with a length counts as completed.' },
        { name: 'dial_count', label: 'Dials', type: 'number', min: 1, max: 100000, value: 1 },
        { name: 'revenue_cents', label: 'Revenue ($)', type: 'money' },
        { name: 'connected', label: 'Connected', type: 'checkbox' },
        { name: 'appointment_set', label: 'Appointment set', type: 'checkbox' },
        { name: 'deal_won', label: 'Deal won', type: 'checkbox' },
        { name: 'notes', label: 'Notes', type: 'textarea', wide: true, rows: 3, maxlength: 10000 },
      ],
      submitLabel: 'Log call',
      toBody: (body, el) => {
        // A disabled select is not read: the one agent is the caller's.
        const agent = data.agentById.get(Number(el.elements.namedItem('agent_id').value));
        const out = { ...body, agent_id: agent.id, venture_id: agent.venture_id };
        delete out.ended_at;
        const raw = String(el.elements.namedItem('duration').value).trim();
        if (raw) {
          const m = /^(\d{1,4})(?::([0-5]?\d))?$/.exec(raw);
          if (!m) {
            throw new WH.ApiError(400, { detail: 'Some fields need attention.',
              errors: [{ field: 'ended_at', message: 'must be minutes, or minutes:seconds like 4:30' }] });
          }
          const seconds = Number(m[1]) * 60 + Number(m[2] || 0);
          out.ended_at = new Date(new Date(body.started_at).getTime() + seconds * 1000).toISOString();
        }
        return out;
      },
      submit: (body, write) => write('POST', '/bpo/call-logs', body),
      onDone: (call, notice, el) => {
        notice.replaceChildren('Call logged. ', h('a', { href: `#/bpo/calls/${call.id}`, text: 'View it' }), ' or log the next one.');
        for (const n of ['duration', 'notes', 'revenue_cents']) el.elements.namedItem(n).value = '';
        for (const n of ['connected', 'appointment_set', 'deal_won']) el.elements.namedItem(n).checked = false;
        el.elements.namedItem('dial_count').value = '1';
        el.elements.namedItem('started_at').value = now();
        if (todays) todays.reload();
      },
    });
    const agentSelect = form.elements.namedItem('agent_id');
    agentSelect.addEventListener('change', () => {
      const a = data.agentById.get(Number(agentSelect.value));
      setOptions(form.elements.namedItem('campaign_id'), campaignsOf(a), a.campaign_id ? String(a.campaign_id) : '');
      drawToday(a);
    });
    content.append(form);

    // The agent's calls of today under the form, so the day's work stays in view.
    const todayBox = h('section.todays-calls');
    content.append(todayBox);
    function drawToday(a) {
      const list = WH.list({
        path: '/bpo/call-logs', query: { venture_id: a.venture_id, agent_id: a.id, from: WH.today(), to: WH.today() },
        caption: `Calls of ${data.nameOfAgent(a)} today`, empty: 'No calls logged today yet.', limit: 20,
        rowLink: (c) => `#/bpo/calls/${c.id}`,
        columns: [
          { label: 'Started', render: (c) => new Date(c.started_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) },
          { label: 'Campaign', render: (c) => (c.campaign_id ? (data.campaignById.get(c.campaign_id) || { name: `#${c.campaign_id}` }).name : '—') },
          { label: 'Length', render: duration },
          { label: 'Outcome', render: outcome },
          { label: 'Revenue', className: 'num', render: (c) => (c.revenue_cents ? WH.money(c.revenue_cents) : '—') },
        ],
      });
      todays = list;
      todayBox.replaceChildren(h('h2', { text: a.user_id === me().user.id ? 'Your calls today' : `${data.nameOfAgent(a)}'s calls today` }), list.el);
    }
    drawToday(first);
  });

  WH.screen('/bpo/calls/:id', async (content, ctx) => {
    const id = Number(ctx.args.id);
    const [call, data] = await Promise.all([WH.api('GET', `/bpo/call-logs/${id}`), loadBpo()]);
    if (ctx.stale()) return;
    crumb(content, '#/bpo/calls', 'Call logs');
    WH.title(content, `Call of ${WH.dateTime(call.started_at)}`);
    const campaign = call.campaign_id ? data.campaignById.get(call.campaign_id) : null;
    content.append(h('div.card', {}, WH.facts([
      ['Agent', data.agentName(call.agent_id)],
      ['Venture', ventureName(call.venture_id)],
      ['Campaign', campaign ? h('a', { href: `#/bpo/campaigns/${campaign.id}`, text: campaign.name }) : (call.campaign_id ? `#${call.campaign_id}` : '—')],
      ['Started', WH.dateTime(call.started_at)],
      ['Ended', call.ended_at ? WH.dateTime(call.ended_at) : 'Not ended'],
      ['Length', duration(call)],
      ['Dials', String(call.dial_count)],
      ['Outcome', outcome(call)],
      ['Revenue', WH.money(call.revenue_cents)],
      ['Notes', call.notes ? h('div.prose-text', { text: call.notes }) : '—'],
    ])), h('p.muted.small', { text: 'Logged calls cannot be changed.' }));
  });

  /* ------------------------------------------------------------------ Campaigns */

  const officeOptions = (ventureId) => [['', 'No office'], ...(me().offices || []).filter((o) => o.venture_id === ventureId).map((o) => [String(o.id), o.name])];

  WH.screen('/bpo/campaigns', async (content, ctx) => {
    WH.title(content, ctx.label, mayManage() ? h('a.button.primary', { href: '#/bpo/campaigns/new', text: 'New campaign' }) : null);
    if (topVenture() === false) { otherTypeNotice(content); return; }
    const offices = new Map((me().offices || []).map((o) => [o.id, o.name]));
    const list = WH.list({
      path: '/bpo/campaigns', query: scope(), caption: 'Campaigns',
      empty: mayManage() ? 'No campaigns yet. Create one with "New campaign".' : 'No campaigns yet.',
      rowLink: (c) => `#/bpo/campaigns/${c.id}`,
      columns: [
        { label: 'Campaign', key: 'name' },
        { label: 'Client', render: (c) => c.client_name || '—' },
        { label: 'Office', render: (c) => (c.office_id ? offices.get(c.office_id) || `#${c.office_id}` : '—') },
        multi() ? { label: 'Venture', render: (c) => ventureName(c.venture_id) } : null,
        { label: 'Status', render: (c) => activeBadge(c.active) },
        { label: 'Calls', render: (c) => h('a', { href: `#/bpo/calls${WH.qs({ campaign_id: c.id })}`, text: 'Calls', 'aria-label': `Calls of ${c.name}` }) },
      ].filter(Boolean),
    });
    content.append(list.el);
  });

  WH.screen('/bpo/campaigns/new', (content) => {
    crumb(content, '#/bpo/campaigns', 'Campaigns');
    WH.title(content, 'New campaign');
    if (!mayManage()) { WH.empty(content, 'Your role may not create campaigns.'); return; }
    if (!bpoVentures().length) { WH.empty(content, 'You are not a member of a BPO venture.'); return; }
    const venture = WH.ventureField(['BPO']);
    const form = WH.form({
      fields: [
        venture,
        { name: 'name', label: 'Name', required: true, maxlength: 200 },
        { name: 'client_name', label: 'Client', maxlength: 200 },
        { name: 'office_id', label: 'Office', type: 'select', numeric: true, options: officeOptions(Number(venture.value)) },
        { name: 'active', label: 'Active', type: 'checkbox', value: true },
      ],
      submitLabel: 'Create campaign', method: 'POST', path: '/bpo/campaigns',
      cancel: () => go('#/bpo/campaigns'),
      onDone: (c) => go(`#/bpo/campaigns/${c.id}`),
    });
    const vs = form.elements.namedItem('venture_id');
    vs.addEventListener('change', () => setOptions(form.elements.namedItem('office_id'), officeOptions(Number(vs.value)), ''));
    content.append(form);
  });

  WH.screen('/bpo/campaigns/:id', async (content, ctx) => {
    const id = Number(ctx.args.id);
    const c = await WH.api('GET', `/bpo/campaigns/${id}`);
    if (ctx.stale()) return;
    crumb(content, '#/bpo/campaigns', 'Campaigns');
    const edit = mayManage() ? h('button.secondary', { type: 'button', text: 'Edit campaign', 'aria-expanded': 'false' }) : null;
    WH.title(content, c.name, edit);
    const office = (me().offices || []).find((o) => o.id === c.office_id);
    const facts = h('div.card', {}, WH.facts([
      ['Client', c.client_name || '—'],
      ['Venture', ventureName(c.venture_id)],
      ['Office', office ? office.name : (c.office_id ? `#${c.office_id}` : '—')],
      ['Status', activeBadge(c.active)],
      ['Calls', h('a', { href: `#/bpo/calls${WH.qs({ campaign_id: c.id })}`, text: 'Call logs of this campaign' })],
    ]));
    content.append(facts);
    const agentsBox = h('section.campaign-agents', {}, h('h2', { text: 'Agents on this campaign' }));
    Promise.all([WH.allItems('/bpo/agents', { venture_id: c.venture_id }), people(c.venture_id)]).then(([agents, staff]) => {
      const on = agents.filter((a) => a.campaign_id === c.id);
      const name = (a) => (staff.find((p) => p.id === a.user_id) || { full_name: `User ${a.user_id}` }).full_name;
      agentsBox.append(on.length
        ? h('ul.plain-list', {}, on.map((a) => h('li', {}, h('a', { href: `#/bpo/calls${WH.qs({ agent_id: isEmployee() ? null : a.id, campaign_id: c.id })}`, text: name(a) }),
          a.active ? '' : h('span.muted', { text: ' (inactive)' }))))
        : h('p.muted', { text: mayManage() ? 'No agents on this campaign yet. Add one under Agents with "New agent".' : 'No agents on this campaign yet.' }));
    }).catch(() => agentsBox.remove());
    if (!edit) { content.append(agentsBox); return; }
    const form = WH.form({
      title: 'Edit campaign', nullEmpty: true,
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 200, value: c.name },
        { name: 'client_name', label: 'Client', maxlength: 200, value: c.client_name },
        { name: 'office_id', label: 'Office', type: 'select', numeric: true, options: officeOptions(c.venture_id),
          value: c.office_id ? String(c.office_id) : '' },
        { name: 'active', label: 'Active', type: 'checkbox', value: c.active },
      ],
      submitLabel: 'Save changes',
      submit: (body, write) => write('PATCH', `/bpo/campaigns/${id}`, body),
      cancel: () => { form.hidden = true; facts.hidden = false; edit.setAttribute('aria-expanded', 'false'); edit.focus(); },
      onDone: rerender,
    });
    form.hidden = true;
    facts.after(form);
    content.append(agentsBox);
    edit.addEventListener('click', () => {
      const open = form.hidden;
      form.hidden = !open;
      facts.hidden = open;
      edit.setAttribute('aria-expanded', String(open));
      if (open) form.querySelector('input').focus();
    });
  });

  /* ------------------------------------------------------------------ Agents */

  WH.screen('/bpo/agents', async (content, ctx) => {
    WH.title(content, ctx.label, mayManage() ? h('a.button.primary', { href: '#/bpo/agents/new', text: 'New agent' }) : null);
    if (topVenture() === false) { otherTypeNotice(content); return; }
    const [staff, campaigns] = await Promise.all([staffMap(), WH.allItems('/bpo/campaigns', scope())]);
    if (ctx.stale()) return;
    const campaignById = new Map(campaigns.map((c) => [c.id, c]));
    const person = (a) => staff.get(a.user_id) || (a.user_id === me().user.id ? me().user : null);
    const list = WH.list({
      path: '/bpo/agents', query: scope(), caption: 'Agents',
      empty: mayManage() ? 'No agents yet. Add a member of the venture with "New agent".'
        : (isEmployee() ? 'You are not set up as an agent yet. Ask your team lead to add you.' : 'No agents yet.'),
      columns: [
        { label: 'Agent', render: (a) => (person(a) ? person(a).full_name : `User ${a.user_id}`) },
        { label: 'E-mail', render: (a) => (person(a) ? person(a).email : '—') },
        { label: 'Campaign', render: (a) => (a.campaign_id ? h('a', { href: `#/bpo/campaigns/${a.campaign_id}`, text: (campaignById.get(a.campaign_id) || { name: `#${a.campaign_id}` }).name }) : '—') },
        multi() ? { label: 'Venture', render: (a) => ventureName(a.venture_id) } : null,
        { label: 'Status', render: (a) => activeBadge(a.active) },
        { label: 'Calls', render: (a) => h('a', { href: `#/bpo/calls${isEmployee() ? '' : WH.qs({ agent_id: a.id })}`, text: 'Calls',
          'aria-label': `Calls of ${person(a) ? person(a).full_name : `user ${a.user_id}`}` }) },
      ].filter(Boolean),
    });
    content.append(list.el);
  });

  WH.screen('/bpo/agents/new', async (content, ctx) => {
    crumb(content, '#/bpo/agents', 'Agents');
    WH.title(content, 'New agent');
    if (!mayManage()) { WH.empty(content, 'Your role may not add agents.'); return; }
    if (!bpoVentures().length) { WH.empty(content, 'You are not a member of a BPO venture.'); return; }
    const venture = WH.ventureField(['BPO']);
    const vids = bpoVentures().map((v) => v.id);
    const [agents, campaigns, peopleLists] = await Promise.all([
      WH.allItems('/bpo/agents'), WH.allItems('/bpo/campaigns'), Promise.all(vids.map((v) => people(v)))]);
    if (ctx.stale()) return;
    const peopleOf = new Map(vids.map((v, i) => [v, peopleLists[i]]));
    const userOptions = (vid) => {
      const taken = new Set(agents.filter((a) => a.venture_id === vid).map((a) => a.user_id));
      const free = (peopleOf.get(vid) || []).filter((p) => p.active && !taken.has(p.id));
      return free.length ? free.map((p) => [String(p.id), `${p.full_name} · ${WH.titleCase(p.role)} · ${p.email}`])
        : [['', 'Every member is already an agent']];
    };
    const campaignOptions = (vid) => [['', 'No campaign'], ...campaigns.filter((c) => c.venture_id === vid && c.active !== false).map((c) => [String(c.id), c.name])];
    const vid = Number(venture.value);
    const form = WH.form({
      fields: [
        venture,
        { name: 'user_id', label: 'Person', type: 'select', numeric: true, required: true, options: userOptions(vid),
          hint: 'Members of the venture who are not agents yet. Add people to the venture under Admin › Users.' },
        { name: 'campaign_id', label: 'Campaign', type: 'select', numeric: true, options: campaignOptions(vid) },
        { name: 'active', label: 'Active', type: 'checkbox', value: true },
      ],
      submitLabel: 'Add agent', method: 'POST', path: '/bpo/agents',
      cancel: () => go('#/bpo/agents'),
      onDone: () => go('#/bpo/agents'),
    });
    const vs = form.elements.namedItem('venture_id');
    vs.addEventListener('change', () => {
      setOptions(form.elements.namedItem('user_id'), userOptions(Number(vs.value)));
      setOptions(form.elements.namedItem('campaign_id'), campaignOptions(Number(vs.value)), '');
    });
    content.append(form);
  });
})();
