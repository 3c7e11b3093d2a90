// Small DOM helpers. Text from the API only ever goes in through textContent.

// el('li', {className: 'x', dataset: {orderId: 3}}, 'text', child) -> the element.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'on') {
      for (const [type, handler] of Object.entries(value)) node.addEventListener(type, handler);
    } else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Set a node's text only when it changed (no needless repaint on a refresh).
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

// #error: the API's message when a request is refused. A new error replaces the old one; the same
// text again is left alone (not announced again). `from` names what showed it: clearError(from)
// then hides it only if it is still that one's (a refresh that works again clears its own error,
// never the message of a user's action).
let shownFrom = null;

export function showError(error, from = null) {
  const box = document.getElementById('error');
  setText(box, error && error.message ? error.message : String(error));
  box.hidden = false;
  shownFrom = from;
}

export function clearError(from = null) {
  if (from !== null && from !== shownFrom) return;
  const box = document.getElementById('error');
  box.textContent = '';
  box.hidden = true;
  shownFrom = null;
}

// After an action that removed or disabled the focused button: the focus goes to `target` (a heading
// or a card is made focusable by script only), not back to the top of the page. Focus the user
// moved elsewhere meanwhile stays.
export function focusIfLost(target) {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected && !active.disabled) return;
  if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus();
}

// Run a user's action with `button` disabled while it is in flight; its refusal goes to #error.
// Returns the action's result, or undefined when it failed. A disabled button loses the focus: it
// gets it back once enabled again.
export async function withButton(button, action) {
  if (button.disabled) return undefined;
  const focused = document.activeElement === button;
  button.disabled = true;
  clearError();
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    button.disabled = false;
    if (focused && button.isConnected) focusIfLost(button);
  }
}

// "2026-12-01T19:31:53Z" -> "19:31:53" in the reader's time zone (with the date when not today).
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString()
    : date.toLocaleString();
}
