// Certificates: what is stored, what expires soon, importing a PEM pair. Keys go in, never out.
import { h } from '/ui/vendor/preact.js';
import { useState } from '/ui/vendor/hooks.js';
import { rpc } from '../lib/api.js';
import { replaceParams, navigate } from '../lib/router.js';
import {
  Page, Card, Badge, Button, DataTable, Filters, Form, Facts, ErrorBox, Loading, useLoad, useSession, act, fmtTime, pagedList, offsetOf, OffsetPager,
} from '../lib/ui.js';

const DAY = 86_400_000;
const SOON_DAYS = 21;

/** A badge for a certificate that has expired or expires within 21 days; null otherwise. */
export function expiryBadge(notAfter, now = Date.now()) {
  if (!notAfter) return null;
  if (notAfter <= now) return h(Badge, { kind: 'bad' }, 'expired');
  const days = Math.floor((notAfter - now) / DAY);
  if (days < SOON_DAYS) return h(Badge, { kind: 'warn' }, days === 0 ? 'expires today' : 'expires in ' + days + ' d');
  return null;
}

function fmtDay(ms) {
  return ms ? fmtTime(ms).slice(0, 10) : '—';
}

/** The CN of a distinguished name, or the whole name. */
function cn(dn) {
  const m = /(?:^|,)\s*CN=([^,]+)/i.exec(dn || '');
  return m ? m[1] : dn || '—';
}

export function CertificatesPage({ route }) {
  return route.params.name ? h(CertDetail, { name: route.params.name, key: route.params.name }) : h(CertList, { params: route.params });
}

function CertList({ params }) {
  const s = useSession();
  const offset = offsetOf(params);
  const filter = params.filter || '';
  const [importing, setImporting] = useState(false);
  const list = useLoad(() => pagedList('CertificatesService', 'List', 'certificates', { filter, offset }), [filter, offset]);
  const columns = [
    { key: 'name', label: 'Name', class: 'nowrap', render: (c) => h('a', { href: '#/certificates?name=' + encodeURIComponent(c.name), id: 'cert-link-' + c.name }, c.name) },
    { key: 'sans', label: 'Names (SANs)' },
    { key: 'issuer', label: 'Issuer', render: (c) => h('span', { title: c.issuer }, cn(c.issuer)) },
    { key: 'not_after', label: 'Valid until', render: (c) => h('span', { class: 'expiry' }, fmtDay(c.not_after), ' ', expiryBadge(c.not_after)) },
  ];
  const actions = s.can('operator') ? h(Button, { kind: 'primary', id: 'cert-new', disabled: !s.canMutate('operator'),
    'aria-expanded': importing ? 'true' : 'false', onClick: () => setImporting(!importing) }, importing ? 'Close form' : 'Import certificate') : null;
  return h(Page, { title: 'Certificates', actions },
    importing && s.can('operator') ? h(Card, { title: 'Import a certificate', id: 'cert-import-card' },
      h('p', { class: 'muted card-note' }, 'Paste the certificate chain (leaf first) and its unencrypted private key, both PEM. The key is sealed on this node and never shown again.'),
      h(Form, {
        id: 'cert-import',
        fields: [
          { name: 'name', label: 'Name', required: true, placeholder: 'shop-2026', pattern: '[a-z0-9][a-z0-9._-]{0,63}', aliases: ['certificate name'],
            patternMessage: 'Name must be 1-64 characters of a-z, 0-9, ".", "_" or "-"' },
          { name: 'cert_pem', label: 'Certificate chain (PEM)', type: 'textarea', rows: 8, required: true, placeholder: '-----BEGIN CERTIFICATE-----',
            aliases: ['certificate', 'certificate file'] },
          { name: 'key_pem', label: 'Private key (PEM)', type: 'textarea', rows: 6, required: true, placeholder: '-----BEGIN PRIVATE KEY-----',
            aliases: ['key file', 'the private key'] },
        ],
        submitLabel: 'Import',
        disabled: !s.canMutate('operator'),
        disabledReason: 'read-only node',
        onCancel: () => setImporting(false),
        onSubmit: async (v) => {
          const c = await rpc('CertificatesService', 'Import', v);
          navigate('/certificates', { name: c.name });
          return 'Imported ' + c.name + '.';
        },
      })) : null,
    h(Card, null,
      h(Filters, { id: 'cert-filter', fields: [{ name: 'filter', label: 'Name or host name', placeholder: 'shop' }],
        values: { filter }, onApply: (v) => replaceParams({ filter: v.filter }) }),
      list.error ? h(ErrorBox, { error: list.error }) : !list.data ? h(Loading) : [
        h(DataTable, { columns, rows: list.data.items, rowKey: (c) => c.name, caption: 'Certificates',
          empty: filter ? 'No certificate matches "' + filter + '".' : 'No certificates stored.' + (s.can('operator') ? ' Import one, or pin none and let agents use their own.' : '') }),
        h(OffsetPager, { offset, count: list.data.items.length, total: list.data.total, onGo: (o) => replaceParams({ filter, offset: o || undefined }) }),
      ]));
}

function CertDetail({ name }) {
  const s = useSession();
  const cert = useLoad(() => rpc('CertificatesService', 'Get', { name }), [name]);
  const c = cert.data;
  const del = async () => {
    if (await act(() => rpc('CertificatesService', 'Delete', { name }), {
      confirm: { title: 'Delete certificate ' + name + '?', message: 'Its key is destroyed. A site that pins it must be unpinned first.', confirmLabel: 'Delete' },
      ok: 'Deleted certificate ' + name + '.',
    })) navigate('/certificates');
  };
  const actions = [
    h('a', { href: '#/certificates', class: 'btn', id: 'cert-back' }, '← All certificates'),
    s.can('operator') && c ? h(Button, { kind: 'danger', id: 'cert-delete-' + name, disabled: !s.canMutate('operator'), onClick: del }, 'Delete') : null,
  ];
  return h(Page, { title: 'Certificate ' + name, actions },
    cert.error ? h(ErrorBox, { error: cert.error }) : !c ? h(Loading) : h(Card, { title: 'Details', id: 'cert-details', actions: expiryBadge(c.not_after) },
      h(Facts, { items: [
        ['Names (SANs)', (c.sans || []).length ? c.sans.join(', ') : 'none'],
        ['Subject', h('span', { class: 'break' }, c.subject)],
        ['Issuer', h('span', { class: 'break' }, c.issuer)],
        ['Valid from', fmtTime(c.not_before)],
        ['Valid until', h('span', { class: 'expiry' }, fmtTime(c.not_after), ' ', expiryBadge(c.not_after))],
        ['SHA-256', h('span', { class: 'mono break' }, c.fingerprint)],
        ['Chain', c.chain_length + ' certificate' + (c.chain_length === 1 ? '' : 's')],
        ['Imported', fmtTime(c.created_at)],
      ] })));
}
