// The security events explorer: find what the WAF matched, read the whole event, and turn a
// false positive into a scoped exclusion without leaving the page.
import { h } from '/ui/vendor/preact.js';
import { useEffect, useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams, href } from '../lib/router.js';
import { Page, Card, Filters, DataTable, Pager, ErrorBox, Loading, Badge, Button, Facts, Form, useLoad, useSession, fmtTime, fmtShort } from '../lib/ui.js';

const RANGES = [['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days']];
const RANGE_MS = { '15m': 900e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const PAGE_SIZE = 50;
// Rules that only add up the anomaly score and block: excluding one turns blocking off for the
// whole scope, so the page never suggests them.
const EVALUATION = new Set([949110, 949111, 959100, 959101, 980130, 980140, 980170, 1999900]);
const FILTERS = ['site', 'rule', 'client_ip', 'path', 'method', 'action', 'range', 'until'];

export function EventsPage({ route }) {
  const p = route.params;
  const filters = Object.fromEntries(FILTERS.filter((k) => p[k]).map((k) => [k, p[k]]));
  const key = JSON.stringify(filters);
  // The first page fixes "now", so that paging does not shift as new events arrive.
  const [anchor, setAnchor] = useState(Date.now());
  const [cursors, setCursors] = useState([null]);
  useEffect(() => { setCursors([null]); setAnchor(Date.now()); }, [key]);
  const page = cursors.length - 1;
  const sites = useLoad(() => rpc('SitesService', 'List', { limit: 1000 }), []);

  const result = useLoad(async () => {
    const range = RANGE_MS[filters.range || '24h'] || RANGE_MS['24h'];
    const until = filters.until ? Date.parse(filters.until) : anchor;
    if (Number.isNaN(until)) throw new Error('until: not a date and time');
    const q = { type: 'security', from_ms: until - range, until_ms: until, limit: PAGE_SIZE, cursor: cursors[page] };
    if (filters.site) q.site = filters.site;
    if (filters.rule) {
      if (!/^\d+$/.test(filters.rule)) throw new Error('Rule must be a rule id such as 942100');
      q.rule_id = Number(filters.rule);
    }
    if (filters.client_ip) q.client_ip = filters.client_ip;
    if (filters.path) q.path = filters.path;
    if (filters.method) q.method = filters.method;
    if (filters.action) q.action = filters.action;
    return rpc('EventsService', 'Search', q);
  }, [key, anchor, cursors]);

  const events = result.data?.events || [];
  const selected = events.find((e) => e.request_id === p.id) || null;
  const siteOptions = [['', 'All sites'], ...((sites.data?.sites || []).map((x) => [x.name, x.name]))];
  return h(Page, {
    title: 'Security events',
    actions: h(Button, { id: 'events-refresh', onClick: () => { setCursors([null]); setAnchor(Date.now()); } }, 'Refresh'),
  },
    h(Filters, {
      id: 'events-filter',
      values: filters,
      onApply: (v) => replaceParams(Object.fromEntries(Object.entries(v).filter(([, x]) => x))),
      fields: [
        { name: 'range', label: 'Time', options: RANGES, default: '24h' },
        { name: 'until', label: 'Until', type: 'datetime-local' },
        { name: 'site', label: 'Site', options: siteOptions },
        { name: 'rule', label: 'Rule id', placeholder: '942100', numeric: true },
        { name: 'client_ip', label: 'Client IP', placeholder: '203.0.113.7' },
        { name: 'path', label: 'Path contains', placeholder: '/login' },
        { name: 'method', label: 'Method', options: [['', 'Any'], ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => [m, m])] },
        { name: 'action', label: 'Action', options: [['', 'Any'], ['blocked', 'Blocked'], ['detected', 'Detected only']] },
      ],
    }),
    h('div', { class: selected ? 'split' : '' },
      h(Card, { title: 'Events', id: 'events-list' },
        result.error ? h(ErrorBox, { error: result.error }) : result.loading && !result.data ? h(Loading) : h('div', null,
          h(DataTable, {
            caption: 'Security events, newest first',
            rows: events,
            rowKey: (e) => e.request_id,
            selected: p.id,
            empty: 'No security events match these filters in this time range.',
            onRowClick: (e) => replaceParams({ ...filters, id: e.request_id }),
            columns: [
              { key: 'ts', label: 'Time', render: (e) => h('a', { href: href('/events', { ...filters, id: e.request_id }), class: 'event-link',
                id: 'event-' + e.request_id, title: fmtTime(e.ts), onClick: (ev) => { ev.preventDefault(); replaceParams({ ...filters, id: e.request_id }); } },
                fmtShort(e.ts)) },
              { key: 'site', label: 'Site' },
              { key: 'client_ip', label: 'Client' },
              { key: 'path', label: 'Request', render: (e) => h('span', { class: 'mono clip', title: e.method + ' ' + e.path }, e.method + ' ' + e.path) },
              { key: 'action', label: 'Action', render: (e) => h(Badge, { kind: e.action === 'blocked' ? 'bad' : 'warn' }, e.action) },
              { key: 'rule_ids', label: 'Rules', render: (e) => (e.rule_ids || []).join(', ') },
            ],
          }),
          h(Pager, {
            label: `Page ${page + 1}`,
            onPrev: page > 0 ? () => setCursors(cursors.slice(0, -1)) : null,
            onNext: result.data?.next_cursor ? () => setCursors([...cursors, result.data.next_cursor]) : null,
          }))),
      selected ? h(EventDetail, { event: selected, onClose: () => replaceParams(filters) }) : null));
}

function pathOnly(path) {
  const q = (path || '/').indexOf('?');
  return q < 0 ? path || '/' : path.slice(0, q);
}

function EventDetail({ event, onClose }) {
  const s = useSession();
  const rules = (event.rule_ids || []).map((id, i) => ({ id, message: (event.messages || [])[i] || '' }));
  const suggested = rules.find((r) => !EVALUATION.has(r.id)) || rules[0];
  return h(Card, {
    title: 'Event ' + event.request_id,
    id: 'event-detail',
    actions: h(Button, { onClick: onClose, 'aria-label': 'Close the event' }, '✕'),
  },
    h(Facts, { items: [
      ['Time', fmtTime(event.ts)],
      ['Request id', h('code', null, event.request_id)],
      ['Site', event.site],
      ['Served by', event.agent ? h('span', null, 'agent ', h('code', null, event.agent)) : 'this node'],
      ['Client', event.client_ip + (event.peer && event.peer !== event.client_ip ? ` (via ${event.peer})` : '')],
      ['Request', h('code', null, `${event.method} ${event.host || ''}${event.path}`)],
      ['Action', h(Badge, { kind: event.action === 'blocked' ? 'bad' : 'warn' }, `${event.action} (${event.status})`)],
      ['Anomaly score', String(event.anomaly_score ?? 0)],
    ] }),
    h('h3', null, 'Matched'),
    h('pre', { id: 'event-matched' }, event.matched || '—'),
    h('h3', null, 'Rules'),
    h('ul', { class: 'kv-list', id: 'event-rules' }, rules.map((r) => h('li', null, h('a', { href: href('/events', { rule: r.id }) }, String(r.id)),
      ' ', r.message, EVALUATION.has(r.id) ? h('span', { class: 'muted' }, ' (blocking evaluation)') : null))),
    s.can('operator') && event.site && suggested ? h('div', { class: 'exclude' },
      h('h3', null, 'Exclude this rule for this path and method'),
      h('p', { class: 'muted' }, `Turns the rule off only for ${event.method} requests under the path prefix on site ${event.site}; `
        + 'every other request is still checked by it.'),
      h(Form, {
        id: 'exclude',
        key: event.request_id,
        submitLabel: 'Create exclusion',
        disabled: !s.canMutate('operator'),
        disabledReason: 'read-only node',
        initial: { rule_id: String(suggested.id), path_prefix: pathOnly(event.path), method: event.method },
        fields: [
          { name: 'rule_id', label: 'Rule', type: 'select', aliases: ['--rule'],
            options: rules.map((r) => [String(r.id), `${r.id} ${r.message}${EVALUATION.has(r.id) ? ' (blocking evaluation)' : ''}`]) },
          { name: 'path_prefix', label: 'Path prefix', required: true, aliases: ['--path-prefix', '--path'] },
          { name: 'method', label: 'Method', required: true, aliases: ['--method'] },
        ],
        onSubmit: async (v) => {
          await rpc('WafService', 'AddExclusion', { site: event.site, rule_id: Number(v.rule_id), path_prefix: v.path_prefix, method: v.method });
          return `Rule ${v.rule_id} is excluded for ${v.method} ${v.path_prefix}* on ${event.site}; agents apply it with their next bundle.`;
        },
      }),
      h('p', null, h('a', { href: href('/sites', { name: event.site }) }, `Exclusions of ${event.site}`))) : null);
}
