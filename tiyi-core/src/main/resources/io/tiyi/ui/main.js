import { h, render } from '/ui/vendor/preact.js';
import { App } from './app.js';

render(h(App, null), document.getElementById('app'));
