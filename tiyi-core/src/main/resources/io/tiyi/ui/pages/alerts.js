// Alerts: the firings of the rules (newest first, server-paged), acknowledging them, and the
// rules themselves with an inline editor for admins.
import { h } from '/ui/vendor/preact.js';
import { rpc } from '../lib/api.js';
import { replaceParams, href } from '../lib/router.js';
import {
  Page, Card, DataTable, Pager, Filters, Form, Facts, Badge, Button, ErrorBox, Loading,
  useLoad, useInterval, useSession, act, fmtTime, fmtAgo,
} from '../lib/ui.js';

const LIMIT = 50;

/** A request body without the fields left at their defaults. */
function compact(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '' && v !== false && !(k === 'offset' && v === 0)) out[k] = v;
  }
  return out;
}

function AckState({ f, short }) {
  if (!f.acked_at) return h(Badge, { kind: 'bad' }, short ? 'new' : 'unacknowledged');
  const by = 'acked by ' + (f.acked_by || '?');
  return h('span', { title: by + ' at ' + fmtTime(f.acked_at) }, h(Badge, { kind: 'ok' }, short ? 'acked' : by));
}

export function AlertsPage({ route }) {
  const s = useSession();
  const p = route.params;
  const offset = Math.max(0, parseInt(p.offset || '0', 10) || 0);
  const unacked = p.unacked === '1';
  const selected = p.firing ? Number(p.firing) : null;

  const rules = useLoad(() => rpc('AlertsService', 'ListRules', {}), []);
  const firings = useLoad(() => rpc('AlertsService', 'List',
    compact({ limit: LIMIT, offset, unacked_only: unacked, rule: p.rule })), [offset, unacked, p.rule]);
  const detail = useLoad(() => (selected ? rpc('AlertsService', 'Get', { id: selected }) : null), [selected]);
  useInterval(() => { firings.reload(); if (selected) detail.reload(); }, 15000);

  const setParams = (next) => replaceParams(next);
  const ack = async (id) => {
    if (await act(() => rpc('AlertsService', 'Ack', { id }), { ok: 'Firing ' + id + ' acknowledged.' })) {
      firings.reload();
      if (selected) detail.reload();
    }
  };
  const ackButton = (f, idPrefix) => (s.can('operator') && !f.acked_at
    ? h(Button, { kind: 'small', id: idPrefix + f.id, disabled: !s.canMutate('operator'), onClick: () => ack(f.id),
      'aria-label': 'Acknowledge firing ' + f.id }, 'Ack')
    : null);

  const rows = firings.data?.firings || [];
  const total = firings.data?.total;
  const more = total != null ? offset + rows.length < total : rows.length === LIMIT;
  const ruleOptions = [['', 'Any rule'], ...(rules.data?.rules || []).map((r) => [r.name, r.title || r.name])];

  const columns = [
    { key: 'id', label: '#', render: (f) => h('a', { href: href('/alerts', { ...p, firing: f.id }), id: 'alert-open-' + f.id,
      'aria-label': 'Firing ' + f.id + ' details' }, '#' + f.id) },
    { key: 'fired_at', label: 'Fired', render: (f) => h('span', { class: 'nowrap', title: fmtTime(f.fired_at) }, fmtAgo(f.fired_at)) },
    { key: 'title', label: 'Rule', render: (f) => f.title || f.rule },
    { key: 'count', label: 'Count', class: 'num' },
    // With the detail beside the list, the list keeps to what tells firings apart.
    selected ? null : { key: 'detail', label: 'What was seen', render: (f) => h('span', { class: 'clip', title: f.detail }, f.detail || '—') },
    { key: 'acked_at', label: 'State', render: (f) => h(AckState, { f, short: !!selected }) },
  ].filter(Boolean);
  if (s.can('operator')) columns.push({ key: 'ack', label: 'Actions', render: (f) => ackButton(f, 'alert-ack-') || '—' });

  const list = h(Card, { title: 'Firings', id: 'alerts-firings' },
    h(Filters, {
      id: 'alerts-filter',
      fields: [
        { name: 'unacked', label: 'State', options: [['', 'All firings'], ['1', 'Unacknowledged only']] },
        { name: 'rule', label: 'Rule', options: ruleOptions },
      ],
      values: { unacked: p.unacked || '', rule: p.rule || '' },
      onApply: (v) => setParams({ unacked: v.unacked, rule: v.rule, firing: p.firing }),
    }),
    h(ErrorBox, { error: firings.error }),
    firings.data ? h(DataTable, {
      columns, rows, rowKey: (f) => f.id, selected, caption: 'Alert firings',
      empty: unacked || p.rule ? 'No firing matches these filters.' : 'Nothing has fired. Rules below say what would.',
    }) : (firings.error ? null : h(Loading)),
    h(Pager, {
      onPrev: offset > 0 ? () => setParams({ ...p, offset: Math.max(0, offset - LIMIT) || undefined }) : null,
      onNext: more ? () => setParams({ ...p, offset: offset + rows.length }) : null,
      label: rows.length ? `${offset + 1}–${offset + rows.length}` + (total != null ? ' of ' + total : '') : null,
    }));

  const detailCard = selected ? h(Card, {
    title: 'Firing #' + selected, id: 'alert-detail',
    actions: h('a', { href: href('/alerts', { ...p, firing: undefined }), class: 'btn btn-small', id: 'alert-detail-close' }, 'Close'),
  },
  h(ErrorBox, { error: detail.error }),
  detail.data ? [
    h(Facts, { items: [
      ['Rule', h('span', null, detail.data.title, ' ', h('code', null, detail.data.rule))],
      ['Fired', fmtTime(detail.data.fired_at)],
      ['Window from', fmtTime(detail.data.window_start)],
      ['Count', String(detail.data.count)],
      ['State', h(AckState, { f: detail.data })],
      detail.data.acked_at ? ['Acknowledged', fmtTime(detail.data.acked_at) + ' by ' + (detail.data.acked_by || '?')] : null,
    ] }),
    h('h3', { class: 'sub' }, 'What was seen'),
    h('pre', { id: 'alert-detail-text' }, detail.data.detail || '—'),
    ackButton(detail.data, 'alert-detail-ack-') ? h('div', { class: 'form-actions top-gap' }, ackButton(detail.data, 'alert-detail-ack-')) : null,
  ] : (detail.error ? null : h(Loading))) : null;

  return h(Page, { title: 'Alerts' },
    detailCard ? h('div', { class: 'split' }, list, detailCard) : list,
    h(Card, { title: 'Rules', id: 'alerts-rules' },
      h('p', { class: 'muted' }, 'A rule counts its condition over each window; the first time the count reaches the threshold in a window it fires, once per window.'),
      h(ErrorBox, { error: rules.error }),
      rules.data ? (rules.data.rules.length
        ? h('div', { class: 'rules' }, rules.data.rules.map((r) => h(Rule, { key: r.name, r, s, onSaved: rules.reload })))
        : h('p', { class: 'muted empty' }, 'No rules.')) : (rules.error ? null : h(Loading))));
}

function Rule({ r, s, onSaved }) {
  return h('div', { class: 'rule', id: 'alert-rule-' + r.name + '-card' },
    h('h3', null, r.title || r.name, ' ', h(Badge, { kind: r.enabled ? 'ok' : 'plain' }, r.enabled ? 'enabled' : 'disabled')),
    h(Facts, { items: [
      ['Name', h('code', null, r.name)],
      ['Condition', h('code', null, r.kind)],
      ['Fires at', `${r.threshold} in ${r.window_seconds} s`],
    ] }),
    s.can('admin') ? h('div', { class: 'top-gap' }, h(Form, {
      id: 'alert-rule-' + r.name,
      initial: r,
      submitLabel: 'Save rule',
      disabled: !s.canMutate('admin'),
      disabledReason: 'read-only node',
      fields: [
        { name: 'enabled', label: 'Enabled', type: 'checkbox' },
        { name: 'window_seconds', label: 'Window (seconds)', type: 'number', required: true, min: 10, max: 86400,
          aliases: ['--window', 'window'] },
        { name: 'threshold', label: 'Threshold (count)', type: 'number', required: true, min: 1, max: 1000000 },
      ],
      onSubmit: async (v) => {
        await rpc('AlertsService', 'UpdateRule', { name: r.name, ...v });
        onSaved();
        return 'Rule saved.';
      },
    })) : null);
}
