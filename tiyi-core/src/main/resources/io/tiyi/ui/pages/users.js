// Users (admins only; the navigation hides the page from others): the accounts, paged and
// filtered on the server; creating one; changing a role; resetting a password; disabling,
// enabling and deleting.
import { h } from '/ui/vendor/preact.js';
import { rpc } from '../lib/api.js';
import { replaceParams, href } from '../lib/router.js';
import { Page, Card, DataTable, Filters, Form, Facts, Badge, Button, ErrorBox, Loading, useLoad, useSession, act, fmtTime, fmtAgo, OffsetPager } from '../lib/ui.js';

const ROLE_OPTIONS = [['viewer', 'viewer'], ['operator', 'operator'], ['admin', 'admin']];
const ROLE_HELP = 'viewer reads everything; operator also changes sites, WAF policy, certificates and agents; admin also users, settings, releases and the cluster.';
const CREATE_INITIAL = { role: 'viewer' };

function compact(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '' && !(k === 'offset' && v === 0)) out[k] = v;
  }
  return out;
}

function Status({ u }) {
  if (u.disabled) return h(Badge, { kind: 'bad' }, 'disabled');
  if (u.must_change_password) return h(Badge, { kind: 'warn' }, 'must change password');
  return h(Badge, { kind: 'ok' }, 'active');
}

function RoleBadge({ role }) {
  return h(Badge, { kind: role === 'admin' ? 'info' : 'plain' }, role);
}

export function UsersPage({ route }) {
  const s = useSession();
  const p = route.params;
  const offset = Math.max(0, parseInt(p.offset || '0', 10) || 0);
  const users = useLoad(() => rpc('UsersService', 'List', compact({ filter: p.filter, offset })), [p.filter, offset]);
  const rows = users.data?.users || [];
  const total = users.data?.total;
  const sel = p.user ? rows.find((u) => u.name === p.user) : null;

  const columns = [
    { key: 'name', label: 'Name', render: (u) => h('a', { href: href('/users', { ...p, user: u.name }), id: 'user-open-' + u.name },
      u.name, u.name === s.user ? h('span', { class: 'muted' }, ' (you)') : null) },
    { key: 'role', label: 'Role', render: (u) => h(RoleBadge, { role: u.role }) },
    { key: 'disabled', label: 'Status', render: (u) => h(Status, { u }) },
    { key: 'created_at', label: 'Created', render: (u) => h('span', { title: fmtTime(u.created_at) }, fmtAgo(u.created_at)) },
    { key: 'updated_at', label: 'Changed', render: (u) => h('span', { title: fmtTime(u.updated_at) }, fmtAgo(u.updated_at)) },
  ];

  const list = h(Card, { title: total != null ? `Accounts (${total})` : 'Accounts', id: 'users-list' },
    h(Filters, {
      id: 'users-filter',
      fields: [{ name: 'filter', label: 'Name', placeholder: 'part of a name' }],
      values: { filter: p.filter || '' },
      onApply: (v) => replaceParams({ filter: v.filter, user: p.user }),
    }),
    h(ErrorBox, { error: users.error }),
    users.data ? h(DataTable, {
      columns, rows, rowKey: (u) => u.name, selected: p.user, caption: 'User accounts',
      empty: p.filter ? 'No user name contains “' + p.filter + '”.' : 'No users.',
    }) : (users.error ? null : h(Loading)),
    h(OffsetPager, { offset, count: rows.length, total, onGo: (o) => replaceParams({ ...p, offset: o || undefined }) }));

  const side = [];
  if (p.user) {
    side.push(sel ? h(UserPanel, { key: sel.name, u: sel, s, reload: users.reload, close: () => replaceParams({ ...p, user: undefined }) })
      : users.data ? h(Card, { title: p.user, id: 'user-detail' }, h('p', { class: 'muted' }, 'No user named ' + p.user + ' on this page of the list.')) : null);
  }
  side.push(h(CreateUser, { key: 'create', s, onCreated: users.reload }));

  return h(Page, {
    title: 'Users',
    actions: h(Button, { kind: 'primary', id: 'user-new', disabled: !s.canMutate('admin'), onClick: () => {
      if (p.user) replaceParams({ ...p, user: undefined });
      setTimeout(() => document.getElementById('user-create-name')?.focus(), 50);
    } }, 'New user'),
  }, h('div', { class: 'split' }, list, h('div', null, side)));
}

function CreateUser({ s, onCreated }) {
  return h(Card, { title: 'New user', id: 'user-create-card' },
    h(Form, {
      id: 'user-create',
      initial: CREATE_INITIAL,
      submitLabel: 'Create user',
      resetOnSuccess: true,
      disabled: !s.canMutate('admin'),
      disabledReason: 'read-only node',
      fields: [
        { name: 'name', label: 'Name', required: true, autocomplete: 'off', aliases: ['user named', 'user name'],
          help: 'The login name: a-z, 0-9, “.”, “_” or “-”, starting with a letter or digit, at most 64.' },
        { name: 'role', label: 'Role', type: 'select', required: true, default: 'viewer', options: ROLE_OPTIONS, help: ROLE_HELP },
        { name: 'password', label: 'Initial password', type: 'password', required: true, autocomplete: 'new-password',
          help: 'At least 12 characters. Hand it over out of band: the user must replace it with their own at first login.' },
      ],
      onSubmit: async (v) => {
        await rpc('UsersService', 'Create', { name: v.name, role: v.role, password: v.password, require_change: true });
        onCreated();
        return `Created ${v.name} (${v.role}). They must choose a new password at first login.`;
      },
    }));
}

function UserPanel({ u, s, reload, close }) {
  const me = u.name === s.user;
  const can = s.canMutate('admin');
  const toggle = async () => {
    const enable = u.disabled;
    const ok = await act(() => rpc('UsersService', enable ? 'Enable' : 'Disable', { name: u.name }), {
      confirm: enable ? { title: 'Enable ' + u.name + '?', message: u.name + ' can log in again.', confirmLabel: 'Enable', danger: false }
        : { title: 'Disable ' + u.name + '?', message: u.name + ' cannot log in any more and their sessions end at once' + (me ? ' — this is you: you will be signed out' : '') + '. You can enable the account again later.', confirmLabel: 'Disable' },
      ok: (enable ? 'Enabled ' : 'Disabled ') + u.name + '.',
    });
    if (ok) reload();
  };
  const del = async () => {
    const ok = await act(() => rpc('UsersService', 'Delete', { name: u.name }), {
      confirm: { title: 'Delete ' + u.name + '?', message: 'The account ' + u.name + ' is removed for good' + (me ? ' — this is you' : '') + '. Its entries in the audit log stay.', confirmLabel: 'Delete' },
      ok: 'Deleted ' + u.name + '.',
    });
    if (ok) {
      close();
      reload();
    }
  };
  return h(Card, {
    title: 'User ' + u.name, id: 'user-detail',
    actions: h(Button, { kind: 'small', onClick: close, id: 'user-detail-close' }, 'Close'),
  },
  h(Facts, { items: [
    ['Role', h(RoleBadge, { role: u.role })],
    ['Status', h(Status, { u })],
    ['Created', fmtTime(u.created_at)],
    ['Changed', fmtTime(u.updated_at)],
  ] }),
  me ? h('p', { class: 'muted' }, 'This is your own account.') : null,
  h('div', { class: 'top-gap' }),
  h(Form, {
    id: 'user-role',
    initial: u,
    submitLabel: 'Change role',
    disabled: !can,
    disabledReason: 'read-only node',
    fields: [{ name: 'role', label: 'Role', type: 'select', required: true, options: ROLE_OPTIONS, help: ROLE_HELP }],
    onSubmit: async (v) => {
      const r = await rpc('UsersService', 'SetRole', { name: u.name, role: v.role });
      reload();
      return 'Role of ' + u.name + ' is now ' + r.role + '.';
    },
  }),
  h('h3', { class: 'sub' }, 'Reset password'),
  h(Form, {
    id: 'user-password',
    submitLabel: 'Reset password',
    resetOnSuccess: true,
    disabled: !can,
    disabledReason: 'read-only node',
    fields: [{ name: 'password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password',
      help: 'At least 12 characters. ' + u.name + '’s sessions end now, and they must choose their own password at next login.' }],
    onSubmit: async (v) => {
      await rpc('UsersService', 'SetPassword', { name: u.name, password: v.password, require_change: true });
      reload();
      return 'Password of ' + u.name + ' reset; they must change it at next login.';
    },
  }),
  h('h3', { class: 'sub' }, 'Access'),
  h('div', { class: 'form-actions' },
    u.disabled
      ? h(Button, { id: 'user-enable', disabled: !can, onClick: toggle }, 'Enable')
      : h(Button, { kind: 'danger', id: 'user-disable', disabled: !can, onClick: toggle }, 'Disable'),
    h(Button, { kind: 'danger', id: 'user-delete', disabled: !can, onClick: del }, 'Delete')));
}
