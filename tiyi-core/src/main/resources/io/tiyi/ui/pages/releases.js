// Releases: what was imported (importing stays a CLI job: the tarball is tens of MiB), applying
// one to a wave of agents, rolling agents back, and the rollouts with each agent's state.
import { h } from '/ui/vendor/preact.js';
import { useMemo, useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams, href } from '../lib/router.js';
import {
  Page, Card, DataTable, Form, Facts, Badge, Button, ErrorBox, Loading,
  useLoad, useInterval, useSession, act, confirmAction, fmtTime, fmtAgo, fmtBytes, OffsetPager } from '../lib/ui.js';

const IMPORT = 'tiyi release import --tarball tiyi-<version>.tar.gz';
const STATE_KIND = { pending: 'plain', downloading: 'info', verified: 'info', restarting: 'warn', healthy: 'ok', failed: 'bad' };
const FINAL = ['healthy', 'failed'];

function compact(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '' && !(k === 'offset' && v === 0)) out[k] = v;
  }
  return out;
}

function platforms(rel) {
  return (rel.artifacts || []).map((a) => (a.os === 'any' && a.arch === 'any' ? 'any' : a.os + '/' + a.arch)).join(', ') || '—';
}

/** The manifest's build time (ISO 8601) as the other times on the page. */
function built(iso) {
  const t = Date.parse(iso || '');
  return Number.isNaN(t) ? iso || '—' : fmtTime(t);
}

function ImportHelp({ first }) {
  return h('div', { class: first ? 'empty-state' : 'help-line', id: first ? 'releases-empty' : undefined },
    first ? h('p', null, h('strong', null, 'No release imported yet.'), ' A release is a tarball made by ', h('code', null, 'tiyi release package'),
      ' (or the build’s tiyi-<version>.tar.gz). Import it on the primary with the CLI, as an admin:') : h('span', { class: 'muted' }, 'Import another release with the CLI: '),
    first ? h('pre', { id: 'releases-import-cmd' }, IMPORT) : h('code', null, IMPORT),
    first ? h('p', { class: 'muted' }, 'The import checks the manifest and every artifact’s size and checksum; the release then shows up here.') : null);
}

export function ReleasesPage({ route }) {
  const s = useSession();
  const p = route.params;
  const offset = Math.max(0, parseInt(p.offset || '0', 10) || 0);
  const runsLimit = Math.min(1000, Math.max(1, parseInt(p.runs || '20', 10) || 20));
  const releases = useLoad(() => rpc('ReleasesService', 'List', compact({ offset })), [offset]);
  const runs = useLoad(() => rpc('ReleasesService', 'Runs', { limit: runsLimit }), [runsLimit]);
  const busy = (runs.data?.runs || []).some((r) => r.agents.some((a) => !FINAL.includes(a.state)));
  useInterval(() => { if (busy) runs.reload(); }, 3000);

  const rows = releases.data?.releases || [];
  const total = releases.data?.total;
  const sel = rows.find((r) => r.id === p.release);

  const columns = [
    { key: 'version', label: 'Version', render: (r) => h('a', { href: href('/releases', { ...p, release: r.id }), id: 'release-open-' + r.version,
      title: r.id }, r.version) },
    { key: 'created', label: 'Built', render: (r) => h('span', { class: 'nowrap' }, built(r.created)) },
    { key: 'artifacts', label: 'Platforms', render: platforms },
    { key: 'imported_at', label: 'Imported', render: (r) => h('span', { title: fmtTime(r.imported_at) }, fmtAgo(r.imported_at) + ' by ' + (r.imported_by || '?')) },
  ];

  const list = h(Card, { title: 'Releases', id: 'releases-list' },
    h(ErrorBox, { error: releases.error }),
    releases.data ? (rows.length || offset
      ? [h(DataTable, { columns, rows, rowKey: (r) => r.id, selected: p.release, caption: 'Imported releases' }),
        h(OffsetPager, { offset, count: rows.length, total, onGo: (o) => replaceParams({ ...p, offset: o || undefined }) }),
        s.can('admin') ? h(ImportHelp, { first: false }) : null]
      : h(ImportHelp, { first: true })) : (releases.error ? null : h(Loading)));

  const detail = sel ? h(Card, {
    title: 'Release ' + sel.version, id: 'release-detail',
    actions: h('a', { href: href('/releases', { ...p, release: undefined }), class: 'btn btn-small' }, 'Close'),
  },
  h(Facts, { items: [['ID', h('code', null, sel.id)], ['Built', built(sel.created)], ['Imported', fmtTime(sel.imported_at) + ' by ' + (sel.imported_by || '?')]] }),
  h('h3', { class: 'sub' }, 'Artifacts'),
  h(DataTable, {
    caption: 'Artifacts', rows: sel.artifacts, rowKey: (a) => a.sha256,
    columns: [
      { key: 'name', label: 'Name' },
      { key: 'os', label: 'OS/arch', render: (a) => a.os + '/' + a.arch },
      { key: 'size', label: 'Size', class: 'num', render: (a) => fmtBytes(a.size) },
      { key: 'sha256', label: 'SHA-256', render: (a) => h('code', { class: 'hash' }, a.sha256) },
    ],
  })) : null;

  const wave = s.can('admin') && rows.length ? h(Wave, { s, releases: rows, preset: p.release, onStarted: runs.reload }) : null;
  return h(Page, { title: 'Releases' },
    detail || wave ? h('div', { class: 'split' }, list, h('div', null, detail, wave)) : list,
    h(Card, {
      title: 'Rollouts', id: 'releases-runs',
      actions: h(Button, { kind: 'small', id: 'releases-runs-refresh', onClick: runs.reload }, 'Refresh'),
    },
    h(ErrorBox, { error: runs.error }),
    runs.data ? h(Runs, { runs: runs.data.runs }) : (runs.error ? null : h(Loading)),
    runs.data && runs.data.runs.length >= runsLimit && runsLimit < 1000
      ? h('div', { class: 'pager' }, h(Button, { id: 'releases-runs-more', onClick: () => replaceParams({ ...p, runs: Math.min(1000, runsLimit * 2) }) }, 'Show older rollouts'))
      : null));
}

/** Apply a release to chosen agents (none = all that match), or roll chosen agents back. */
function Wave({ s, releases, preset, onStarted }) {
  const agents = useLoad(() => rpc('AgentsService', 'List', { limit: 1000 }), []);
  const [picked, setPicked] = useState([]);
  const list = (agents.data?.agents || []).filter((a) => !a.revoked);
  const enabled = s.canMutate('admin');
  const toggle = (id, on) => setPicked((xs) => (on ? [...xs.filter((x) => x !== id), id] : xs.filter((x) => x !== id)));
  const who = picked.length ? picked.length + ' selected agent' + (picked.length > 1 ? 's' : '') + ' (' + picked.join(', ') + ')' : null;
  // Form resets to initial whenever initial changes: keep it the same object until the list or the preset changes.
  const initial = useMemo(() => ({ release: preset && releases.some((r) => r.id === preset) ? preset : releases[0].id }), [preset, releases]);

  const rollback = async () => {
    const ok = await act(() => rpc('ReleasesService', 'Rollback', { agent_ids: picked }), {
      confirm: {
        title: 'Roll back agents?',
        message: (who ? 'Point ' + who : 'Point every agent whose last rollout was an upgrade') + ' back at the binary it ran before its last upgrade. Each agent restarts, one at a time.',
        confirmLabel: 'Roll back',
      },
      ok: (r) => 'Rollback ' + r.id + ' started for ' + r.agents.length + ' agent(s).',
    });
    if (ok) onStarted();
  };

  return h(Card, { title: 'Apply to a wave', id: 'releases-wave' },
    h('p', { class: 'muted' }, 'Pick the agents of this wave. With none picked, every standalone agent the release has an artifact for is upgraded, except those already on it or still in a rollout. One agent at a time; a failure stops the rollout.'),
    h(ErrorBox, { error: agents.error }),
    agents.data ? (list.length ? h('fieldset', { class: 'agent-pick', id: 'releases-agents', disabled: !enabled },
      h('legend', null, 'Agents'),
      list.map((a) => {
        const embedded = a.tag === 'embedded';
        const id = 'release-agent-' + a.id;
        return h('div', { class: 'pick', key: a.id },
          h('input', { type: 'checkbox', id, checked: picked.includes(a.id), disabled: embedded, onChange: (e) => toggle(a.id, e.target.checked) }),
          h('label', { for: id },
            h('code', null, a.id), a.tag ? ' ' + a.tag : '', ' ',
            h('span', { class: 'muted' }, [a.binary_version || 'version unknown', a.os && a.arch ? a.os + '/' + a.arch : null, a.health].filter(Boolean).join(' · ')),
            embedded ? h('span', { class: 'muted' }, ' — runs inside its control-plane node: upgrade the node') : null));
      })) : h('p', { class: 'muted empty', id: 'releases-no-agents' }, 'No enrolled agent.')) : (agents.error ? null : h(Loading)),
    h(Form, {
      id: 'release-apply',
      initial,
      submitLabel: 'Apply release',
      disabled: !enabled,
      disabledReason: 'read-only node',
      fields: [{ name: 'release', label: 'Release', type: 'select', required: true, options: releases.map((r) => [r.id, r.version + ' (' + r.id + ')']) }],
      onSubmit: async (v) => {
        const rel = releases.find((r) => r.id === v.release);
        const yes = await confirmAction('Apply ' + (rel ? rel.version : v.release) + '?',
          'Upgrade ' + (who || 'every matching standalone agent') + ' to ' + (rel ? rel.version : v.release) + '. Each agent downloads, verifies and restarts into the new binary, one at a time.',
          { confirmLabel: 'Apply', danger: false });
        if (!yes) return 'Not applied.';
        const r = await rpc('ReleasesService', 'Apply', { release: v.release, agent_ids: picked });
        onStarted();
        return 'Rollout ' + r.id + ' started for ' + r.agents.length + ' agent(s).';
      },
    }),
    h('div', { class: 'form-actions top-gap' },
      h(Button, { kind: 'danger', id: 'release-rollback', disabled: !enabled, onClick: rollback }, picked.length ? 'Roll back selected' : 'Roll back all upgraded'),
      h('span', { class: 'muted' }, 'Points agents back at the binary they ran before their last upgrade.')));
}

function Runs({ runs }) {
  if (!runs.length) return h('p', { class: 'muted empty', id: 'releases-runs-empty' }, 'No rollout yet. Applying a release to a wave starts one.');
  return h('div', { id: 'releases-runs-list' }, runs.map((r) => h('div', { class: 'run', key: r.id, id: 'release-run-' + r.id },
    h('div', { class: 'run-head' },
      h('strong', null, 'Rollout ' + r.id),
      h(Badge, { kind: r.kind === 'rollback' ? 'warn' : 'info' }, r.kind),
      r.version ? h('span', null, 'to ', h('strong', null, r.version)) : null,
      h('span', { class: 'muted' }, fmtTime(r.created_at) + ' by ' + (r.created_by || '?'))),
    h(DataTable, {
      caption: 'Agents of rollout ' + r.id, rows: r.agents, rowKey: (a) => a.agent_id,
      columns: [
        { key: 'agent_id', label: 'Agent', render: (a) => h('code', { class: 'nowrap' }, a.agent_id) },
        { key: 'state', label: 'State', render: (a) => h(Badge, { kind: STATE_KIND[a.state] || 'plain' }, a.state) },
        { key: 'from_version', label: 'From → to', render: (a) => h('span', { class: 'nowrap' }, (a.from_version || '?') + ' → ' + (a.to_version || '?')) },
        { key: 'reported_version', label: 'Runs now' },
        { key: 'reason', label: 'Reason', render: (a) => a.reason || '—' },
        { key: 'updated_at', label: 'Updated', render: (a) => h('span', { title: fmtTime(a.updated_at) }, fmtAgo(a.updated_at)) },
      ],
    }))));
}
