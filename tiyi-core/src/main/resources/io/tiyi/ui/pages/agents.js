// Agents & cluster: this node, the bundle agents run, the agents, and enrollment tokens.
import { h } from '/ui/vendor/preact.js';
import { useRef, useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams } from '../lib/router.js';
import {
  Page, Card, Badge, Button, DataTable, Filters, Form, Facts, ErrorBox, Loading, useLoad, useSession, useInterval, act, toast, fmtTime, fmtAgo, pagedList, offsetOf, OffsetPager,
} from '../lib/ui.js';

/** Healthy: reports "ok", was heard from in the last 60 s, and is not revoked. */
export function agentHealthy(a, now = Date.now()) {
  return !a.revoked && a.health === 'ok' && a.last_seen > 0 && now - a.last_seen < 60_000;
}

function healthBadge(a) {
  if (a.revoked) return h(Badge, { kind: 'plain' }, 'revoked');
  if (agentHealthy(a)) return h(Badge, { kind: 'ok' }, 'ok');
  if (a.health === 'ok') return h(Badge, { kind: 'warn' }, 'silent');
  return h(Badge, { kind: a.health === 'stale' || a.health === 'unknown' ? 'warn' : 'bad' }, a.health || 'unknown');
}

function lagText(a) {
  if (a.lag == null || a.lag < 0) return '—';
  return a.lag === 0 ? 'current' : a.lag + ' behind';
}

function fmtUptime(s) {
  if (!s) return '—';
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return (d ? d + ' d ' : '') + (d || hh ? hh + ' h ' : '') + m + ' min';
}

export function AgentsPage({ route }) {
  const p = route.params;
  if (p.id) return h(AgentDetail, { id: p.id, key: p.id });
  return h(Page, { title: 'Agents & cluster' },
    h('div', { class: 'grid block-gap' }, h(ThisNode), h(BundleStatus)),
    h(AgentList, { params: p }),
    h(Tokens));
}

function ThisNode() {
  const st = useLoad(() => rpc('SystemService', 'Status', {}), []);
  useInterval(st.reload, 15000);
  const d = st.data;
  return h(Card, { title: 'This node', id: 'node-status' },
    st.error ? h(ErrorBox, { error: st.error }) : !d ? h(Loading) : h(Facts, { items: [
      ['Node', h('span', { class: 'mono' }, d.node_id)],
      ['Role', h(Badge, { kind: d.role === 'primary' ? 'info' : 'plain' }, d.role)],
      ['Writes', d.read_only ? h(Badge, { kind: 'warn' }, 'read-only') : h(Badge, { kind: 'ok' }, 'accepted')],
      ['Epoch', String(d.epoch)],
      ['Last sequence', String(d.last_seq)],
      d.role === 'secondary' ? ['Replication lag', String(d.lag)] : null,
      d.primary_api ? ['Primary', h('a', { href: d.primary_api.replace(/\/+$/, '') + '/' }, d.primary_api)] : null,
      ['Phase', d.phase],
      ['Version', d.version + (d.commit ? ' (' + String(d.commit).slice(0, 10) + ')' : '')],
      ['Up for', fmtUptime(d.uptime_seconds)],
    ] }));
}

function BundleStatus() {
  const b = useLoad(() => rpc('BundlesService', 'Status', {}), []);
  useInterval(b.reload, 15000);
  const d = b.data;
  return h(Card, { title: 'Bundle', id: 'bundle-status' },
    h('p', { class: 'muted card-note' }, 'The signed configuration agents poll for. An agent\'s lag is how many changes it is behind this version.'),
    b.error ? h(ErrorBox, { error: b.error }) : !d ? h(Loading) : h(Facts, { items: [
      ['Version', h('span', { class: 'mono' }, d.epoch + '.' + d.seq)],
      ['Epoch', String(d.epoch)],
      ['Sequence', String(d.seq)],
      ['Signing key', h('span', { class: 'mono break' }, d.signing_key_fingerprint)],
    ] }));
}

function AgentList({ params }) {
  const offset = offsetOf(params);
  const filter = params.filter || '';
  const list = useLoad(() => pagedList('AgentsService', 'List', 'agents', { filter, offset }), [filter, offset]);
  useInterval(list.reload, 15000);
  const columns = [
    { key: 'id', label: 'ID', render: (a) => h('a', { href: '#/agents?id=' + encodeURIComponent(a.id), class: 'mono', id: 'agent-link-' + a.id }, a.id) },
    { key: 'tag', label: 'Tag' },
    { key: 'address', label: 'Address', render: (a) => a.address ? h('span', { class: 'mono' }, a.address) : '—' },
    { key: 'health', label: 'Health', render: healthBadge },
    { key: 'bundle_version', label: 'Bundle', render: (a) => a.bundle_version || '—' },
    { key: 'lag', label: 'Lag', render: lagText },
    { key: 'last_seen', label: 'Last seen', render: (a) => h('span', { title: fmtTime(a.last_seen) }, fmtAgo(a.last_seen)) },
    { key: 'binary_version', label: 'Version' },
    { key: 'revoked', label: 'Revoked', render: (a) => a.revoked ? h(Badge, { kind: 'bad' }, 'yes') : 'no' },
  ];
  return h(Card, { title: 'Agents', id: 'agents' },
    h(Filters, { id: 'agent-filter', fields: [{ name: 'filter', label: 'ID, tag or address', placeholder: 'edge' }],
      values: { filter }, onApply: (v) => replaceParams({ filter: v.filter }) }),
    list.error ? h(ErrorBox, { error: list.error }) : !list.data ? h(Loading) : [
      h(DataTable, { columns, rows: list.data.items, rowKey: (a) => a.id, caption: 'Agents',
        empty: filter ? 'No agent matches "' + filter + '".' : 'No agents enrolled. Issue an enrollment token below, then start tiyi agent --api ' + location.origin + ' --enrollment-token TOKEN on the proxy host.' }),
      h(OffsetPager, { offset, count: list.data.items.length, total: list.data.total, onGo: (o) => replaceParams({ filter, offset: o || undefined }) }),
    ]);
}

function AgentDetail({ id }) {
  const s = useSession();
  const ag = useLoad(() => rpc('AgentsService', 'Get', { id }), [id]);
  useInterval(ag.reload, 15000);
  const a = ag.data;
  const revoke = async () => {
    if (await act(() => rpc('AgentsService', 'Revoke', { id }), {
      confirm: { title: 'Revoke agent ' + id + '?', message: 'Its credential stops working at once: it gets no more bundles and must be enrolled again with a new token.', confirmLabel: 'Revoke' },
      ok: 'Revoked agent ' + id + '.',
    })) ag.reload();
  };
  const actions = [
    h('a', { href: '#/agents', class: 'btn', id: 'agent-back' }, '← All agents'),
    s.can('admin') && a && !a.revoked ? h(Button, { kind: 'danger', id: 'agent-revoke-' + id, disabled: !s.canMutate('admin'), onClick: revoke }, 'Revoke') : null,
  ];
  return h(Page, { title: 'Agent ' + id, actions },
    ag.error ? h(ErrorBox, { error: ag.error }) : !a ? h(Loading) : [
      h('div', { class: 'split' },
        h(Card, { title: 'Status', id: 'agent-status' }, h(Facts, { items: [
          ['Health', healthBadge(a)],
          a.refused ? ['Last bundle refused', h('span', { class: 'break' }, a.refused)] : null,
          ['Last seen', a.last_seen ? fmtAgo(a.last_seen) + ' (' + fmtTime(a.last_seen) + ')' : 'never'],
          ['Bundle', a.bundle_version || '—'],
          ['Lag', lagText(a)],
          ['Epoch seen', a.epoch_seen ? String(a.epoch_seen) : '—'],
          ['Revoked', a.revoked ? 'yes' : 'no'],
        ] })),
        h(Card, { title: 'Host', id: 'agent-host' }, h(Facts, { items: [
          ['Tag', a.tag],
          ['Address', a.address ? h('span', { class: 'mono' }, a.address) : '—'],
          ['Version', a.binary_version || '—'],
          ['Platform', a.os ? a.os + '/' + (a.arch || '?') : '—'],
          ['Up for', fmtUptime(a.uptime_seconds)],
          ['Enrolled', fmtTime(a.enrolled_at)],
          ['Enrolled from', a.enrolled_from || '—'],
        ] }))),
      h(Card, { title: 'Upstreams it sees', id: 'agent-upstreams' },
        Array.isArray(a.upstreams) ? h(DataTable, {
          columns: [
            { key: 'site', label: 'Site', render: (u) => h('a', { href: '#/sites?name=' + encodeURIComponent(u.site) }, u.site) },
            { key: 'route', label: 'Pool', render: (u) => u.route ? h('code', null, u.route) : 'default' },
            { key: 'target', label: 'Target', render: (u) => h('span', { class: 'mono' }, u.target) },
            { key: 'healthy', label: 'Health', render: (u) => h(Badge, { kind: u.healthy ? 'ok' : 'bad' }, u.healthy ? 'healthy' : 'unhealthy') },
            { key: 'ejected', label: 'Ejected' },
            { key: 'inflight', label: 'In flight', class: 'num' },
          ],
          rows: a.upstreams, caption: 'Upstreams', empty: 'This agent proxies no upstreams.',
        }) : h('p', { class: 'muted' }, 'This agent does not report upstream health (it may be older than this control plane).')),
    ]);
}

function Tokens() {
  const s = useSession();
  const admin = s.can('admin');
  const tokens = useLoad(() => rpc('AgentsService', 'ListTokens', {}), []);
  const [issued, setIssued] = useState(null);
  const revoke = async (t) => {
    if (await act(() => rpc('AgentsService', 'RevokeToken', { id: t.id }), {
      confirm: { title: 'Revoke token ' + t.id + '?', message: 'No agent can enroll with it any more. Agents already enrolled with it are not affected.', confirmLabel: 'Revoke' },
      ok: 'Revoked token ' + t.id + '.',
    })) tokens.reload();
  };
  const stateKind = { active: 'ok', used: 'info', expired: 'plain', revoked: 'plain' };
  const columns = [
    { key: 'id', label: 'ID', render: (t) => h('span', { class: 'mono' }, t.id) },
    { key: 'tag', label: 'Tag' },
    { key: 'state', label: 'State', render: (t) => h(Badge, { kind: stateKind[t.state] || 'plain' }, t.state) },
    { key: 'created_at', label: 'Issued', render: (t) => fmtTime(t.created_at) },
    { key: 'created_by', label: 'By' },
    { key: 'expires_at', label: 'Expires', render: (t) => fmtTime(t.expires_at) },
    { key: 'used_by', label: 'Used by', render: (t) => t.used_by ? h('a', { href: '#/agents?id=' + encodeURIComponent(t.used_by), class: 'mono' }, t.used_by) : '—' },
    admin ? { key: 'x', label: 'Actions', render: (t) => t.state === 'active' ? h(Button, { class: 'btn btn-small', id: 'token-revoke-' + t.id,
      disabled: !s.canMutate('admin'), 'aria-label': 'Revoke token ' + t.id, onClick: () => revoke(t) }, 'Revoke') : null } : null,
  ].filter(Boolean);
  const rows = tokens.data ? [...(tokens.data.tokens || [])].reverse() : [];
  return h(Card, { title: 'Enrollment tokens', id: 'tokens' },
    h('p', { class: 'muted card-note' }, 'A token lets one agent (or secondary) enroll once: ',
      h('code', null, 'tiyi agent --api ' + location.origin + ' --enrollment-token TOKEN'), '. The node keeps only a hash of it.'),
    tokens.error ? h(ErrorBox, { error: tokens.error }) : !tokens.data ? h(Loading)
      : h(DataTable, { columns, rows, rowKey: (t) => t.id, caption: 'Enrollment tokens', empty: 'No tokens issued.' }),
    admin ? h('div', { class: 'subform' },
      h('h3', null, 'Issue a token'),
      issued ? h(IssuedToken, { issued, onClose: () => setIssued(null) }) : null,
      h('div', { class: 'form-cols' }, h(Form, {
        id: 'token-issue',
        fields: [
          { name: 'tag', label: 'Tag', required: true, placeholder: 'edge-eu', pattern: '[a-z0-9][a-z0-9._-]{0,62}',
            patternMessage: 'Tag must be 1-63 characters of a-z, 0-9, ".", "_" or "-" starting with a letter or digit', help: 'Agents enrolled with it carry this tag.' },
          { name: 'ttl', label: 'Valid for', default: '1h', placeholder: '1h', help: 'For example 30m, 1h, 7d; at most 720h.' },
        ],
        submitLabel: 'Issue token',
        disabled: !s.canMutate('admin'),
        disabledReason: 'read-only node',
        onSubmit: async (v) => {
          const t = await rpc('AgentsService', 'IssueToken', v);
          setIssued(t);
          tokens.reload();
          return 'Issued token ' + t.id + '.';
        },
      }))) : null);
}

function IssuedToken({ issued, onClose }) {
  const ref = useRef(null);
  const copy = async () => {
    const el = ref.current;
    try {
      await navigator.clipboard.writeText(issued.token);
      toast('Token copied.');
    } catch {
      el?.focus();
      el?.select();
      toast('Select the token and copy it (Ctrl+C).', 'error');
    }
  };
  return h('div', { class: 'issued', role: 'status', id: 'token-issued-box' },
    h('label', { for: 'token-issued' }, 'Token ', h('span', { class: 'mono' }, issued.id), ' for tag ', issued.tag, ', valid until ', fmtTime(issued.expires_at)),
    h('div', { class: 'copy-row' },
      h('input', { id: 'token-issued', ref, type: 'text', readOnly: true, value: issued.token, class: 'mono', spellcheck: false,
        onFocus: (e) => e.target.select(), 'aria-describedby': 'token-issued-note' }),
      h(Button, { id: 'token-copy', onClick: copy }, 'Copy')),
    h('p', { id: 'token-issued-note', class: 'note' }, h('strong', null, 'Shown once. '),
      'Copy it now: the node keeps only a hash and cannot show it again. Start the agent with ',
      h('code', null, 'tiyi agent --api ' + location.origin + ' --enrollment-token TOKEN'), '.'),
    h(Button, { class: 'btn btn-small', id: 'token-issued-close', onClick: onClose }, 'I have copied it'));
}

