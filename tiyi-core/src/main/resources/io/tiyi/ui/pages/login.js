import { h } from '/ui/vendor/preact.js';
import { rpc, auth } from '../lib/api.js';
import { Form } from '../lib/ui.js';

export function LoginPage({ onLogin }) {
  return h('main', { class: 'login', id: 'main' },
    h('div', { class: 'login-card' },
      h('h1', { id: 'page-title' }, h('img', { src: '/ui/app/icon.svg', alt: '' }), ' Tiyi'),
      h('p', { class: 'muted' }, 'Sign in to this control-plane node.'),
      h(Form, {
        id: 'login',
        submitLabel: 'Log in',
        fields: [
          { name: 'user', label: 'User name', required: true, autocomplete: 'username' },
          { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
        ],
        onSubmit: async (v) => {
          const s = await auth.login(v.user, v.password);
          onLogin(s);
          return 'Signed in.';
        },
      })));
}

export function PasswordPage({ who, onDone }) {
  return h('main', { class: 'login', id: 'main' },
    h('div', { class: 'login-card' },
      h('h1', { id: 'page-title' }, 'Choose a new password'),
      h('p', null, `The password of ${who.user} was set by someone else (bootstrap or reset). Set your own before going on.`),
      h(Form, {
        id: 'password',
        submitLabel: 'Set password',
        fields: [
          { name: 'password', label: 'New password', type: 'password', required: true, autocomplete: 'new-password' },
          { name: 'confirm', label: 'Repeat it', type: 'password', required: true, autocomplete: 'new-password' },
        ],
        onSubmit: async (v) => {
          if (v.password !== v.confirm) {
            const e = new Error('confirm: the two passwords differ');
            throw e;
          }
          await rpc('AuthService', 'ChangePassword', { password: v.password });
          // A password change ends the user's logins (their refresh tokens); sign in again with
          // the new password so that this session outlives its access token.
          await auth.login(who.user, v.password).catch(() => {});
          onDone();
          return 'Password changed.';
        },
      }),
      h('p', null, h('a', { href: '#', onClick: async (e) => { e.preventDefault(); await auth.logout().catch(() => {}); location.reload(); } }, 'Log out'))));
}
