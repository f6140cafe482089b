// The audit log: every change, newest first, paged by id on the server; one entry's details and
// hashes; and verifying the hash chain (anyone may verify, only admins read the entries).
import { h } from '/ui/vendor/preact.js';
import { useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams, href } from '../lib/router.js';
import { Page, Card, DataTable, Pager, Filters, Facts, Button, ErrorBox, Loading, useLoad, useSession, fmtTime } from '../lib/ui.js';

const LIMIT = 50;

function compact(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out;
}

function pretty(details) {
  if (!details) return '—';
  try {
    return JSON.stringify(JSON.parse(details), null, 2);
  } catch {
    return details;
  }
}

function short(hash) {
  return hash ? hash.slice(0, 12) + '…' : '—';
}

export function AuditPage({ route }) {
  const s = useSession();
  const admin = s.can('admin');
  return h(Page, { title: 'Audit log' },
    h(Verify, { admin, params: route.params }),
    admin ? h(AuditList, { params: route.params }) : h(Card, { title: 'Entries', id: 'audit-no-access' },
      h('p', null, 'Reading the audit log\u2019s entries needs the admin role (you are ', h('strong', null, s.role), '). ',
        'Anyone may verify the chain above: it tells whether any stored entry was altered, removed or reordered.'),
      h('p', { class: 'muted' }, 'An admin can read it here or with ', h('code', null, 'tiyi audit list'), '.')));
}

function Verify({ admin, params }) {
  const [st, setSt] = useState({ busy: false, result: null, error: null });
  const run = async () => {
    setSt({ busy: true, result: null, error: null });
    try {
      setSt({ busy: false, result: await rpc('AuditService', 'VerifyChain', {}), error: null });
    } catch (e) {
      setSt({ busy: false, result: null, error: e });
    }
  };
  const r = st.result;
  let box = null;
  if (r && r.ok) {
    box = h('div', { class: 'ok-box', role: 'status', id: 'audit-verify-result' },
      h('strong', null, 'Chain OK: '), `all ${r.entries} entries verify. `,
      h('span', { class: 'hash' }, 'Head hash ', h('code', null, r.head_hash || '—')));
  } else if (r) {
    const seeIt = admin && r.first_bad_id
      ? [' ', h('a', { href: href('/audit', { before: r.first_bad_id + 1, entry: r.first_bad_id }), id: 'audit-verify-show' }, 'Show entry ' + r.first_bad_id)]
      : null;
    box = h('div', { class: 'error-box', role: 'status', id: 'audit-verify-result' },
      h('strong', null, 'Chain broken at entry ' + r.first_bad_id + ': '), r.problem || 'it does not fit the chain', '. ',
      `The ${r.entries} entries before it verify; the last good hash is `, h('code', { class: 'hash' }, short(r.head_hash)), '.', seeIt);
  } else if (st.error) {
    box = h('div', { class: 'error-box', role: 'status', id: 'audit-verify-result' }, 'Could not verify: ' + (st.error.message || st.error));
  }
  return h(Card, {
    title: 'Integrity', id: 'audit-verify-card',
    actions: h(Button, { kind: 'primary', id: 'audit-verify', onClick: run, disabled: st.busy }, st.busy ? 'Verifying…' : 'Verify chain'),
  },
  h('p', { class: 'muted' }, 'Each entry\u2019s hash covers its fields and the previous entry\u2019s hash. Verifying recomputes the whole chain from this node\u2019s state and names the first entry that no longer fits.'),
  box);
}

function AuditList({ params: p }) {
  const before = p.before ? Number(p.before) : null;
  // The before_ids of the newer pages, so "Newer" can go back: 0 is the newest page.
  const trail = p.trail ? p.trail.split('.').map(Number) : [];
  const filters = { actor: p.actor || '', action: p.action || '', target: p.target || '' };
  const list = useLoad(() => rpc('AuditService', 'List', compact({ limit: LIMIT, before_id: before, ...filters })),
    [before, filters.actor, filters.action, filters.target]);
  const entries = list.data?.entries || [];
  const selected = p.entry ? Number(p.entry) : null;
  const entry = entries.find((e) => e.id === selected);
  const next = list.data && 'next_before_id' in list.data
    ? list.data.next_before_id || null
    : (entries.length === LIMIT ? entries[entries.length - 1].id : null);

  const keep = { actor: p.actor, action: p.action, target: p.target };
  const columns = [
    { key: 'id', label: 'ID', class: 'num', render: (e) => h('a', { href: href('/audit', { ...p, entry: e.id }), id: 'audit-open-' + e.id,
      'aria-label': 'Entry ' + e.id + ' details' }, String(e.id)) },
    // With the detail beside the list: the time of day (the date is in the detail) and no seq.
    { key: 'ts', label: 'Time', render: (e) => h('span', { class: 'nowrap', title: fmtTime(e.ts) }, selected ? fmtTime(e.ts).slice(11) : fmtTime(e.ts)) },
    { key: 'actor', label: 'Actor' },
    { key: 'action', label: 'Action', render: (e) => h('code', null, e.action) },
    { key: 'target', label: 'Target', render: (e) => h('span', { class: selected ? 'clip clip-short' : 'clip', title: e.target }, e.target || '—') },
    selected ? null : { key: 'mutation_seq', label: 'Seq', class: 'num' },
  ].filter(Boolean);
  const table = h(Card, { title: 'Entries', id: 'audit-entries' },
    h(Filters, {
      id: 'audit-filter',
      fields: [
        { name: 'actor', label: 'Actor', placeholder: 'admin' },
        { name: 'action', label: 'Action', placeholder: 'users.create' },
        { name: 'target', label: 'Target', placeholder: 'user:alice' },
      ],
      values: filters,
      onApply: (v) => replaceParams({ actor: v.actor, action: v.action, target: v.target }),
    }),
    h(ErrorBox, { error: list.error }),
    list.data ? h(DataTable, {
      columns, rows: entries, rowKey: (e) => e.id, selected, caption: 'Audit log entries, newest first',
      empty: filters.actor || filters.action || filters.target ? 'No entry matches these filters.' : 'No entries.',
    }) : (list.error ? null : h(Loading)),
    h(Pager, {
      onPrev: before ? () => {
        const t = trail.slice(0, -1);
        const back = trail.length ? trail[trail.length - 1] : 0;
        replaceParams({ ...keep, before: back || undefined, trail: t.length ? t.join('.') : undefined });
      } : null,
      onNext: next ? () => replaceParams({ ...keep, before: next, trail: [...trail, before || 0].join('.') }) : null,
      label: entries.length ? `entries ${entries[0].id}–${entries[entries.length - 1].id}` : null,
    }));

  if (!selected) return table;
  return h('div', { class: 'split' }, table, h(Card, {
    title: 'Entry ' + selected, id: 'audit-detail',
    actions: h('a', { href: href('/audit', { ...p, entry: undefined }), class: 'btn btn-small', id: 'audit-detail-close' }, 'Close'),
  }, entry ? [
    h(Facts, { items: [
      ['Time', fmtTime(entry.ts)],
      ['Actor', entry.actor],
      ['Action', h('code', null, entry.action)],
      ['Target', entry.target],
      ['Mutation seq', entry.mutation_seq == null ? '— (not a replicated change)' : String(entry.mutation_seq)],
      ['Previous hash', h('code', { class: 'hash' }, entry.prev_hash)],
      ['Hash', h('code', { class: 'hash' }, entry.hash)],
    ] }),
    h('h3', { class: 'sub' }, 'Details'),
    h('pre', { id: 'audit-detail-json', class: 'scroll-pre' }, pretty(entry.details)),
  ] : list.data ? h('p', { class: 'muted' }, 'Entry ' + selected + ' is not on this page of the log.', ' ',
    h('a', { href: href('/audit', { before: selected + 1, entry: selected }), id: 'audit-detail-goto' }, 'Go to it')) : h(Loading)));
}
