// The API, called with relative URLs (the pages are served on the API's own origin).
// JSON in and out, the bearer token of this tab, and every refusal as an ApiError whose
// message is the envelope's `message` (a 422's list joined with "; ").

export const TOKEN_KEY = 'shopfloor.token';
export const ACCOUNT_KEY = 'shopfloor.account';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// The message of an error envelope, or a fallback naming the status.
async function messageOf(response) {
  try {
    const body = await response.json();
    const message = body && body.message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: fall through
  }
  return `The request failed (HTTP ${response.status}).`;
}

// A `Link: <...>; rel="next"` header as a same-origin path (the API names the host it was called
// at; a proxy in front of it might not pass that on).
export function nextLink(response) {
  const header = response.headers.get('Link');
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = part.match(/<([^>]*)>\s*;\s*rel="?next"?/);
    if (match) {
      const url = new URL(match[1], location.origin);
      return url.pathname + url.search;
    }
  }
  return null;
}

// One request. Returns the Response once it is OK; throws ApiError otherwise.
// A 401 on a request that carried a token (it expired) sends the tab to sign in again.
export async function send(path, { method = 'GET', body, headers = {}, auth = true } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  const bearer = auth ? token() : null;
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError('The server cannot be reached; check the connection and try again.', 0);
  }
  if (response.ok) return response;
  const message = await messageOf(response);
  if (response.status === 401 && bearer) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ACCOUNT_KEY);
    sessionStorage.setItem('shopfloor.notice', 'Your session has ended: sign in again.');
    location.assign('/app/');
  }
  throw new ApiError(message, response.status);
}

// The answer's JSON (null for an empty answer such as a 204).
export async function api(path, options) {
  const response = await send(path, options);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

// A page of a list: its JSON and the path of the next page (or null).
export async function apiPage(path, options) {
  const response = await send(path, options);
  return { data: await response.json(), next: nextLink(response) };
}
