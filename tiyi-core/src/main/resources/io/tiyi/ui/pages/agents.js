import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function AgentsPage() {
  return h(Page, { title: 'Agents' }, h('p', null, 'Coming.'));
}
