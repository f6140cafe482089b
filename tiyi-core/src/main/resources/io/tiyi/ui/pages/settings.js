import { h } from '/ui/vendor/preact.js';
import { Page } from '../lib/ui.js';

export function SettingsPage() {
  return h(Page, { title: 'Settings' }, h('p', null, 'Coming.'));
}
