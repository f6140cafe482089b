// Sites: the list, and one site's settings, routes, WAF policy, exclusions and upstream health.
import { h } from '/ui/vendor/preact.js';
import { useMemo, useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams, navigate } from '../lib/router.js';
import {
  Page, Card, Badge, Button, DataTable, Filters, Form, Facts, ErrorBox, Loading, useLoad, useSession, act, fmtTime, pagedList, offsetOf, OffsetPager,
} from '../lib/ui.js';

const LB = [['round_robin', 'Round robin'], ['least_conn', 'Least connections']];
const MODES = [['off', 'Off'], ['detect', 'Detect (log only)'], ['block', 'Block']];
const PROFILES = [['standard', 'Standard (CRS with a protocol policy for modern traffic)'], ['crs', 'CRS as it ships']];

export function SitesPage({ route }) {
  return route.params.name ? h(SiteDetail, { name: route.params.name, key: route.params.name }) : h(SiteList, { params: route.params });
}

/** certs: the certificates to pick from, or null when they cannot be listed (then the name is typed). */
function siteFields(certs, edit) {
  const certOptions = [['', '(none: the proxy picks by SNI)'], ...(certs || []).map((c) => [c.name, c.name + (c.sans?.length ? ' — ' + c.sans.join(', ') : '')])];
  return [
    edit ? null : { name: 'name', label: 'Name', required: true, pattern: '[a-z0-9][a-z0-9._-]{0,63}', aliases: ['site name'],
      patternMessage: 'Name must be 1-64 characters of a-z, 0-9, ".", "_" or "-"', placeholder: 'shop' },
    { name: 'hosts', label: 'Hosts', type: 'lines', rows: 3, required: !edit, aliases: ['host', '--host'],
      help: 'One per line: shop.example.com, *.example.com, or * for the default site.' },
    { name: 'upstreams', label: 'Upstreams', type: 'lines', rows: 3, required: !edit, aliases: ['upstream', '--upstream'],
      help: 'One per line: http://host:port or https://host:port, without a path.' },
    { name: 'lb', label: 'Load balancing', type: 'select', options: LB, default: 'round_robin' },
    { name: 'health_path', label: 'Health-check path', placeholder: '/healthz', help: 'Optional: a path the agents probe on each upstream.' },
    certs ? { name: 'certificate', label: 'Certificate', type: 'select', options: certOptions }
      : { name: 'certificate', label: 'Certificate', help: 'Optional: the name of an imported certificate to pin.' },
  ].filter(Boolean);
}

/** The certificates for the site form's select, listed once the form opens; null when they cannot be listed. */
function useCertNames(enabled) {
  const r = useLoad(() => enabled ? pagedList('CertificatesService', 'List', 'certificates', { offset: 0, limit: 1000 })
    .then((x) => x.items) : [], [enabled]);
  return r.error ? null : r.data || [];
}

function SiteList({ params }) {
  const s = useSession();
  const offset = offsetOf(params);
  const filter = params.filter || '';
  const [creating, setCreating] = useState(false);
  const list = useLoad(() => pagedList('SitesService', 'List', 'sites', { filter, offset }), [filter, offset]);
  const certs = useCertNames(creating);
  const columns = [
    { key: 'name', label: 'Name', class: 'nowrap', render: (r) => h('a', { href: '#/sites?name=' + encodeURIComponent(r.name), id: 'site-link-' + r.name }, r.name) },
    { key: 'hosts', label: 'Hosts', render: (r) => stack(r.hosts) },
    { key: 'upstreams', label: 'Upstreams', render: (r) => stack(r.upstreams, 'mono') },
    { key: 'lb', label: 'LB' },
    { key: 'routes', label: 'Routes', class: 'num', render: (r) => String((r.routes || []).length) },
    { key: 'certificate', label: 'Certificate', render: (r) => r.certificate
      ? h('a', { href: '#/certificates?name=' + encodeURIComponent(r.certificate) }, r.certificate) : '—' },
    { key: 'updated_at', label: 'Updated', class: 'nowrap', render: (r) => fmtTime(r.updated_at) },
  ];
  const actions = s.can('operator') ? h(Button, { kind: 'primary', id: 'site-new', disabled: !s.canMutate('operator'),
    'aria-expanded': creating ? 'true' : 'false', onClick: () => setCreating(!creating) }, creating ? 'Close form' : 'New site') : null;
  return h(Page, { title: 'Sites', actions },
    creating && s.can('operator') ? h(Card, { title: 'New site', id: 'site-create-card' },
      h(Form, {
        id: 'site-create',
        fields: siteFields(certs, false),
        submitLabel: 'Create site',
        disabled: !s.canMutate('operator'),
        disabledReason: 'read-only node',
        onCancel: () => setCreating(false),
        onSubmit: async (v) => {
          const site = await rpc('SitesService', 'Create', v);
          navigate('/sites', { name: site.name });
          return 'Created site ' + site.name + '.';
        },
      })) : null,
    h(Card, null,
      h(Filters, { id: 'site-filter', fields: [{ name: 'filter', label: 'Name, host or upstream', placeholder: 'shop' }],
        values: { filter }, onApply: (v) => replaceParams({ filter: v.filter }) }),
      list.error ? h(ErrorBox, { error: list.error }) : !list.data ? h(Loading) : [
        h(DataTable, { columns, rows: list.data.items, rowKey: (r) => r.name, caption: 'Sites',
          empty: filter ? 'No site matches "' + filter + '".' : 'No sites yet.' + (s.can('operator') ? ' Create one with "New site".' : '') }),
        h(OffsetPager, { offset, count: list.data.items.length, total: list.data.total, onGo: (o) => replaceParams({ filter, offset: o || undefined }) }),
      ]));
}

function SiteDetail({ name }) {
  const s = useSession();
  const site = useLoad(() => rpc('SitesService', 'Get', { name }), [name]);
  const pol = useLoad(() => rpc('WafService', 'GetPolicy', { site: name }), [name]);
  const [editing, setEditing] = useState(false);
  const certs = useCertNames(editing);
  const op = s.can('operator');
  const canOp = s.canMutate('operator');
  const del = async () => {
    const ok = await act(() => rpc('SitesService', 'Delete', { name }), {
      confirm: { title: 'Delete site ' + name + '?', message: 'Its routes, WAF policy and exclusions go with it; agents stop serving its hosts with the next bundle.', confirmLabel: 'Delete' },
      ok: 'Deleted site ' + name + '.',
    });
    if (ok) navigate('/sites');
  };
  const actions = [
    h('a', { href: '#/sites', class: 'btn', id: 'site-back' }, '← All sites'),
    op ? h(Button, { id: 'site-edit-' + name, disabled: !canOp, 'aria-expanded': editing ? 'true' : 'false', onClick: () => setEditing(!editing) }, editing ? 'Close editor' : 'Edit') : null,
    op ? h(Button, { kind: 'danger', id: 'site-delete-' + name, disabled: !canOp, onClick: del }, 'Delete') : null,
  ];
  if (site.error) return h(Page, { title: 'Site ' + name, actions: actions[0] }, h(ErrorBox, { error: site.error }));
  if (!site.data) return h(Page, { title: 'Site ' + name, actions: actions[0] }, h(Loading));
  const d = site.data;
  return h(Page, { title: 'Site ' + name, actions },
    editing && op ? h(EditSite, { site: d, certs, onDone: () => { setEditing(false); site.reload(); }, onCancel: () => setEditing(false) }) : null,
    h('div', { class: 'split' },
      h('div', { class: 'split-col' }, h(Card, { title: 'Settings', id: 'site-settings' },
        h(Facts, { items: [
          ['Hosts', stack(d.hosts)],
          ['Upstreams', stack(d.upstreams, 'mono')],
          ['Load balancing', d.lb],
          ['Health-check path', d.health_path ? h('code', null, d.health_path) : 'none'],
          ['Certificate', d.certificate ? h('a', { href: '#/certificates?name=' + encodeURIComponent(d.certificate) }, d.certificate) : 'none (by SNI)'],
          ['Created', fmtTime(d.created_at)],
          ['Updated', fmtTime(d.updated_at)],
          ['Events', h('a', { href: '#/events?site=' + encodeURIComponent(name) }, 'Security events of this site')],
        ] })),
      h(UpstreamHealth, { site: d })),
      h(WafPolicy, { name, pol })),
    h(Routes, { site: d, onChange: site.reload }),
    h(Exclusions, { name, pol }));
}

function EditSite({ site, certs, onDone, onCancel }) {
  const s = useSession();
  const initial = useMemo(() => ({ hosts: site.hosts, upstreams: site.upstreams, lb: site.lb, health_path: site.health_path,
    certificate: site.certificate }), [site]);
  const names = certs && site.certificate && !certs.some((c) => c.name === site.certificate) ? [...certs, { name: site.certificate }] : certs;
  return h(Card, { title: 'Edit ' + site.name, id: 'site-edit-card' },
    h(Form, {
      id: 'site-edit',
      fields: siteFields(names, true),
      initial,
      submitLabel: 'Save site',
      disabled: !s.canMutate('operator'),
      disabledReason: 'read-only node',
      onCancel,
      onSubmit: async (v) => {
        // An empty health path or certificate clears it (null would keep the old one).
        await rpc('SitesService', 'Update', { ...v, name: site.name, health_path: v.health_path ?? '', certificate: v.certificate ?? '' });
        onDone();
        return 'Saved.';
      },
    }));
}

function Routes({ site, onChange }) {
  const s = useSession();
  const op = s.can('operator');
  const remove = async (r) => {
    if (await act(() => rpc('SitesService', 'RemoveRoute', { site: site.name, path_prefix: r.path_prefix }), {
      confirm: { title: 'Remove route ' + r.path_prefix + '?', message: 'Requests under ' + r.path_prefix + ' go to the site\'s default upstreams again.', confirmLabel: 'Remove' },
      ok: 'Removed route ' + r.path_prefix + '.',
    })) onChange();
  };
  const columns = [
    { key: 'path_prefix', label: 'Path prefix', render: (r) => h('code', null, r.path_prefix) },
    { key: 'upstreams', label: 'Upstreams', render: (r) => stack(r.upstreams, 'mono') },
    { key: 'lb', label: 'LB' },
    op ? { key: 'x', label: 'Actions', render: (r) => h(Button, { class: 'btn btn-small', id: 'route-remove-' + slug(r.path_prefix),
      disabled: !s.canMutate('operator'), 'aria-label': 'Remove route ' + r.path_prefix, onClick: () => remove(r) }, 'Remove') } : null,
  ].filter(Boolean);
  return h(Card, { title: 'Routes', id: 'site-routes' },
    h('p', { class: 'muted card-note' }, 'Requests whose path starts with a prefix go to its pool; the longest prefix wins. Others go to the default upstreams.'),
    h(DataTable, { columns, rows: site.routes || [], rowKey: (r) => r.path_prefix, caption: 'Routes', empty: 'No routes: every request goes to the default upstreams.' }),
    op ? h('div', { class: 'subform' },
      h('h3', null, 'Add a route'),
      h('div', { class: 'form-cols' }, h(Form, {
        id: 'route-add',
        fields: [
          { name: 'path_prefix', label: 'Path prefix', required: true, placeholder: '/api/', aliases: ['--path'] },
          { name: 'upstreams', label: 'Upstreams', type: 'lines', rows: 2, required: true, aliases: ['upstream', '--upstream'], help: 'One URL per line.' },
          { name: 'lb', label: 'Load balancing', type: 'select', options: LB, default: 'round_robin' },
        ],
        submitLabel: 'Add route',
        resetOnSuccess: true,
        disabled: !s.canMutate('operator'),
        disabledReason: 'read-only node',
        onSubmit: async (v) => {
          await rpc('SitesService', 'AddRoute', { site: site.name, ...v });
          onChange();
          return 'Added route ' + v.path_prefix + '.';
        },
      }))) : null);
}

/** A list of strings one under the other. */
export function stack(xs, cls) {
  if (!xs || xs.length === 0) return '—';
  return h('span', { class: 'stack' + (cls ? ' ' + cls : '') }, xs.map((x) => h('span', null, x)));
}

function slug(s) {
  return String(s).replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
}

function WafPolicy({ name, pol }) {
  const s = useSession();
  const initial = useMemo(() => pol.data && {
    mode: pol.data.mode, profile: pol.data.stored ? pol.data.profile : 'standard', paranoia: pol.data.paranoia, inbound_threshold: pol.data.inbound_threshold,
    outbound_threshold: pol.data.outbound_threshold, custom_rules: pol.data.custom_rules, strict_bodies: pol.data.strict_bodies !== false,
  }, [pol.data]);
  const p = pol.data;
  const modeKind = p && (p.mode === 'block' ? 'ok' : p.mode === 'detect' ? 'warn' : 'bad');
  return h(Card, { title: 'WAF policy', id: 'site-waf', actions: p ? h(Badge, { kind: modeKind }, p.mode) : null },
    pol.error ? h(ErrorBox, { error: pol.error }) : !p ? h(Loading) : s.can('operator') ? h(Form, {
      id: 'waf-policy',
      initial,
      fields: [
        { name: 'mode', label: 'Mode', type: 'select', options: MODES, aliases: ['--mode'] },
        { name: 'profile', label: 'Profile', type: 'select', options: PROFILES, aliases: ['--profile'],
          help: p.stored ? 'Standard: the CRS with a protocol policy for modern traffic. CRS: the rule set as it ships.'
            : 'This site runs the CRS as it ships until its policy is first saved; Standard adds a protocol policy for modern traffic.' },
        { name: 'paranoia', label: 'Paranoia level', type: 'select', options: [['1', '1 (fewest false positives)'], ['2', '2'], ['3', '3'], ['4', '4 (strictest)']], aliases: ['--paranoia'] },
        { name: 'inbound_threshold', label: 'Inbound anomaly threshold', type: 'number', min: 1, max: 10000, required: true, aliases: ['anomaly thresholds', 'inbound'] },
        { name: 'outbound_threshold', label: 'Outbound anomaly threshold', type: 'number', min: 1, max: 10000, required: true, aliases: ['outbound'] },
        { name: 'strict_bodies', label: 'Refuse bodies the WAF cannot parse', type: 'checkbox', aliases: ['--strict-bodies', 'strict bodies'],
          help: 'Also bodies over the waf.limits settings. Refused in block mode, reported in detect mode; unchecked, only the rules decide.' },
        { name: 'custom_rules', label: 'Custom rules (SecLang)', type: 'textarea', rows: 4, placeholder: 'SecRule REQUEST_URI "@beginsWith /admin" "id:100001,phase:1,deny,status:403"', help: 'Optional; compiled before it is saved.' },
      ],
      submitLabel: 'Save policy',
      disabled: !s.canMutate('operator'),
      disabledReason: 'read-only node',
      onSubmit: async (v) => {
        await rpc('WafService', 'SetPolicy', { site: name, mode: v.mode, profile: v.profile, paranoia: Number(v.paranoia), inbound_threshold: v.inbound_threshold,
          outbound_threshold: v.outbound_threshold, custom_rules: v.custom_rules ?? '', strict_bodies: !!v.strict_bodies });
        pol.reload();
        return 'Policy saved.';
      },
    }) : h(Facts, { items: [
      ['Mode', p.mode],
      ['Profile', p.profile === 'standard' ? 'Standard' : 'CRS as it ships'],
      ['Paranoia level', String(p.paranoia)],
      ['Inbound threshold', String(p.inbound_threshold)],
      ['Outbound threshold', String(p.outbound_threshold)],
      ['Refuse bodies the WAF cannot parse', p.strict_bodies === false ? 'no' : 'yes'],
      ['Custom rules', p.custom_rules ? h('pre', null, p.custom_rules) : 'none'],
    ] }));
}

function Exclusions({ name, pol }) {
  const s = useSession();
  const op = s.can('operator');
  const remove = async (x) => {
    if (await act(() => rpc('WafService', 'RemoveExclusion', { site: name, id: x.id }), {
      confirm: { title: 'Remove exclusion ' + x.id + '?', message: 'The excluded rule' + (x.tag ? 's tagged ' + x.tag : ' ' + x.rule_id) + ' apply again.', confirmLabel: 'Remove' },
      ok: 'Removed exclusion ' + x.id + '.',
    })) pol.reload();
  };
  const columns = [
    { key: 'id', label: 'ID', class: 'num' },
    { key: 'rule_id', label: 'Rule or tag', render: (x) => x.tag ? h(Badge, { kind: 'info' }, 'tag ' + x.tag)
      : h('a', { href: '#/events?rule=' + x.rule_id }, String(x.rule_id)) },
    { key: 'path_prefix', label: 'Path prefix', render: (x) => x.path_prefix ? h('code', null, x.path_prefix) : 'any' },
    { key: 'method', label: 'Method', render: (x) => x.method || 'any' },
    { key: 'target', label: 'Target', render: (x) => x.target ? h('code', null, x.target) : 'whole rule' },
    op ? { key: 'x', label: 'Actions', render: (x) => h(Button, { class: 'btn btn-small', id: 'exclusion-remove-' + x.id,
      disabled: !s.canMutate('operator'), 'aria-label': 'Remove exclusion ' + x.id, onClick: () => remove(x) }, 'Remove') } : null,
  ].filter(Boolean);
  return h(Card, { title: 'WAF exclusions', id: 'site-exclusions' },
    h('p', { class: 'muted card-note' }, 'Turn off a rule, or every rule with a tag, for this site, optionally only under a path, for a method, or for one variable.'),
    pol.error ? h(ErrorBox, { error: pol.error }) : !pol.data ? h(Loading)
      : h(DataTable, { columns, rows: pol.data.exclusions || [], rowKey: (x) => x.id, caption: 'Exclusions', empty: 'No exclusions: every rule applies.' }),
    op ? h('div', { class: 'subform' },
      h('h3', null, 'Add an exclusion'),
      h('div', { class: 'form-cols' }, h(Form, {
        id: 'exclusion-add',
        fields: [
          { name: 'rule_id', label: 'Rule ID', type: 'number', min: 1, placeholder: '942100', aliases: ['--rule', 'rule'], help: 'A rule ID, or a tag below (not both).' },
          { name: 'tag', label: 'Tag', placeholder: 'attack-sqli', aliases: ['--tag'] },
          { name: 'path_prefix', label: 'Path prefix', placeholder: '/search', aliases: ['--path'] },
          { name: 'method', label: 'Method', placeholder: 'POST', aliases: ['--method'] },
          { name: 'target', label: 'Target variable', placeholder: 'ARGS:q', aliases: ['--target'] },
        ],
        submitLabel: 'Add exclusion',
        resetOnSuccess: true,
        disabled: !s.canMutate('operator'),
        disabledReason: 'read-only node',
        onSubmit: async (v) => {
          if (v.rule_id == null && !v.tag) throw new Error('Give a rule ID or a tag.');
          await rpc('WafService', 'AddExclusion', { site: name, ...v });
          pol.reload();
          return 'Exclusion added.';
        },
      }))) : null);
}

/** Per upstream target of the site: how many agents see it healthy or not (from their reports). */
function UpstreamHealth({ site }) {
  const agents = useLoad(() => pagedList('AgentsService', 'List', 'agents', { offset: 0, limit: 1000 }), []);
  let body;
  if (agents.error) body = h(ErrorBox, { error: agents.error });
  else if (!agents.data) body = h(Loading);
  else {
    const live = agents.data.items.filter((a) => !a.revoked);
    const reporting = live.filter((a) => Array.isArray(a.upstreams));
    const rows = new Map();
    const add = (route, target) => {
      const k = (route || '') + ' ' + target;
      if (!rows.has(k)) rows.set(k, { route: route || '', target, healthy: 0, unhealthy: 0, ejected: 0, inflight: 0 });
      return rows.get(k);
    };
    for (const t of site.upstreams || []) add('', t);
    for (const r of site.routes || []) for (const t of r.upstreams || []) add(r.path_prefix, t);
    for (const a of reporting) {
      for (const u of a.upstreams) {
        if (u.site !== site.name) continue;
        const row = add(u.route, u.target);
        if (u.healthy) row.healthy++; else row.unhealthy++;
        if (u.ejected) row.ejected++;
        row.inflight += u.inflight || 0;
      }
    }
    const columns = [
      { key: 'route', label: 'Pool', render: (r) => r.route ? h('code', null, r.route) : 'default' },
      { key: 'target', label: 'Target', render: (r) => h('span', { class: 'mono' }, r.target) },
      { key: 'healthy', label: 'Healthy', class: 'num', render: (r) => r.healthy ? h(Badge, { kind: 'ok' }, String(r.healthy)) : '0' },
      { key: 'unhealthy', label: 'Unhealthy', class: 'num', render: (r) => r.unhealthy ? h(Badge, { kind: 'bad' }, String(r.unhealthy)) : '0' },
      { key: 'ejected', label: 'Ejected', class: 'num', render: (r) => String(r.ejected) },
      { key: 'inflight', label: 'In flight', class: 'num', render: (r) => String(r.inflight) },
    ];
    body = [
      live.length === 0 ? h('p', { class: 'muted card-note' }, 'No agents are enrolled, so no one reports on these upstreams yet.')
        : reporting.length === 0 ? h('p', { class: 'muted card-note' }, 'None of the ' + live.length + ' agents reports upstream health (agents older than this control plane do not).')
          : h('p', { class: 'muted card-note' }, 'How many agents see each target healthy, unhealthy or ejected, as ' + reporting.length + ' of ' + live.length + ' agents report.'),
      h(DataTable, { columns, rows: [...rows.values()], rowKey: (r) => r.route + ' ' + r.target, caption: 'Upstream health' }),
    ];
  }
  return h(Card, { title: 'Upstream health', id: 'site-upstream-health', actions: h(Button, { class: 'btn btn-small', onClick: agents.reload, 'aria-label': 'Refresh upstream health' }, 'Refresh') }, body);
}
