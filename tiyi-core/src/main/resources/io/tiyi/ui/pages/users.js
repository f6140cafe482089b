import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function UsersPage() {
  return h(Page, { title: 'Users' }, h('p', null, 'Coming.'));
}
