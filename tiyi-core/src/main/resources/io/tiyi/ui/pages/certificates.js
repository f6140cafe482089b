import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function CertificatesPage() {
  return h(Page, { title: 'Certificates' }, h('p', null, 'Coming.'));
}
