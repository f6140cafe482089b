import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function EventsPage() {
  return h(Page, { title: 'Events' }, h('p', null, 'Coming.'));
}
