// The overview a security team keeps open: traffic and blocks per site, top rules and clients,
// the fleet's health and this node's place in the cluster. Refreshes every 15 s.
import { h } from '/ui/vendor/preact.js';
import { useEffect, useRef } from '/ui/vendor/hooks.js';
import uPlot from '/ui/vendor/uplot.js';
import { rpc } from '../lib/api.js';
import { replaceParams } from '../lib/router.js';
import { Page, Card, Badge, DataTable, ErrorBox, Loading, useLoad, useInterval, fmtTime, pagedList } from '../lib/ui.js';
import { agentHealthy } from './agents.js';

const RANGES = [['1h', 3_600_000], ['6h', 6 * 3_600_000], ['24h', 24 * 3_600_000], ['7d', 7 * 24 * 3_600_000]];
const COLORS = ['#1f6feb', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7ea4', '#57606a'];
const REFRESH_MS = 15000;

function fmtCount(n) {
  if (n == null) return '—';
  if (n >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
  return String(n);
}

function pct(part, whole) {
  if (!whole) return '';
  const p = (100 * part) / whole;
  return (p > 0 && p < 0.1 ? '<0.1' : p.toFixed(1).replace(/\.0$/, '')) + '%';
}

function statsError(e) {
  if (e && e.code === 'unimplemented') return new Error('This node does not serve traffic statistics (EventsService/Stats): ' + e.message);
  return e;
}

export function OverviewPage({ route }) {
  const range = RANGES.find(([k]) => k === route.params.range) ? route.params.range : '1h';
  const span = RANGES.find(([k]) => k === range)[1];
  const stats = useLoad(() => {
    const until = Date.now();
    return rpc('EventsService', 'Stats', { from_ms: until - span, until_ms: until, buckets: 60 }).catch((e) => { throw statsError(e); });
  }, [span]);
  const agents = useLoad(() => pagedList('AgentsService', 'List', 'agents', { offset: 0, limit: 1000 }), []);
  const status = useLoad(() => rpc('SystemService', 'Status', {}), []);
  useInterval(() => { stats.reload(); agents.reload(); status.reload(); }, REFRESH_MS);

  const picker = h('div', { class: 'range', role: 'group', 'aria-label': 'Time range' },
    RANGES.map(([k]) => h('button', {
      type: 'button', class: 'btn btn-small' + (k === range ? ' active' : ''), 'aria-pressed': k === range ? 'true' : 'false',
      id: 'overview-range-' + k, onClick: () => replaceParams({ ...route.params, range: k === '1h' ? undefined : k }),
    }, k)));
  const sd = stats.data;
  return h(Page, { title: 'Overview', actions: picker },
    h('div', { class: 'grid overview-stats' },
      h(StatCard, { id: 'overview-requests', label: 'Requests', value: sd?.requests, error: stats.error, sub: 'in the last ' + range }),
      h(StatCard, { id: 'overview-blocked', label: 'Blocked', value: sd?.blocked, error: stats.error, kind: 'bad',
        sub: sd ? pct(sd.blocked, sd.requests) + (sd.requests ? ' of requests' : '') : null }),
      h(StatCard, { id: 'overview-detected', label: 'Detected', value: sd?.detected, error: stats.error, kind: 'warn',
        sub: 'matched, not blocked' }),
      h(AgentsCard, { agents }),
      h(ClusterCard, { status })),
    h(Card, { title: 'Requests and blocks per site', id: 'overview-traffic',
      actions: sd ? h('span', { class: 'muted small' }, 'per ' + bucketText(sd.bucket_ms) + ' · updated ' + fmtTime(sd.until_ms).slice(11)) : null },
    stats.error ? h(ErrorBox, { error: stats.error }) : !sd ? h(Loading)
      : (sd.sites || []).length === 0 ? h('p', { class: 'muted empty' }, 'No traffic in the last ' + range + '.')
        : h(TrafficChart, { stats: sd })),
    h('div', { class: 'grid overview-tops' },
      h(Card, { title: 'Top rules', id: 'overview-top-rules' },
        stats.error ? h('p', { class: 'muted' }, 'Unavailable: see the error above.') : !sd ? h(Loading) : h(DataTable, {
          caption: 'Rules that matched most',
          columns: [
            { key: 'rule_id', label: 'Rule', render: (r) => h('a', { href: '#/events?rule=' + encodeURIComponent(r.rule_id), class: 'mono' }, String(r.rule_id)) },
            { key: 'message', label: 'Message', class: 'wrap' },
            { key: 'count', label: 'Matches', class: 'num', render: (r) => fmtCount(r.count) },
          ],
          rows: sd.top_rules || [], rowKey: (r) => r.rule_id, empty: 'No rule matched in the last ' + range + '.',
        })),
      h(Card, { title: 'Top client IPs', id: 'overview-top-clients' },
        stats.error ? h('p', { class: 'muted' }, 'Unavailable: see the error above.') : !sd ? h(Loading) : h(DataTable, {
          caption: 'Clients with most requests',
          columns: [
            { key: 'client_ip', label: 'Client', render: (r) => h('a', { href: '#/events?client_ip=' + encodeURIComponent(r.client_ip), class: 'mono' }, r.client_ip) },
            { key: 'requests', label: 'Requests', class: 'num', render: (r) => fmtCount(r.requests) },
            { key: 'blocked', label: 'Blocked', class: 'num', render: (r) => r.blocked ? h(Badge, { kind: 'bad' }, fmtCount(r.blocked)) : '0' },
          ],
          rows: sd.top_clients || [], rowKey: (r) => r.client_ip, empty: 'No requests in the last ' + range + '.',
        }))));
}

function bucketText(ms) {
  if (!ms) return '—';
  if (ms % 86_400_000 === 0) return ms / 86_400_000 + ' d';
  if (ms % 3_600_000 === 0) return ms / 3_600_000 + ' h';
  if (ms % 60_000 === 0) return ms / 60_000 + ' min';
  return Math.round(ms / 1000) + ' s';
}

function StatCard({ id, label, value, sub, error, kind }) {
  return h('div', { class: 'card stat-card' + (kind ? ' stat-' + kind : ''), id },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat' }, error ? '—' : value == null ? '…' : fmtCount(value)),
    sub && !error ? h('div', { class: 'muted small' }, sub) : error ? h('div', { class: 'muted small' }, 'unavailable') : null);
}

function AgentsCard({ agents }) {
  let body;
  if (agents.error) body = h(ErrorBox, { error: agents.error });
  else if (!agents.data) body = h('div', { class: 'stat' }, '…');
  else {
    const now = Date.now();
    const live = agents.data.items.filter((a) => !a.revoked);
    const ok = live.filter((a) => agentHealthy(a, now)).length;
    const bad = live.length - ok;
    body = [
      h('div', { class: 'stat' }, h('span', { class: 'ok-text' }, String(ok)), h('span', { class: 'muted stat-sep' }, ' / '),
        h('span', { class: bad ? 'bad-text' : 'muted' }, String(bad))),
      h('div', { class: 'muted small' }, live.length === 0 ? 'no agents enrolled' : 'healthy / unhealthy'
        + (agents.data.total > agents.data.items.length ? ' (first ' + agents.data.items.length + ' of ' + agents.data.total + ')' : '')),
    ];
  }
  return h('div', { class: 'card stat-card', id: 'overview-agents' },
    h('div', { class: 'stat-label' }, h('a', { href: '#/agents' }, 'Agents')), body);
}

function ClusterCard({ status }) {
  const d = status.data;
  return h('div', { class: 'card stat-card', id: 'overview-cluster' },
    h('div', { class: 'stat-label' }, h('a', { href: '#/agents' }, 'This node')),
    status.error ? h(ErrorBox, { error: status.error }) : !d ? h('div', { class: 'stat' }, '…') : [
      h('div', { class: 'stat' }, d.role, ' ', d.read_only ? h(Badge, { kind: 'warn' }, 'read-only') : null),
      h('div', { class: 'muted small' }, 'epoch ' + d.epoch + ' · seq ' + d.last_seq
        + (d.role === 'secondary' ? ' · lag ' + d.lag : '') + ' · ' + d.version),
      d.primary_api && d.role !== 'primary' ? h('div', { class: 'small' }, 'primary ', h('a', { href: d.primary_api.replace(/\/+$/, '') + '/' }, d.primary_api)) : null,
    ]);
}

/** uPlot wants [xs, ...ys]: one requests and one blocked series per site. */
function chartData(stats) {
  const sites = stats.sites || [];
  const n = Math.max(0, ...sites.map((s) => Math.max((s.requests || []).length, (s.blocked || []).length)));
  const xs = Array.from({ length: n }, (_, i) => (stats.from_ms + i * stats.bucket_ms) / 1000);
  const ys = [];
  for (const s of sites) {
    ys.push(Array.from({ length: n }, (_, i) => s.requests?.[i] ?? 0));
    ys.push(Array.from({ length: n }, (_, i) => s.blocked?.[i] ?? 0));
  }
  return [xs, ...ys];
}

function chartOpts(sites, width) {
  const series = [{}];
  sites.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    series.push({ label: s.site + ' requests', stroke: color, width: 2, points: { show: false }, value: (u, v) => v == null ? '—' : fmtCount(v) });
    series.push({ label: s.site + ' blocked', stroke: color, width: 2, points: { show: false }, dash: [6, 4], fill: color + '1a', value: (u, v) => v == null ? '—' : fmtCount(v) });
  });
  const axis = { stroke: '#59636e', grid: { stroke: '#d1d9e0', width: 1 }, ticks: { stroke: '#d1d9e0', width: 1 } };
  return {
    width, height: 260, series,
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [axis, { ...axis, size: 48, values: (u, vals) => vals.map(fmtCount) }],
    legend: { live: true },
    cursor: { points: { size: 7 } },
  };
}

function TrafficChart({ stats }) {
  const box = useRef(null);
  const plot = useRef(null);
  const sitesKey = (stats.sites || []).map((s) => s.site).join('\n');
  // One chart per set of sites; new numbers only replace its data.
  useEffect(() => {
    const el = box.current;
    const u = new uPlot(chartOpts(stats.sites || [], Math.max(200, el.clientWidth)), chartData(stats), el);
    plot.current = u;
    let last = el.clientWidth;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== last) {
        last = w;
        u.setSize({ width: w, height: 260 });
      }
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [sitesKey]);
  useEffect(() => { plot.current?.setData(chartData(stats)); }, [stats]);
  const total = (stats.sites || []).length;
  return h('div', { class: 'chart', ref: box, role: 'img', id: 'overview-chart',
    'aria-label': 'Requests (solid) and blocked requests (dashed) over time for ' + total + ' site' + (total === 1 ? '' : 's') });
}
