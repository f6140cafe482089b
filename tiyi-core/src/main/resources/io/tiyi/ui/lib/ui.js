// Shared pieces of every page: loading, errors, tables, forms, dialogs, tabs. Pages are written
// with Preact's h() (no build step): h(tag, props, ...children).
import { h, Fragment, createContext } from '/ui/vendor/preact.js';
import { useCallback, useContext, useEffect, useRef, useState } from '/ui/vendor/hooks.js';
import { rpc } from './api.js';

export { h, Fragment };

const ROLES = ['viewer', 'operator', 'admin'];

/** The signed-in user and the node: role checks and the read-only state come from here. */
export const SessionContext = createContext(null);

/**
 * can(need): the user's role is at least need (controls for it are shown).
 * canMutate(need): can(need) and this node takes changes now (controls are enabled).
 */
export function useSession() {
  const s = useContext(SessionContext);
  const can = (need) => !!s && ROLES.indexOf(s.role) >= ROLES.indexOf(need);
  return { ...s, can, canMutate: (need) => can(need) && !s.readOnly };
}

export function fmtTime(ms) {
  if (!ms) return '—';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Time of day for today, the date too otherwise: for dense tables (the full time is its title). */
export function fmtShort(ms) {
  if (!ms) return '—';
  const full = fmtTime(ms);
  return new Date(ms).toDateString() === new Date().toDateString() ? full.slice(11) : full.slice(0, 16);
}

export function fmtAgo(ms) {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

export function fmtBytes(n) {
  if (n == null) return '—';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + u[i];
}

/** Runs an async loader when deps change; reload() runs it again. */
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve().then(fn).then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => mine === seq.current && setState({ data: null, error, loading: false }));
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** Calls fn every ms while the page is visible. */
export function useInterval(fn, ms) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    const t = setInterval(() => document.visibilityState === 'visible' && saved.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return h('div', { class: 'error-box', role: 'alert' }, error.message || String(error));
}

export function Loading() {
  return h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');
}

export function Page({ title, actions, children }) {
  useEffect(() => { document.title = title + ' · Tiyi'; }, [title]);
  return h('section', { class: 'page', 'aria-labelledby': 'page-title' },
    h('header', { class: 'page-head' },
      h('h1', { id: 'page-title', tabIndex: -1 }, title),
      actions ? h('div', { class: 'page-actions' }, actions) : null),
    children);
}

export function Card({ title, children, actions, id }) {
  return h('div', { class: 'card', id },
    title || actions ? h('div', { class: 'card-head' }, title ? h('h2', null, title) : null,
      actions ? h('div', { class: 'card-actions' }, actions) : null) : null,
    children);
}

export function Badge({ kind, children }) {
  return h('span', { class: 'badge badge-' + (kind || 'plain') }, children);
}

export function Button({ kind, children, ...props }) {
  return h('button', { type: 'button', class: 'btn' + (kind ? ' btn-' + kind : ''), ...props }, children);
}

/**
 * A table. columns: [{key, label, render?(row), class?}]. Wide tables scroll sideways inside
 * their card on a phone instead of widening the page.
 */
export function DataTable({ columns, rows, rowKey, empty, caption, onRowClick, selected }) {
  if (!rows || rows.length === 0) {
    return h('p', { class: 'muted empty' }, empty || 'Nothing here yet.');
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', null, rows.map((r, i) => h('tr', {
        key: rowKey ? rowKey(r) : i,
        class: (onRowClick ? 'clickable' : '') + (selected && rowKey && selected === rowKey(r) ? ' selected' : ''),
        onClick: onRowClick ? () => onRowClick(r) : undefined,
      }, columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.render ? c.render(r) : fmtCell(r[c.key]))))))));
}

function fmtCell(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Previous/next for server-side paging. */
export function Pager({ onPrev, onNext, label }) {
  if (!onPrev && !onNext) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h(Button, { onClick: onPrev, disabled: !onPrev }, '← Newer'),
    label ? h('span', { class: 'muted' }, label) : null,
    h(Button, { onClick: onNext, disabled: !onNext }, 'Older →'));
}

/** Rows a list page asks for. */
export const PAGE_SIZE = 20;

/**
 * One page of a list method that pages on the server: {filter, offset, limit} → {items, total},
 * the items taken from the response field named key (sites, agents, ...).
 */
export async function pagedList(service, method, key, { filter, offset = 0, limit = PAGE_SIZE }) {
  const r = await rpc(service, method, { filter: filter || undefined, offset, limit });
  return { items: r[key] || [], total: r.total };
}

/** The offset in a route's query (?offset=40), 0 when absent or malformed. */
export function offsetOf(params) {
  const n = parseInt(params.offset || '0', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Previous/next for lists paged by offset; shows "11–20 of 42". */
export function OffsetPager({ offset, count, total, onGo }) {
  const more = total != null && offset + count < total;
  if (!offset && !more) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h(Button, { onClick: () => onGo(Math.max(0, offset - Math.max(count, 1))), disabled: !offset }, '← Previous'),
    h('span', { class: 'muted' }, `${count ? offset + 1 : offset}–${offset + count}` + (total != null ? ' of ' + total : '')),
    h(Button, { onClick: () => onGo(offset + count), disabled: !more }, 'Next →'));
}

function variants(name) {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const kebab = snake.replace(/_/g, '-');
  return [name.toLowerCase(), snake, kebab, '--' + kebab];
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Which field a server message is about: the API names the field or flag it refuses. */
export function fieldOf(message, fields) {
  const m = (message || '').toLowerCase();
  let best = null;
  let bestLen = 0;
  for (const f of fields) {
    for (const a of [...variants(f.name), ...(f.aliases || []).map((x) => x.toLowerCase())]) {
      const re = new RegExp('(^|[^a-z0-9_.-])' + escapeRe(a) + '($|[^a-z0-9_])');
      if (a.length > bestLen && re.test(m)) {
        best = f.name;
        bestLen = a.length;
      }
    }
  }
  return best;
}

function clientCheck(f, v) {
  const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  if (f.required && empty) return f.label + ' is required';
  if (empty) return null;
  if (f.type === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n) || (f.integer !== false && !Number.isInteger(n))) return f.label + ' must be a whole number';
    if (f.min !== undefined && n < f.min) return f.label + ' must be at least ' + f.min;
    if (f.max !== undefined && n > f.max) return f.label + ' must be at most ' + f.max;
  }
  if (f.pattern && !new RegExp('^(?:' + f.pattern + ')$').test(String(v))) return f.patternMessage || f.label + ' has the wrong form';
  if (f.validate) return f.validate(v);
  return null;
}

/**
 * A form. fields: [{name, label, type: text|password|number|select|checkbox|textarea|lines,
 * options?: [[value, label]], required?, min?, max?, pattern?, help?, aliases?, placeholder?}].
 * "lines" edits a list of strings, one per line. onSubmit(values) may throw an ApiError: its
 * message is shown next to the field it names, or above the button when it names none.
 */
export function Form({ id, fields, initial, submitLabel, onSubmit, disabled, disabledReason, onCancel, resetOnSuccess }) {
  const [values, setValues] = useState(() => initialValues(fields, initial));
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  useEffect(() => { setValues(initialValues(fields, initial)); }, [initial]);

  const set = (name, v) => {
    setValues((old) => ({ ...old, [name]: v }));
    setErrors((old) => ({ ...old, [name]: null }));
    setDone(null);
  };
  const submit = async (ev) => {
    ev.preventDefault();
    const errs = {};
    for (const f of fields) {
      const msg = clientCheck(f, values[f.name]);
      if (msg) errs[f.name] = msg;
    }
    setErrors(errs);
    setFormError(null);
    setDone(null);
    if (Object.keys(errs).length) {
      focusField(id, Object.keys(errs)[0]);
      return;
    }
    setBusy(true);
    try {
      const out = {};
      for (const f of fields) out[f.name] = toWire(f, values[f.name]);
      const msg = await onSubmit(out);
      setDone(typeof msg === 'string' ? msg : 'Saved.');
      if (resetOnSuccess) setValues(initialValues(fields, initial));
    } catch (e) {
      const field = fieldOf(e.message, fields);
      if (field) {
        setErrors({ [field]: e.message });
        focusField(id, field);
      } else {
        setFormError(e.message || String(e));
      }
    } finally {
      setBusy(false);
    }
  };
  return h('form', { id, class: 'form', onSubmit: submit, noValidate: true },
    h('fieldset', { disabled: disabled || busy },
      fields.map((f) => h(FieldRow, { key: f.name, formId: id, f, value: values[f.name], error: errors[f.name], onInput: (v) => set(f.name, v) })),
      formError ? h('div', { class: 'error-box', role: 'alert', id: id + '-error' }, formError) : null,
      done ? h('div', { class: 'ok-box', role: 'status' }, done) : null,
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', id: id + '-submit' }, busy ? 'Working…' : submitLabel || 'Save'),
        onCancel ? h(Button, { onClick: onCancel }, 'Cancel') : null,
        disabled && disabledReason ? h('span', { class: 'muted' }, disabledReason) : null)));
}

function initialValues(fields, initial) {
  const v = {};
  for (const f of fields) {
    const x = initial ? initial[f.name] : undefined;
    if (f.type === 'lines') v[f.name] = Array.isArray(x) ? x.join('\n') : (x || '');
    else if (f.type === 'checkbox') v[f.name] = !!x;
    else if (f.type === 'checks') v[f.name] = Array.isArray(x) ? x : [];
    else v[f.name] = x === undefined || x === null ? (f.default ?? '') : String(x);
  }
  return v;
}

function toWire(f, v) {
  if (f.type === 'lines') return String(v || '').split('\n').map((s) => s.trim()).filter((s) => s);
  if (f.type === 'number') return v === '' ? null : Number(v);
  if (f.type === 'checkbox') return !!v;
  if (f.type === 'checks') return v || [];
  return v === '' ? null : v;
}

/** The element id of a form field: the form's id and the field's name, made safe for selectors. */
export function fieldId(formId, name) {
  return formId + '-' + name.replace(/[^A-Za-z0-9_-]/g, '-');
}

function focusField(formId, name) {
  setTimeout(() => document.getElementById(fieldId(formId, name))?.focus(), 0);
}

function FieldRow({ formId, f, value, error, onInput }) {
  const id = fieldId(formId, f.name);
  const describedBy = [f.help ? id + '-help' : null, error ? id + '-err' : null].filter(Boolean).join(' ') || undefined;
  const common = { id, name: f.name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy, required: f.required };
  let input;
  if (f.type === 'checks') {
    const on = new Set(value || []);
    return h('fieldset', { class: 'field checks' + (error ? ' has-error' : ''), id, 'aria-describedby': describedBy },
      h('legend', null, f.label),
      f.options.map(([v, l]) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', id: id + '-' + v, checked: on.has(v),
          onChange: (e) => { const n = new Set(on); if (e.target.checked) n.add(v); else n.delete(v); onInput([...n]); } }), ' ', l)),
      f.help ? h('small', { id: id + '-help', class: 'help' }, f.help) : null,
      error ? h('div', { id: id + '-err', class: 'field-error', role: 'alert' }, error) : null);
  }
  if (f.type === 'select') {
    input = h('select', { ...common, value, onChange: (e) => onInput(e.target.value) },
      f.options.map(([v, l]) => h('option', { value: v }, l)));
  } else if (f.type === 'checkbox') {
    input = h('input', { ...common, type: 'checkbox', checked: value, onChange: (e) => onInput(e.target.checked) });
  } else if (f.type === 'textarea' || f.type === 'lines') {
    input = h('textarea', { ...common, rows: f.rows || (f.type === 'lines' ? 4 : 8), value, placeholder: f.placeholder,
      spellcheck: false, onInput: (e) => onInput(e.target.value) });
  } else {
    input = h('input', { ...common, type: f.type === 'number' ? 'text' : (f.type || 'text'), inputMode: f.type === 'number' ? 'numeric' : undefined,
      value, placeholder: f.placeholder, autocomplete: f.autocomplete || 'off', onInput: (e) => onInput(e.target.value) });
  }
  return h('div', { class: 'field' + (f.type === 'checkbox' ? ' field-check' : '') + (error ? ' has-error' : '') },
    h('label', { for: id }, f.label, f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    input,
    f.help ? h('small', { id: id + '-help', class: 'help' }, f.help) : null,
    error ? h('div', { id: id + '-err', class: 'field-error', role: 'alert' }, error) : null);
}

let dialogHost = null;

/** The one dialog of the app; rendered once by the shell. */
export function DialogHost() {
  const [req, setReq] = useState(null);
  const ref = useRef(null);
  dialogHost = setReq;
  useEffect(() => {
    const d = ref.current;
    if (req && d && !d.open) d.showModal();
    if (!req && d && d.open) d.close();
  }, [req]);
  const answer = (v) => {
    const r = req;
    setReq(null);
    r?.resolve(v);
  };
  return h('dialog', { ref, class: 'dialog', 'aria-labelledby': 'dialog-title', onCancel: (e) => { e.preventDefault(); answer(false); } },
    req ? h('form', { method: 'dialog', onSubmit: (e) => { e.preventDefault(); answer(true); } },
      h('h2', { id: 'dialog-title' }, req.title),
      h('p', null, req.message),
      h('div', { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn ' + (req.danger ? 'btn-danger' : 'btn-primary'), id: 'dialog-confirm' }, req.confirmLabel),
        h(Button, { onClick: () => answer(false), id: 'dialog-cancel' }, 'Cancel'))) : null);
}

/** Asks before a destructive action; resolves true when confirmed. */
export function confirmAction(title, message, { confirmLabel = 'Confirm', danger = true } = {}) {
  return new Promise((resolve) => dialogHost({ title, message, confirmLabel, danger, resolve }));
}

let toastHost = null;

export function ToastHost() {
  const [items, setItems] = useState([]);
  toastHost = (msg, kind) => {
    const id = Math.random();
    setItems((xs) => [...xs, { id, msg, kind }]);
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), 6000);
  };
  return h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' },
    items.map((t) => h('div', { key: t.id, class: 'toast toast-' + (t.kind || 'ok') }, t.msg)));
}

/** A short message in the corner: what an action did, or why it failed. */
export function toast(msg, kind) {
  toastHost?.(msg, kind);
}

/**
 * Runs a mutation from a button: confirms first when asked, reports the result as a toast.
 * Returns true when it succeeded.
 */
export async function act(fn, { confirm, ok } = {}) {
  if (confirm && !(await confirmAction(confirm.title, confirm.message, confirm))) return false;
  try {
    const r = await fn();
    if (ok) toast(typeof ok === 'function' ? ok(r) : ok);
    return true;
  } catch (e) {
    toast(e.message || String(e), 'error');
    return false;
  }
}

/** Accessible tabs: arrow keys move between them. */
export function Tabs({ tabs, active, onChange, label }) {
  const onKey = (e, i) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = tabs[(i + d + tabs.length) % tabs.length];
    onChange(next.id);
    setTimeout(() => document.getElementById('tab-' + next.id)?.focus(), 0);
  };
  return h('div', { class: 'tabs', role: 'tablist', 'aria-label': label },
    tabs.map((t, i) => h('button', {
      type: 'button', role: 'tab', id: 'tab-' + t.id, 'aria-selected': active === t.id ? 'true' : 'false',
      'aria-controls': 'panel-' + t.id, tabIndex: active === t.id ? 0 : -1, class: 'tab' + (active === t.id ? ' active' : ''),
      onClick: () => onChange(t.id), onKeyDown: (e) => onKey(e, i),
    }, t.label)));
}

export function TabPanel({ id, children }) {
  return h('div', { role: 'tabpanel', id: 'panel-' + id, 'aria-labelledby': 'tab-' + id, class: 'tab-panel' }, children);
}

/** A labelled key/value list. */
export function Facts({ items }) {
  return h('dl', { class: 'facts' }, items.filter(Boolean).map(([k, v]) => h(Fragment, null, h('dt', null, k), h('dd', null, v ?? '—'))));
}

/** A filter bar: inputs that change the route's query when submitted. */
export function Filters({ id, fields, values, onApply }) {
  const [v, setV] = useState(values || {});
  useEffect(() => setV(values || {}), [JSON.stringify(values || {})]);
  return h('form', { id, class: 'filters', role: 'search', onSubmit: (e) => { e.preventDefault(); onApply(v); } },
    fields.map((f) => h('div', { class: 'filter' },
      h('label', { for: id + '-' + f.name }, f.label),
      f.options
        ? h('select', { id: id + '-' + f.name, value: v[f.name] || f.default || '', onChange: (e) => setV({ ...v, [f.name]: e.target.value }) },
          f.options.map(([val, l]) => h('option', { value: val }, l)))
        : h('input', { id: id + '-' + f.name, type: f.type || 'text', value: v[f.name] || '', placeholder: f.placeholder,
          inputMode: f.numeric ? 'numeric' : undefined, onInput: (e) => setV({ ...v, [f.name]: e.target.value }) }))),
    h('div', { class: 'filter filter-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: id + '-apply' }, 'Apply'),
      h(Button, { onClick: () => { setV({}); onApply({}); } }, 'Clear')));
}
