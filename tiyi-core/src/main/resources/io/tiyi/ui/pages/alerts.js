import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function AlertsPage() {
  return h(Page, { title: 'Alerts' }, h('p', null, 'Coming.'));
}
