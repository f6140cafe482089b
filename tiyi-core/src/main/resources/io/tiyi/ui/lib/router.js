// Hash routes (#/events?site=shop): the node serves one page, and a bookmark keeps its filters.
import { useEffect, useState } from '/ui/vendor/hooks.js';

export function parse(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/overview';
  const [path, query] = raw.split('?');
  return { path: path || '/overview', params: Object.fromEntries(new URLSearchParams(query || '')) };
}

export function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return '#' + path + (s ? '?' + s : '');
}

export function navigate(path, params) {
  location.hash = href(path, params);
}

/** Replaces the query of the current route without adding a history entry. */
export function replaceParams(params) {
  const { path } = parse(location.hash);
  history.replaceState(null, '', href(path, params));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute() {
  const [route, setRoute] = useState(parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
