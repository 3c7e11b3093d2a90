// /app/menu.html: the menu, the basket, placing an order, its timeline, and "my orders".
import { api } from './api.js';
import { clearError, el, focusIfLost, formatTime, setText, showError, withButton } from './dom.js';
import { formatAmount, formatCents, toCents } from './money.js';
import { every, Newest } from './refresh.js';
import { setUpHeader } from './session.js';

const REFRESH_MS = 3000;
const BASKET_KEY = 'shopfloor.basket';
const CURRENT_KEY = 'shopfloor.current-order';
const CANCELLABLE = new Set(['waiting', 'preparation']);
const FINISHED = new Set(['delivered', 'cancelled']);
const MAX_QUANTITY = 20;

const menuBox = document.getElementById('menu');
const basketList = document.getElementById('basket');
const totalBox = document.getElementById('basket-total');
const locationSelect = document.querySelector('select[name=location]');
const placeButton = document.getElementById('place-order');
const currentBox = document.getElementById('current-order');
const timeline = document.getElementById('timeline');
const myOrders = document.getElementById('my-orders');

let account = null;
let products = new Map(); // id -> product of GET /menu
let placing = false;
const newest = new Newest();

// ---- the basket: {key, keyFor, location, lines: [{product_id, variation_id, name, unit_cents,
// quantity}]}; `key` is the Idempotency-Key of the request `keyFor` (the order as last sent).

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function loadBasket() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(BASKET_KEY));
    if (saved && Array.isArray(saved.lines)) return saved;
  } catch {
    // a damaged basket is an empty one
  }
  return emptyBasket('take_away');
}

function emptyBasket(location) {
  return { key: null, keyFor: null, location, lines: [] };
}

let basket = loadBasket();

function saveBasket() {
  sessionStorage.setItem(BASKET_KEY, JSON.stringify(basket));
}

function lineId(line) {
  return `${line.product_id}:${line.variation_id ?? ''}`;
}

function lineName(product, variation) {
  return variation ? `${product.name} (${variation.name})` : product.name;
}

// The quantity a field holds when it is a whole number from `min` to MAX_QUANTITY, else null.
function quantityOf(text, min) {
  const value = String(text).trim();
  if (!/^\d+$/.test(value)) return null;
  const quantity = Number(value);
  return quantity >= min && quantity <= MAX_QUANTITY ? quantity : null;
}

function addToBasket(product, variation, quantity) {
  const id = lineId({ product_id: product.id, variation_id: variation ? variation.id : null });
  const existing = basket.lines.find((line) => lineId(line) === id);
  if (existing && existing.quantity + quantity > MAX_QUANTITY) {
    showError(`An order holds at most ${MAX_QUANTITY} of each: `
      + `the basket has ${existing.quantity} of ${existing.name}.`);
    return;
  }
  if (existing) existing.quantity += quantity;
  else {
    basket.lines.push({
      product_id: product.id,
      variation_id: variation ? variation.id : null,
      name: lineName(product, variation),
      unit_cents: toCents(product.price) + (variation ? toCents(variation.price_change) : 0),
      quantity,
    });
  }
  saveBasket();
  renderBasket();
}

function setQuantity(id, quantity) {
  const line = basket.lines.find((candidate) => lineId(candidate) === id);
  if (!line) return;
  if (quantity <= 0) basket.lines = basket.lines.filter((candidate) => candidate !== line);
  else line.quantity = quantity;
  saveBasket();
  renderBasket();
}

// Names and prices as the menu has them now (what the API will charge).
function repriceBasket() {
  for (const line of basket.lines) {
    const product = products.get(line.product_id);
    if (!product) continue;
    const variation = product.variations.find((v) => v.id === line.variation_id) || null;
    if (line.variation_id !== null && !variation) continue;
    line.name = lineName(product, variation);
    line.unit_cents = toCents(product.price) + (variation ? toCents(variation.price_change) : 0);
  }
  saveBasket();
}

function basketLine(line) {
  const id = lineId(line);
  const quantity = el('input', {
    name: 'quantity', type: 'number', min: 0, max: MAX_QUANTITY, step: 1, inputMode: 'numeric',
    value: line.quantity,
  });
  quantity.addEventListener('input', () => {
    const value = quantityOf(quantity.value, 0);
    if (value !== null) setQuantity(id, value);
  });
  quantity.addEventListener('change', () => {
    if (quantityOf(quantity.value, 0) !== null) return;
    showError(`Quantity: choose a number from 0 to ${MAX_QUANTITY} (0 takes the line out).`);
    renderBasket(true);
  });
  const remove = () => {
    setQuantity(id, 0);
    focusIfLost(document.getElementById('basket-title'));
  };
  return el('li', { dataset: { line: id } },
    el('span', { className: 'name' }, line.name),
    el('label', { className: 'quantity' }, 'Qty ', quantity),
    el('span', { className: 'line-total' }, ''),
    el('button', { type: 'button', className: 'remove', on: { click: remove } }, 'Remove'),
  );
}

// Update the basket in place (an input being typed in keeps its focus).
function renderBasket(resetInputs = false) {
  const wanted = new Set(basket.lines.map(lineId));
  for (const item of [...basketList.children]) {
    if (!wanted.has(item.dataset.line)) item.remove();
  }
  let total = 0;
  basket.lines.forEach((line, index) => {
    const id = lineId(line);
    let item = basketList.querySelector(`li[data-line="${CSS.escape(id)}"]`);
    if (!item) item = basketLine(line);
    if (basketList.children[index] !== item) basketList.insertBefore(item, basketList.children[index] || null);
    const lineCents = line.unit_cents * line.quantity;
    total += lineCents;
    setText(item.querySelector('.name'), line.name);
    setText(item.querySelector('.line-total'), formatCents(lineCents));
    const input = item.querySelector('input[name=quantity]');
    if (resetInputs || document.activeElement !== input) {
      if (input.value !== String(line.quantity)) input.value = line.quantity;
    }
  });
  setText(totalBox, formatCents(total));
  setText(document.getElementById('basket-link-total'), formatCents(total));
  document.getElementById('basket-empty').hidden = basket.lines.length > 0;
  updatePlaceButton();
}

// Only customers place orders (the API refuses a manager's).
function canOrder() {
  return account !== null && account.role === 'customer';
}

function updatePlaceButton() {
  placeButton.disabled = placing || !canOrder() || basket.lines.length === 0;
}

// The basket's Idempotency-Key for this request: the same for a retry of the same order (one whose
// answer was lost is then not placed twice), a new one once the basket or the place changed (the
// API refuses a key sent before with another request).
function keyFor(request) {
  const signature = JSON.stringify(request);
  if (!basket.key || basket.keyFor !== signature) {
    basket.key = newKey();
    basket.keyFor = signature;
    saveBasket();
  }
  return basket.key;
}

async function placeOrder() {
  if (placing || basket.lines.length === 0) return;
  placing = true; // disabled at once: a second click of a double click does nothing
  updatePlaceButton();
  clearError();
  const request = {
    location: locationSelect.value,
    lines: basket.lines.map((line) => ({
      product_id: line.product_id,
      variation_id: line.variation_id,
      quantity: line.quantity,
    })),
  };
  let placed = false;
  try {
    const order = await api('/orders', {
      method: 'POST',
      headers: { 'Idempotency-Key': keyFor(request) },
      body: request,
    });
    refresh.changed();
    basket = emptyBasket(request.location);
    saveBasket();
    sessionStorage.setItem(CURRENT_KEY, String(order.id));
    newest.accept(order);
    renderCurrent(order, null);
    placed = true;
    refresh();
  } catch (error) {
    showError(error);
  } finally {
    placing = false;
    renderBasket();
  }
  // The order placed; or, refused, the button again (it was disabled, the focus lost with it).
  focusIfLost(placed ? document.getElementById('current-title') : placeButton);
}

// ---- the menu

function productCard(product) {
  const titleId = `product-${product.id}`;
  const quantity = el('input', {
    name: 'quantity', type: 'number', min: 1, max: MAX_QUANTITY, step: 1, value: 1, inputMode: 'numeric',
  });
  let select = null;
  if (product.variations.length > 0) {
    select = el('select', { name: 'variation' },
      ...product.variations.map((variation) =>
        el('option', { value: String(variation.id) }, `${variation.name} (+${formatAmount(variation.price_change)})`)));
  }
  const add = el('button', { type: 'button', className: 'add' }, 'Add to basket');
  add.addEventListener('click', () => {
    clearError();
    const count = quantityOf(quantity.value, 1);
    if (count === null) {
      showError(`Quantity: choose a number from 1 to ${MAX_QUANTITY}.`);
      return;
    }
    const variation = select ? product.variations.find((v) => String(v.id) === select.value) : null;
    addToBasket(product, variation, count);
  });
  return el('article', { className: 'product', dataset: { productId: product.id }, 'aria-labelledby': titleId },
    el('h2', { className: 'name', id: titleId }, product.name),
    product.description ? el('p', { className: 'description' }, product.description) : null,
    el('p', { className: 'price' }, formatAmount(product.price)),
    select ? el('label', {}, 'Variation ', select) : null,
    el('div', { className: 'buy' }, el('label', {}, 'Quantity ', quantity), add),
  );
}

async function loadMenu() {
  try {
    const menu = await api('/menu', { auth: false });
    products = new Map(menu.map((product) => [product.id, product]));
    menuBox.replaceChildren(...menu.map(productCard));
    if (menu.length === 0) menuBox.append(el('p', { className: 'hint' }, 'The menu is empty.'));
    repriceBasket();
    renderBasket();
  } catch (error) {
    showError(error);
  } finally {
    document.getElementById('menu-loading').hidden = true;
  }
}

// ---- the current order and its timeline

function summary(order) {
  return order.lines.map((line) => `${line.quantity} x ${line.name}`).join(', ');
}

function renderCurrent(order, events) {
  currentBox.dataset.orderId = order.id;
  currentBox.dataset.status = order.status;
  currentBox.hidden = false;
  setText(currentBox.querySelector('.order-number'), `#${order.id}`);
  setText(currentBox.querySelector('.status'), order.status);
  setText(currentBox.querySelector('.order-total'), formatAmount(order.total));
  const lines = currentBox.querySelector('.order-lines');
  const lineTexts = order.lines.map((line) => `${line.quantity} x ${line.name} — ${formatAmount(line.line_total)}`);
  if ([...lines.children].map((li) => li.textContent).join('\n') !== lineTexts.join('\n')) {
    lines.replaceChildren(...lineTexts.map((text) => el('li', {}, text)));
  }
  if (timeline.dataset.orderId !== String(order.id)) {
    timeline.replaceChildren();
    timeline.dataset.orderId = order.id;
  }
  if (events) {
    events.forEach((event, index) => {
      if (timeline.children[index]) return; // a timeline only grows
      timeline.append(el('li', { dataset: { status: event.status } },
        el('span', { className: 'step-status' }, event.status), ' ',
        el('time', { dateTime: event.at }, formatTime(event.at)), ' ',
        el('span', { className: 'by' }, `by ${event.by}`)));
    });
  }
}

async function refreshCurrent(fresh) {
  const id = sessionStorage.getItem(CURRENT_KEY);
  if (!id || !account) return;
  if (currentBox.dataset.orderId === id && FINISHED.has(currentBox.dataset.status)
      && timeline.children.length > 0 && timeline.dataset.orderId === id) return;
  let order;
  let events;
  try {
    // The order first, then its timeline: the timeline read after it holds its status.
    order = await api(`/orders/${encodeURIComponent(id)}`);
    events = await api(`/orders/${encodeURIComponent(id)}/events`);
  } catch (error) {
    if (error.status !== 404) throw error;
    if (!fresh()) return;
    sessionStorage.removeItem(CURRENT_KEY); // another account's order: forget it
    currentBox.hidden = true;
    return;
  }
  if (fresh() && newest.accept(order)) renderCurrent(order, events);
}

// ---- my orders

function orderItem(order) {
  return el('li', { dataset: { orderId: order.id } },
    el('span', { className: 'order-number' }, `#${order.id}`),
    el('span', { className: 'summary' }, summary(order)),
    el('span', { className: 'order-total' }, formatAmount(order.total)),
    el('span', { className: 'status' }, order.status),
    el('span', { className: 'actions' }),
  );
}

function cancelButton(orderId) {
  const button = el('button', { type: 'button', className: 'cancel' }, 'Cancel');
  button.addEventListener('click', async () => {
    const order = await withButton(button, () => api(`/orders/${orderId}/cancel`, { method: 'POST' }));
    if (order) {
      refresh.changed();
      updateOrderItem(order);
    }
    refresh();
  });
  return button;
}

// An order's item in "my orders", brought up to date (left alone when the answer is older).
function updateOrderItem(order) {
  let item = myOrders.querySelector(`li[data-order-id="${order.id}"]`);
  if (!item) item = orderItem(order);
  if (!newest.accept(order)) return item;
  item.dataset.status = order.status;
  setText(item.querySelector('.status'), order.status);
  const actions = item.querySelector('.actions');
  const button = actions.querySelector('button.cancel');
  if (CANCELLABLE.has(order.status) && !button) actions.append(cancelButton(order.id));
  if (!CANCELLABLE.has(order.status) && button && !button.disabled) {
    const focused = document.activeElement === button;
    button.remove();
    if (focused && item.isConnected) focusIfLost(item); // the order, now that it cannot be cancelled
  }
  return item;
}

function renderMyOrders(orders) {
  const wanted = new Set(orders.map((order) => String(order.id)));
  for (const item of [...myOrders.children]) {
    if (!wanted.has(item.dataset.orderId)) item.remove();
  }
  orders.forEach((order, index) => {
    const item = updateOrderItem(order);
    if (myOrders.children[index] !== item) myOrders.insertBefore(item, myOrders.children[index] || null);
  });
  document.getElementById('no-orders').hidden = orders.length > 0;
}

async function refreshMyOrders(fresh) {
  if (!canOrder()) return;
  const orders = await api('/orders?limit=20');
  if (fresh()) renderMyOrders(orders);
}

const refresh = every(REFRESH_MS, (fresh) => Promise.all([refreshCurrent(fresh), refreshMyOrders(fresh)]));

placeButton.addEventListener('click', placeOrder);
locationSelect.value = basket.location || 'take_away';
locationSelect.addEventListener('change', () => {
  basket.location = locationSelect.value;
  saveBasket();
});

renderBasket();
const menuLoaded = loadMenu();
account = await setUpHeader();
document.getElementById('sign-in-to-order').hidden = canOrder();
document.getElementById('my-orders-section').hidden = !canOrder();
updatePlaceButton();
await menuLoaded;
if (canOrder()) refresh();
