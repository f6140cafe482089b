import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function SitesPage() {
  return h(Page, { title: 'Sites' }, h('p', null, 'Coming.'));
}
