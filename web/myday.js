/* Wheelhouse web UI: My day — what the signed-in person has to do today: their end-of-day
 * report, their open loads or today's calls, their points and this month's incentive so far.
 * Each card asks the API for the caller's own rows; a card the role cannot use is left out. */
'use strict';

(function () {
  const { h, api, state } = WH;
  const OPEN_LOADS = ['OPEN', 'WORKING', 'QUOTED', 'AT_RISK', 'COVERED', 'IN_TRANSIT', 'FELL_OFF'];

  function greeting() {
    const hr = new Date().getHours();
    return hr < 12 ? 'Good morning' : hr < 18 ? 'Good afternoon' : 'Good evening';
  }

  function card(titleText, ...body) {
    const id = WH.nextId('card');
    return h('section.card', { 'aria-labelledby': id }, h('h2', { id, text: titleText }), ...body);
  }

  // Fills a card's body when its request answers; a failure shows in the card only.
  function later(promise, draw) {
    const slot = h('div', {}, h('p.muted', { text: 'Loading…' }));
    promise.then((data) => slot.replaceChildren(draw(data)))
      .catch((err) => slot.replaceChildren(h('p.muted', { text: WH.problemText(err) })));
    return slot;
  }

  const me = () => state.me.user;
  const vq = () => (WH.ventureId() ? { venture_id: WH.ventureId() } : {});

  function eodCard() {
    const day = WH.today();
    return card('End-of-day report', later(
      api('GET', `/eod-reports${WH.qs({ user_id: me().id, from: day, to: day, ...vq() })}`),
      (page) => {
        const done = (page.items || []).length;
        return h('div', {},
          h('p', {}, done ? h('span.status.good', { text: 'Submitted' }) : h('span.status.bad', { text: 'Not submitted yet' }),
            ' ', done ? `You reported for ${day}.` : `Today's report (${day}) is still to do.`),
          h('p', {}, h('a', { href: '#/eod', text: done ? 'Review or edit it' : 'Write today’s report' })));
      }));
  }

  function loadsCard() {
    return card('My open loads', later(
      Promise.all(OPEN_LOADS.map((s) => api('GET', `/loads${WH.qs({ created_by: me().id, status: s, limit: 20, ...vq() })}`))),
      (pages) => {
        const loads = pages.flatMap((p) => p.items || []).sort((a, b) => b.id - a.id);
        if (!loads.length) {
          return h('p', {}, 'You have no open loads. ', h('a', { href: '#/freight/loads/new', text: 'Enter a new load' }), '.');
        }
        return h('div.table-wrap', {}, h('table.stack', {},
          h('caption.sr-only', { text: 'My open loads' }),
          h('thead', {}, h('tr', {}, ['Load', 'Lane', 'Status', 'Bill'].map((t) => h('th', { scope: 'col', text: t })))),
          h('tbody', {}, loads.slice(0, 15).map((l) => h('tr', {},
            h('td', { 'data-label': 'Load' }, h('a', { href: `#/freight/loads/${l.id}`, text: l.reference || `#${l.id}` })),
            h('td', { 'data-label': 'Lane', text: `${l.pickup_city}, ${l.pickup_state} → ${l.drop_city}, ${l.drop_state}` }),
            h('td', { 'data-label': 'Status' }, h('span.status', { text: WH.titleCase(l.status) })),
            h('td.num', { 'data-label': 'Bill', text: WH.money(l.bill_cents) }))))));
      }));
  }

  function callsCard() {
    const day = WH.today();
    // an EMPLOYEE's list holds only their own calls; leaders see their venture's
    const own = !WH.isLeader() && !['OFFICE_MANAGER', 'TEAM_LEAD', 'AUDITOR', 'FINANCE'].includes(WH.role());
    return card(own ? 'My calls today' : 'Calls today', later(
      api('GET', `/bpo/call-logs${WH.qs({ from: day, to: day, limit: 200, ...vq() })}`),
      (page) => {
        const calls = page.items || [];
        const connected = calls.filter((c) => c.connected).length;
        const won = calls.filter((c) => c.deal_won).length;
        return h('div', {},
          h('div.figures', {},
            figure(String(calls.length) + (page.has_more ? '+' : ''), 'calls'),
            figure(String(connected), 'connected'), figure(String(won), 'deals won')),
          h('p', {}, h('a', { href: '#/bpo/calls', text: own ? 'Log a call' : 'See the calls' })));
      }));
  }

  function figure(value, label) {
    return h('div.figure', {}, h('span.value', { text: value }), h('span.label', { text: label }));
  }

  function pointsCard() {
    return card('My points', later(api('GET', '/gamification/balance'), (b) =>
      h('div.figures', {}, figure(String(b.total_points ?? 0), 'points in all'))));
  }

  function incentiveCard() {
    const to = WH.today();
    const from = `${to.slice(0, 8)}01`;
    return card('My incentive this month', later(
      api('GET', `/me/incentives${WH.qs({ from, to, limit: 200 })}`),
      (page) => {
        const total = (page.items || []).reduce((s, d) => s + (d.amount_cents || 0), 0);
        return h('div', {}, h('div.figures', {}, figure(WH.money(total), `earned ${from} to ${to}`)),
          h('p', {}, h('a', { href: '#/incentives/me', text: 'See the days' })));
      }));
  }

  WH.screen('/', (content) => {
    const user = me();
    WH.title(content, 'My day');
    content.append(h('p.muted', { text: `${greeting()}, ${(user.full_name || '').split(' ')[0]}. ${WH.roleLabel(user.role)} · ${user.email}` }));
    const types = new Set(WH.ventures().map((v) => v.type));
    const cards = h('div.cols');
    if (WH.can('eod.write')) cards.append(eodCard());
    if (WH.can('freight.write') && (types.has('LOGISTICS') || types.has('TRANSPORT'))) cards.append(loadsCard());
    if (WH.can('bpo.read') && types.has('BPO')) cards.append(callsCard());
    cards.append(pointsCard(), incentiveCard());
    content.append(cards);
    if (!WH.ventures().length) {
      content.append(h('p.empty', { text: 'You are not a member of any venture yet. Ask an administrator to add you.' }));
    }
  });
})();
