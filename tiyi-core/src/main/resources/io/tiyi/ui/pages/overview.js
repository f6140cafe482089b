import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function OverviewPage() {
  return h(Page, { title: 'Overview' }, h('p', null, 'Coming.'));
}
