// The signed-in user of this tab: the token and the account kept in sessionStorage.
import { api, ACCOUNT_KEY, TOKEN_KEY, token } from './api.js';

const EXPIRES_KEY = 'shopfloor.expires';
const NOTICE_KEY = 'shopfloor.notice';

function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ACCOUNT_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

// POST /auth/token, then GET /users/me: the account ({email, role}).
export async function signIn(username, password) {
  forget();
  const answer = await api('/auth/token', {
    method: 'POST',
    body: { username, password },
    auth: false,
  });
  sessionStorage.setItem(TOKEN_KEY, answer.access_token);
  sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + answer.expires_in * 1000));
  return current();
}

export async function signUp(email, password) {
  await api('/auth/signup', { method: 'POST', body: { email, password }, auth: false });
  return signIn(email, password);
}

// Clears everything this tab kept (token, account, basket, current order) and goes to /app/.
export function signOut() {
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith('shopfloor.')) sessionStorage.removeItem(key);
  }
  location.assign('/app/');
}

// The account signed in on this tab, or null. Cached; asks GET /users/me once per token.
export async function current() {
  if (!token()) return null;
  const expires = Number(sessionStorage.getItem(EXPIRES_KEY));
  if (expires && Date.now() >= expires) {
    forget();
    sessionStorage.setItem(NOTICE_KEY, 'Your session has ended: sign in again.');
    return null;
  }
  const cached = sessionStorage.getItem(ACCOUNT_KEY);
  if (cached) return JSON.parse(cached);
  const account = await api('/users/me');
  sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify(account));
  return account;
}

// A note left for the sign-in page (why the tab was sent there), read once.
export function takeNotice() {
  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  return notice;
}

// The header of every page: who is signed in, and the sign-out button.
export async function setUpHeader() {
  const who = document.getElementById('who');
  const out = document.getElementById('sign-out');
  out.addEventListener('click', signOut);
  // Back after signing out (or in as someone else) may show this page from the browser's
  // back/forward cache as it was, its refresh running again: load it afresh instead.
  const signedInAs = token();
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && token() !== signedInAs) location.reload();
  });
  let account = null;
  try {
    account = await current();
  } catch {
    account = null;
  }
  who.textContent = account ? account.email : '';
  who.hidden = !account;
  out.hidden = !account;
  document.getElementById('sign-in-link').hidden = Boolean(account);
  return account;
}
