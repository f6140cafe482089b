import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function AuditPage() {
  return h(Page, { title: 'Audit' }, h('p', null, 'Coming.'));
}
