// Settings: the trust profile (who may tell us the client's address), SIEM forwarding, and
// every other node-wide setting. All of it is replicated state, changed through the API.
import { h } from '/ui/vendor/preact.js';
import { useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams } from '../lib/router.js';
import { Page, Card, Tabs, TabPanel, Form, DataTable, ErrorBox, Loading, Badge, Button, Facts, useLoad, useSession, act, fmtTime, fmtAgo } from '../lib/ui.js';

const TABS = [
  { id: 'trust', label: 'Trust Profile' },
  { id: 'siem', label: 'SIEM' },
  { id: 'general', label: 'General' },
];

export function SettingsPage({ route }) {
  const tab = TABS.some((t) => t.id === route.params.tab) ? route.params.tab : 'trust';
  return h(Page, { title: 'Settings' },
    h(Tabs, { tabs: TABS, active: tab, label: 'Settings', onChange: (id) => replaceParams({ tab: id }) }),
    h(TabPanel, { id: tab }, tab === 'trust' ? h(TrustTab) : tab === 'siem' ? h(SiemTab) : h(GeneralTab)));
}

function TrustTab() {
  const s = useSession();
  const profile = useLoad(() => rpc('TrustService', 'Get', {}), []);
  const cdn = useLoad(() => rpc('TrustService', 'CdnList', {}), []);
  const providers = cdn.data?.providers || [];
  return h('div', null,
    h(Card, { title: 'Trust profile', id: 'trust-profile' },
      h('p', { class: 'muted' }, 'Tiyi takes the client address from a header only when the request comes from a trusted proxy or CDN; '
        + 'otherwise it uses the TCP peer and counts the request as an origin bypass attempt.'),
      profile.error ? h(ErrorBox, { error: profile.error }) : !profile.data ? h(Loading) : s.can('admin')
        ? h(Form, {
          id: 'trust',
          submitLabel: 'Save trust profile',
          disabled: !s.canMutate('admin'),
          disabledReason: 'read-only node',
          initial: profile.data,
          fields: [
            { name: 'trusted_proxies', label: 'Trusted proxies', type: 'lines', placeholder: '10.0.0.0/8',
              help: 'Addresses or CIDR ranges, one per line: load balancers and proxies in front of the agents.' },
            { name: 'client_ip_headers', label: 'Client IP headers', type: 'lines', placeholder: 'X-Forwarded-For',
              help: 'Headers to take the client address from, in order of preference, one per line.' },
            { name: 'cdn_providers', label: 'Trusted CDN providers', type: 'checks',
              options: providers.map((p) => [p.provider, p.provider]),
              help: 'Their published address ranges count as trusted proxies.' },
          ],
          onSubmit: async (v) => {
            await rpc('TrustService', 'Set', v);
            profile.reload();
            cdn.reload();
            return 'Trust profile saved; agents apply it with their next bundle.';
          },
        })
        : h(Facts, { items: [
          ['Trusted proxies', (profile.data.trusted_proxies || []).join(', ') || 'none'],
          ['Client IP headers', (profile.data.client_ip_headers || []).join(', ') || 'none'],
          ['Trusted CDN providers', (profile.data.cdn_providers || []).join(', ') || 'none'],
        ] })),
    h(Card, { title: 'CDN providers', id: 'trust-cdn' },
      cdn.error ? h(ErrorBox, { error: cdn.error }) : h(DataTable, {
        caption: 'CDN providers',
        rows: providers,
        rowKey: (p) => p.provider,
        columns: [
          { key: 'provider', label: 'Provider' },
          { key: 'trusted', label: 'Trusted', render: (p) => p.trusted ? h(Badge, { kind: 'ok' }, 'trusted') : h(Badge, null, 'not trusted') },
          { key: 'ranges', label: 'Ranges', class: 'num' },
          { key: 'source', label: 'Source' },
          { key: 'taken_on', label: 'Taken on' },
          { key: 'refreshed_at', label: 'Refreshed', render: (p) => p.refreshed_at ? fmtAgo(p.refreshed_at) : 'built-in list' },
          s.can('admin') ? { key: 'refresh', label: 'Refresh', render: (p) => h(Button, {
            class: 'btn btn-small', id: 'cdn-refresh-' + p.provider, disabled: !s.canMutate('admin'),
            'aria-label': 'Refresh the ranges of ' + p.provider,
            onClick: () => act(() => rpc('TrustService', 'CdnRefresh', { provider: p.provider }), { ok: (r) => `${p.provider}: ranges refreshed` })
              .then(cdn.reload),
          }, 'Refresh') } : null,
        ].filter(Boolean),
      })),
    h(Card, { title: 'Test a request', id: 'trust-test' },
      h(TrustTest)));
}

function TrustTest() {
  const [result, setResult] = useState(null);
  return h('div', { class: 'split' },
    h(Form, {
      id: 'trust-test',
      submitLabel: 'Explain',
      fields: [
        { name: 'peer', label: 'TCP peer', required: true, placeholder: '10.0.0.5', help: 'The address the request comes from.' },
        { name: 'headers', label: 'Headers', type: 'lines', placeholder: 'X-Forwarded-For: 1.2.3.4, 10.0.0.5',
          help: 'Name: value, one per line.', aliases: ['--header'] },
      ],
      onSubmit: async (v) => {
        setResult(await rpc('TrustService', 'Test', v));
        return 'Resolved: see the steps.';
      },
    }),
    result ? h('div', { id: 'trust-test-result', role: 'status' },
      h('p', null, 'Client: ', h('strong', null, result.client),
        result.bypass_attempt ? [' ', h(Badge, { kind: 'bad' }, 'origin bypass attempt')] : null),
      h(Facts, { items: [
        ['Peer', result.peer + (result.peer_trusted ? ' (trusted)' : ' (not trusted)')],
        ['Header used', result.header || 'none'],
        ['Malformed entries', String(result.malformed)],
      ] }),
      h('ol', { class: 'kv-list' }, (result.steps || []).map((st) => h('li', null, st)))) : null);
}

const SIEM_KEYS = ['siem.enabled', 'siem.address', 'siem.format', 'siem.filter.include_audit', 'siem.filter.include_access',
  'siem.filter.access_sample_rate', 'siem.filter.min_severity'];

function SiemTab() {
  const s = useSession();
  const settings = useLoad(() => rpc('SystemService', 'ListSettings', {}), []);
  const status = useLoad(() => rpc('SiemService', 'Status', {}), []);
  const [test, setTest] = useState(null);
  const byKey = Object.fromEntries((settings.data?.settings || []).map((x) => [x.key, x]));
  const initial = {};
  for (const k of SIEM_KEYS) {
    const x = byKey[k];
    if (x) initial[k] = x.type === 'bool' ? x.value === 'true' : x.value;
  }
  const fmt = byKey['siem.format'];
  const sev = byKey['siem.filter.min_severity'];
  const sendTest = async () => {
    setTest({ busy: true });
    try {
      setTest({ reply: await rpc('SiemService', 'Test', {}) });
    } catch (e) {
      setTest({ error: e });
    }
    status.reload();
  };
  return h('div', null,
    h(Card, { title: 'SIEM forwarding', id: 'siem-config' },
      h('p', { class: 'muted' }, 'Security, error and alert events (and optionally audit and access events) go to one syslog receiver, '
        + 'best effort: a slow or absent receiver never delays a request.'),
      settings.error ? h(ErrorBox, { error: settings.error }) : !settings.data ? h(Loading) : !s.can('admin') ? h(Facts, { items:
        SIEM_KEYS.filter((k) => byKey[k]).map((k) => [byKey[k].description || k, byKey[k].value === '' ? 'not set' : byKey[k].value]) }) : h(Form, {
        id: 'siem',
        submitLabel: 'Save SIEM settings',
        disabled: !s.canMutate('admin'),
        disabledReason: 'read-only node',
        initial,
        fields: [
          { name: 'siem.enabled', label: 'Forward events', type: 'checkbox' },
          { name: 'siem.address', label: 'Address', placeholder: 'tcp://siem.example:514', help: 'tcp://host:port, udp://host:port or unixgram:///path' },
          { name: 'siem.format', label: 'Format', type: 'select', options: (fmt?.allowed || ['rfc5424', 'cef', 'leef']).map((x) => [x, x]) },
          { name: 'siem.filter.include_audit', label: 'Include audit events', type: 'checkbox' },
          { name: 'siem.filter.include_access', label: 'Include access events', type: 'checkbox' },
          { name: 'siem.filter.access_sample_rate', label: 'Access sample rate', help: 'From 0 to 1: the share of access events sent.' },
          { name: 'siem.filter.min_severity', label: 'Minimum severity', type: 'select',
            options: (sev?.allowed || ['debug', 'info', 'notice', 'warning', 'error', 'critical']).map((x) => [x, x]) },
        ],
        onSubmit: async (v) => {
          // Each setting is its own replicated change; only the ones that differ are sent, the
          // address before "enabled" so that forwarding never starts towards the old address.
          const order = ['siem.address', 'siem.format', 'siem.filter.include_audit', 'siem.filter.include_access',
            'siem.filter.access_sample_rate', 'siem.filter.min_severity', 'siem.enabled'];
          let changed = 0;
          for (const k of order) {
            const value = v[k] === null || v[k] === undefined ? '' : String(v[k]);
            if (byKey[k] && byKey[k].value !== value) {
              await rpc('SystemService', 'UpdateSetting', { key: k, value });
              changed++;
            }
          }
          settings.reload();
          status.reload();
          return changed ? `Saved ${changed} setting${changed > 1 ? 's' : ''}.` : 'Nothing changed.';
        },
      })),
    h(Card, { title: 'Test and status', id: 'siem-status',
      actions: s.can('operator') ? h(Button, { kind: 'primary', id: 'siem-send-test', onClick: sendTest, disabled: test?.busy },
        test?.busy ? 'Sending…' : 'Send test event') : null },
      test?.reply ? h('div', { id: 'siem-test-result', role: 'status', class: test.reply.result.written ? 'ok-box' : 'error-box' },
        test.reply.result.written
          ? `Test event ${test.reply.id} written to ${test.reply.result.address} as ${test.reply.result.format} (${test.reply.result.bytes} bytes).`
          : `Test event ${test.reply.id} was not written to ${test.reply.result.address || 'the SIEM'}: ${test.reply.result.error || test.reply.result.message}`)
        : test?.error ? h('div', { id: 'siem-test-result', role: 'alert', class: 'error-box' }, test.error.message) : null,
      status.error ? h(ErrorBox, { error: status.error }) : status.data ? h(Facts, { items: [
        ['Connected', status.data.connected ? 'yes' : 'no'],
        ['Sent', String(status.data.sent)],
        ['Dropped', Object.entries(status.data.dropped || {}).map(([k, n]) => `${k}: ${n}`).join(', ') || '0'],
        ['Reconnects', String(status.data.reconnects)],
        ['Queue', String(status.data.queue_depth)],
        ['Last error', status.data.last_error || 'none'],
      ] }) : h(Loading)));
}

function GeneralTab() {
  const s = useSession();
  const settings = useLoad(() => rpc('SystemService', 'ListSettings', {}), []);
  const [editing, setEditing] = useState(null);
  const rows = (settings.data?.settings || []).filter((x) => !x.key.startsWith('siem.'));
  const current = rows.find((x) => x.key === editing);
  return h('div', { class: 'split' },
    h(Card, { title: 'Settings', id: 'settings-general' },
      settings.error ? h(ErrorBox, { error: settings.error }) : !settings.data ? h(Loading) : h(DataTable, {
        caption: 'Settings',
        rows,
        rowKey: (x) => x.key,
        selected: editing,
        onRowClick: (x) => setEditing(x.key),
        columns: [
          { key: 'key', label: 'Key', render: (x) => h('a', { href: '#/settings?tab=general', id: 'setting-' + x.key.replace(/\./g, '-'),
            onClick: (e) => { e.preventDefault(); setEditing(x.key); } }, x.key) },
          { key: 'value', label: 'Value', render: (x) => h('code', null, x.value === '' ? '""' : x.value) },
          { key: 'is_default', label: '', render: (x) => x.is_default ? h(Badge, null, 'default') : h(Badge, { kind: 'info' }, 'set') },
          { key: 'description', label: 'Description' },
        ],
      })),
    current ? h(Card, { title: current.key, id: 'setting-edit' },
      h(Facts, { items: [
        ['Type', current.type],
        ['Default', current.default_value === '' ? '""' : current.default_value],
        current.allowed?.length ? [current.type === 'bool' || current.type === 'enum' ? 'Allowed' : 'Form', current.allowed.join(', ')] : null,
        ['Last set', current.updated_at ? `${fmtTime(current.updated_at)} by ${current.updated_by}` : 'never'],
      ] }),
      h('p', null, current.description),
      s.can('admin') ? h(Form, {
        id: 'setting',
        key: current.key,
        submitLabel: 'Save',
        disabled: !s.canMutate('admin'),
        disabledReason: 'read-only node',
        initial: { value: current.value },
        fields: [current.type === 'bool' || current.type === 'enum'
          ? { name: 'value', label: 'Value', type: 'select', options: current.allowed.map((a) => [a, a]), aliases: [current.key] }
          : { name: 'value', label: 'Value', aliases: [current.key] }],
        onSubmit: async (v) => {
          await rpc('SystemService', 'UpdateSetting', { key: current.key, value: v.value ?? '' });
          settings.reload();
          return current.key + ' saved.';
        },
      }) : null) : h(Card, { title: 'Edit' }, h('p', { class: 'muted' }, 'Pick a setting to see it in full' + (s.can('admin') ? ' and change it.' : '.'))));
}
