// The RPC API as the page sees it. The session lives in HttpOnly cookies the page cannot read;
// every call echoes the CSRF cookie in a header, which a page of another origin cannot do.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)tiyi_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function post(url, body) {
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Tiyi-CSRF': csrf() },
      body: JSON.stringify(body ?? {}),
    });
  } catch (e) {
    throw new ApiError(0, 'unavailable', 'cannot reach the node: ' + e.message);
  }
  const text = await res.text();
  let data = {};
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data.code || 'error', data.message || res.statusText);
  }
  return data;
}

let onSessionEnded = () => {};
let refreshing = null;

/** Called when the session cannot be renewed: the app shows the login page. */
export function whenSessionEnds(fn) {
  onSessionEnded = fn;
}

/** Calls tiyi.v1.<service>/<method>; an expired access token is renewed once, transparently. */
export async function rpc(service, method, body) {
  const url = `/rpc/tiyi.v1.${service}/${method}`;
  try {
    return await post(url, body);
  } catch (e) {
    if (e.status !== 401) throw e;
    try {
      refreshing = refreshing || post('/ui/auth/refresh', {});
      await refreshing;
    } catch (r) {
      onSessionEnded(r);
      throw e;
    } finally {
      refreshing = null;
    }
    return post(url, body);
  }
}

export const auth = {
  login: (user, password) => post('/ui/auth/login', { user, password }),
  logout: () => post('/ui/auth/logout', {}),
};
