import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function ReleasesPage() {
  return h(Page, { title: 'Releases' }, h('p', null, 'Coming.'));
}
