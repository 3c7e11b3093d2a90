// /app/board.html (managers): the order board, refreshed in place every 3 s, and the menu editor.
import { api, apiPage } from './api.js';
import { clearError, el, focusIfLost, setText, showError, withButton } from './dom.js';
import { amountField, formatAmount, sameAmount } from './money.js';
import { every, Newest } from './refresh.js';
import { setUpHeader } from './session.js';

const REFRESH_MS = 3000;
// A column shows its oldest orders (the next to make), at most this many: one request a column.
const PAGE_SIZE = 50;
const COLUMNS = ['waiting', 'preparation', 'ready'];
// The one click that moves a card along, and the way back from preparation.
const FORWARD = {
  waiting: { status: 'preparation', label: 'Start' },
  preparation: { status: 'ready', label: 'Ready' },
  ready: { status: 'delivered', label: 'Delivered' },
};
const BACK = { preparation: { status: 'waiting', label: 'Back to waiting' } };

const board = document.querySelector('.board');
const newest = new Newest();
// The columns with more orders than they show (their count then reads "50+").
const overflowing = new Set();

// ---- the board

function column(status) {
  return document.querySelector(`#column-${status} .cards`);
}

function age(createdAt) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(createdAt)) / 60000));
  return `${minutes} min`;
}

function moveButton(card, className, move) {
  const button = el('button', { type: 'button', className }, move.label);
  button.addEventListener('click', async () => {
    const buttons = card.querySelectorAll('button');
    const from = card.closest('.column');
    for (const other of buttons) other.disabled = true; // (the focus goes with the button)
    clearError();
    try {
      const order = await api(`/orders/${card.dataset.orderId}/status`, {
        method: 'PATCH',
        body: { status: move.status },
      });
      refresh.changed();
      if (newest.accept(order)) placeCard(order);
    } catch (error) {
      showError(error); // a 409: someone moved it first; the refresh shows where it is
    } finally {
      for (const other of buttons) other.disabled = false;
      // The button again (refused); the card where it went; or the column it left the board from.
      if (button.isConnected) focusIfLost(button);
      else focusIfLost(card.isConnected ? card : from.querySelector('h2'));
      refresh();
    }
  });
  return button;
}

function newCard(order) {
  const titleId = `order-${order.id}`;
  return el('article', { className: 'card', dataset: { orderId: order.id }, 'aria-labelledby': titleId },
    el('h3', { id: titleId }, `#${order.id} `,
      el('span', { className: 'location' }, order.location.replace('_', ' '))),
    el('p', { className: 'customer' }, order.customer),
    el('ul', { className: 'lines' },
      ...order.lines.map((line) => el('li', {}, `${line.quantity} x ${line.name}`))),
    el('p', { className: 'meta' }, el('span', { className: 'age' }, ''), ' · ',
      el('span', { className: 'card-total' }, formatAmount(order.total))),
    el('div', { className: 'actions' }),
  );
}

// Put an order's card where its status says (creating it, or removing it once it is off the board).
// The focus in a card stays there (moving an element drops it): on its button, or on the card.
function placeCard(order, index = null) {
  let card = board.querySelector(`article[data-order-id="${order.id}"]`);
  if (!COLUMNS.includes(order.status)) {
    if (card) card.remove();
    return;
  }
  if (!card) card = newCard(order);
  const focused = card.contains(document.activeElement) ? document.activeElement : null;
  setText(card.querySelector('.age'), age(order.created_at));
  if (card.dataset.status !== order.status) {
    card.dataset.status = order.status;
    const actions = card.querySelector('.actions');
    actions.replaceChildren();
    if (BACK[order.status]) actions.append(moveButton(card, 'back', BACK[order.status]));
    actions.append(moveButton(card, 'forward', FORWARD[order.status]));
  }
  const cards = column(order.status);
  if (index === null) {
    if (card.parentElement !== cards) cards.append(card);
  } else if (cards.children[index] !== card) {
    cards.insertBefore(card, cards.children[index] || null);
  }
  if (focused) focusIfLost(focused.isConnected ? focused : card);
  updateCounts();
}

function updateCounts() {
  for (const status of COLUMNS) {
    const shown = column(status).children.length;
    setText(document.querySelector(`#column-${status} .count`), `${shown}${overflowing.has(status) ? '+' : ''}`);
  }
}

function applyBoard(lists) {
  // The three lists are read at once: an order moving meanwhile may be in two; its latest wins.
  const latest = new Map();
  for (const orders of lists) {
    for (const order of orders) {
      const seen = latest.get(order.id);
      if (!seen || order.updated_at > seen.updated_at) latest.set(order.id, order);
    }
  }
  for (const card of [...board.querySelectorAll('article[data-order-id]')]) {
    const order = latest.get(Number(card.dataset.orderId));
    if (!order) card.remove();
  }
  // An order older than the card shows (a move this page made is newer) leaves the card alone.
  const current = [...latest.values()].filter((order) => newest.accept(order));
  for (const status of COLUMNS) {
    // Oldest first: the next order to make is at the top.
    const orders = current
      .filter((order) => order.status === status)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
    orders.forEach((order, index) => placeCard(order, index));
  }
  updateCounts();
}

// The oldest orders in one status, and whether more follow.
async function ordersIn(status) {
  const page = await apiPage(`/orders?status=${status}&sort=oldest&limit=${PAGE_SIZE}`);
  return { status, orders: page.data, more: page.next !== null };
}

const refresh = every(REFRESH_MS, async (fresh) => {
  const columns = await Promise.all(COLUMNS.map(ordersIn));
  if (!fresh()) return;
  overflowing.clear();
  for (const { status, more } of columns) if (more) overflowing.add(status);
  applyBoard(columns.map(({ orders }) => orders));
});

// ---- the menu editor

const editorBox = document.getElementById('editor-products');
const editorStatus = document.getElementById('editor-status');
const editorTitle = document.getElementById('editor-title');
let editorLoads = 0; // the menu read last is the one shown (an older answer arriving late is not)

function said(text) {
  editorStatus.textContent = text;
}

// Run an editor action from a form's submit button (or a button), then show the menu again. The
// product's editor is rebuilt when it changed: the focus goes to its heading (or the editor's).
async function edit(button, action, done) {
  said('');
  const productId = button.closest('article').dataset.productId;
  const result = await withButton(button, action);
  await loadEditor();
  if (result !== undefined) said(done); // once the editor shows the change
  const product = editorBox.querySelector(`article[data-product-id="${productId}"] h3`);
  focusIfLost(product || editorTitle);
}

function field(label, props) {
  return el('label', {}, `${label} `, el('input', props));
}

function priceProps(name, value, min) {
  return { name, type: 'number', step: '0.01', min, inputMode: 'decimal', value };
}

function variationItem(product, variation) {
  const form = el('form', { className: 'edit-variation row-form', noValidate: true },
    field('Name', { name: 'name', type: 'text', maxLength: 100, value: variation.name }),
    field('Price change', priceProps('price_change', formatAmount(variation.price_change), '0')),
    el('button', { type: 'submit' }, 'Save'),
    el('button', { type: 'button', className: 'delete-variation' }, 'Delete'),
  );
  const path = `/menu/products/${product.id}/variations/${variation.id}`;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {};
    const name = form.elements.name.value;
    const change = amountField(form.elements.price_change.value);
    if (name !== variation.name) body.name = name;
    if (!sameAmount(form.elements.price_change.value, variation.price_change)) body.price_change = change;
    if (Object.keys(body).length === 0) body.name = name;
    edit(form.querySelector('button[type=submit]'),
      () => api(path, { method: 'PATCH', body }), `Saved ${product.name} (${name}).`);
  });
  form.querySelector('.delete-variation').addEventListener('click', (event) => {
    edit(event.currentTarget, () => api(path, { method: 'DELETE' }).then(() => true),
      `Deleted ${product.name} (${variation.name}).`);
  });
  return el('li', { dataset: { variationId: variation.id } }, form);
}

function productEditor(product) {
  const path = `/menu/products/${product.id}`;
  const form = el('form', { className: 'edit-product row-form', noValidate: true },
    field('Name', { name: 'name', type: 'text', maxLength: 100, value: product.name }),
    field('Description', { name: 'description', type: 'text', maxLength: 500, value: product.description ?? '' }),
    field('Price', priceProps('price', formatAmount(product.price), '0.01')),
    el('button', { type: 'submit' }, 'Save'),
    el('button', { type: 'button', className: 'delete-product' }, 'Delete product'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {};
    const name = form.elements.name.value;
    const description = form.elements.description.value.trim() === '' ? null : form.elements.description.value;
    const price = amountField(form.elements.price.value);
    if (name !== product.name) body.name = name;
    if (description !== (product.description ?? null)) body.description = description;
    if (!sameAmount(form.elements.price.value, product.price)) body.price = price;
    if (Object.keys(body).length === 0) body.name = name;
    edit(form.querySelector('button[type=submit]'),
      () => api(path, { method: 'PATCH', body }), `Saved ${name}.`);
  });
  const remove = form.querySelector('.delete-product');
  remove.addEventListener('click', () => {
    edit(remove, () => api(path, { method: 'DELETE' }).then(() => true), `Deleted ${product.name}.`);
  });
  const addVariation = el('form', { className: 'add-variation row-form', noValidate: true },
    field('New variation', { name: 'name', type: 'text', maxLength: 100 }),
    field('Price change', priceProps('price_change', '', '0')),
    el('button', { type: 'submit' }, 'Add variation'),
  );
  addVariation.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = addVariation.elements.name.value;
    edit(addVariation.querySelector('button[type=submit]'), () => api(`${path}/variations`, {
      method: 'POST',
      body: { name, price_change: amountField(addVariation.elements.price_change.value) },
    }), `Added ${product.name} (${name}).`);
  });
  return el('article', { className: 'editor-product', dataset: { productId: product.id } },
    el('h3', { className: 'name' }, product.name),
    form,
    el('ul', { className: 'variations' }, ...product.variations.map((v) => variationItem(product, v))),
    addVariation,
  );
}

// Each product's editor is rebuilt only when that product changed (other forms keep their input).
async function loadEditor() {
  const load = ++editorLoads;
  let menu;
  try {
    menu = await api('/menu');
  } catch (error) {
    if (load === editorLoads) showError(error);
    return;
  }
  if (load !== editorLoads) return;
  const wanted = new Set(menu.map((product) => String(product.id)));
  for (const article of [...editorBox.children]) {
    if (!wanted.has(article.dataset.productId)) article.remove();
  }
  menu.forEach((product, index) => {
    const signature = JSON.stringify(product);
    let article = editorBox.querySelector(`article[data-product-id="${product.id}"]`);
    if (article && article.dataset.signature !== signature) {
      const fresh = productEditor(product);
      article.replaceWith(fresh);
      article = fresh;
    }
    if (!article) article = productEditor(product);
    article.dataset.signature = signature;
    if (editorBox.children[index] !== article) editorBox.insertBefore(article, editorBox.children[index] || null);
  });
}

const addProduct = document.getElementById('add-product');
addProduct.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = addProduct.elements;
  const name = data.name.value;
  const description = data.description.value.trim() === '' ? null : data.description.value;
  const button = addProduct.querySelector('button[type=submit]');
  said('');
  const created = await withButton(button, () => api('/menu/products', {
    method: 'POST',
    body: { name, description, price: amountField(data.price.value) },
  }));
  if (created) addProduct.reset();
  await loadEditor();
  if (created) said(`Added ${created.name}.`);
});

// ---- start: managers only

const account = await setUpHeader();
if (!account) {
  location.assign('/app/');
} else if (account.role !== 'manager') {
  showError('The order board is for managers: sign in with a manager account.');
  document.getElementById('menu-editor').hidden = true;
} else {
  refresh();
  loadEditor();
}
