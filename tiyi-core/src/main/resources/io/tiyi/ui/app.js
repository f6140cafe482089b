// The shell: who is signed in, which node this is, the navigation, and the current page.
import { h } from '/ui/vendor/preact.js';
import { useEffect, useState } from '/ui/vendor/hooks.js';
import { rpc, auth, whenSessionEnds } from './lib/api.js';
import { useRoute } from './lib/router.js';
import { SessionContext, DialogHost, ToastHost, Loading, ErrorBox, useInterval, Button } from './lib/ui.js';
import { LoginPage, PasswordPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { EventsPage } from './pages/events.js';
import { SitesPage } from './pages/sites.js';
import { AgentsPage } from './pages/agents.js';
import { CertificatesPage } from './pages/certificates.js';
import { AlertsPage } from './pages/alerts.js';
import { AuditPage } from './pages/audit.js';
import { ReleasesPage } from './pages/releases.js';
import { UsersPage } from './pages/users.js';
import { SettingsPage } from './pages/settings.js';

/** Every page: its route, its label in the navigation, and the least role that sees it. */
const PAGES = [
  { path: '/overview', label: 'Overview', page: OverviewPage, need: 'viewer' },
  { path: '/events', label: 'Security events', page: EventsPage, need: 'viewer' },
  { path: '/sites', label: 'Sites', page: SitesPage, need: 'viewer' },
  { path: '/agents', label: 'Agents & cluster', page: AgentsPage, need: 'viewer' },
  { path: '/certificates', label: 'Certificates', page: CertificatesPage, need: 'viewer' },
  { path: '/alerts', label: 'Alerts', page: AlertsPage, need: 'viewer' },
  { path: '/audit', label: 'Audit log', page: AuditPage, need: 'viewer' },
  { path: '/releases', label: 'Releases', page: ReleasesPage, need: 'viewer' },
  { path: '/users', label: 'Users', page: UsersPage, need: 'admin' },
  { path: '/settings', label: 'Settings', page: SettingsPage, need: 'viewer' },
];

const ROLES = ['viewer', 'operator', 'admin'];

export function App() {
  const [who, setWho] = useState(undefined);
  const [status, setStatus] = useState(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const route = useRoute();

  const loadWho = () => rpc('AuthService', 'WhoAmI', {}).then(setWho, () => setWho(null));
  const loadStatus = () => rpc('SystemService', 'Status', {}).then(setStatus, () => {});
  useEffect(() => {
    whenSessionEnds(() => setWho(null));
    loadWho();
  }, []);
  useEffect(() => { if (who && !who.must_change_password) loadStatus(); }, [who]);
  useInterval(() => { if (who && !who.must_change_password) loadStatus(); }, 10000);
  useEffect(() => {
    setMenuOpen(false);
    document.getElementById('page-title')?.focus();
  }, [route.path]);

  if (who === undefined) return h(Loading);
  const chrome = (body) => h('div', { class: 'shell-min' }, body, h(ToastHost), h(DialogHost));
  if (who === null) return chrome(h(LoginPage, { onLogin: (s) => setWho({ user: s.user, role: s.role, must_change_password: s.must_change_password }) }));
  if (who.must_change_password) return chrome(h(PasswordPage, { who, onDone: loadWho }));

  const logout = async () => {
    try { await auth.logout(); } catch { /* the cookies are cleared either way */ }
    setWho(null);
    location.hash = '';
  };
  const session = { user: who.user, role: who.role, local: who.local, readOnly: !!status?.read_only, status, reloadStatus: loadStatus };
  const visible = PAGES.filter((p) => ROLES.indexOf(who.role) >= ROLES.indexOf(p.need));
  const current = visible.find((p) => route.path === p.path || route.path.startsWith(p.path + '/'));
  return h(SessionContext.Provider, { value: session },
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h('div', { class: 'shell' + (menuOpen ? ' menu-open' : '') },
      h('header', { class: 'topbar' },
        h('button', { type: 'button', class: 'menu-btn', 'aria-expanded': menuOpen ? 'true' : 'false', 'aria-controls': 'nav',
          onClick: () => setMenuOpen(!menuOpen) }, h('span', { class: 'sr-only' }, 'Menu'), '☰'),
        h('a', { class: 'brand', href: '#/overview' }, h('img', { src: '/ui/app/icon.svg', alt: '' }), 'Tiyi'),
        status ? h('span', { class: 'node-pill', title: 'node ' + status.node_id },
          `${status.role} · epoch ${status.epoch} · ${status.version}`) : null,
        h('span', { class: 'spacer' }),
        h('span', { class: 'who', id: 'who' }, who.user, ' ', h('span', { class: 'muted' }, '(' + who.role + ')')),
        h(Button, { onClick: logout, id: 'logout' }, 'Log out')),
      h('nav', { id: 'nav', class: 'nav', 'aria-label': 'Main' },
        h('ul', null, visible.map((p) => h('li', null,
          h('a', { href: '#' + p.path, 'aria-current': current === p ? 'page' : undefined, id: 'nav-' + p.path.slice(1),
            onClick: () => setMenuOpen(false) }, p.label))))),
      h('main', { id: 'main', class: 'main' },
        status?.read_only ? h(ReadOnlyBanner, { status }) : null,
        current ? h(current.page, { route, key: current.path }) : h(NotFound, { route }))),
    h(ToastHost), h(DialogHost));
}

function ReadOnlyBanner({ status }) {
  const primary = status.primary_api;
  return h('div', { class: 'banner', role: 'status', id: 'readonly-banner' },
    h('strong', null, 'Read-only: '),
    status.role === 'secondary'
      ? ['this is a secondary at epoch ' + status.epoch + '. Changes are made on the primary',
        primary ? [' at ', h('a', { href: primary.replace(/\/+$/, '') + '/' }, primary)] : '', '.']
      : 'this primary takes no changes until an administrator resumes writes (tiyi system resume-writes --yes).');
}

function NotFound({ route }) {
  return h('section', { class: 'page' }, h('h1', { id: 'page-title', tabIndex: -1 }, 'Not found'),
    h(ErrorBox, { error: new Error('There is no page ' + route.path + ', or your role may not see it.') }),
    h('p', null, h('a', { href: '#/overview' }, 'Go to the overview')));
}
