// /app/factories.html: the factories (paged) and one factory's production chart over a time range.
import { apiPage, send } from './api.js';
import { clearError, el, showError, withButton } from './dom.js';
import { setUpHeader } from './session.js';

const list = document.getElementById('factories');
const more = document.getElementById('more-factories');
const rangeForm = document.getElementById('range');
const fromInput = document.getElementById('from');
const toInput = document.getElementById('to');
const chart = document.getElementById('chart');
const factories = new Map(); // id -> {first, last, points}
let nextPage = null;
let selected = null;

// Epoch seconds <-> the value of a datetime-local input, read as UTC (the chart's axis is UTC).
function toInputValue(seconds) {
  return new Date(seconds * 1000).toISOString().slice(0, 16);
}

function fromInputValue(value) {
  if (!value) return null;
  const millis = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(millis) ? NaN : Math.floor(millis / 1000);
}

function describe(summary) {
  if (!summary.points) return 'No points.';
  const when = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return `${summary.points} points, ${when(summary.first)} to ${when(summary.last)} UTC`;
}

// A factory of the list's summary view: {id, points, from, to} (no chart data).
function addFactory(factory) {
  const summary = { points: factory.points, first: factory.from, last: factory.to };
  factories.set(factory.id, summary);
  const button = el('button', { type: 'button', className: 'link' }, `Factory ${factory.id}`);
  const item = el('li', { dataset: { factoryId: factory.id } },
    button, ' ', el('span', { className: 'hint' }, describe(summary)));
  item.addEventListener('click', () => select(factory.id)); // the button's click bubbles here
  list.append(item);
}

async function loadPage(path) {
  const page = await apiPage(path, { auth: false });
  page.data.factories.forEach(addFactory);
  nextPage = page.next;
  more.hidden = !nextPage;
}

function showChart() {
  const from = fromInputValue(fromInput.value);
  const to = fromInputValue(toInput.value);
  if (Number.isNaN(from) || Number.isNaN(to)) {
    showError('From and To: enter a date and time.');
    return;
  }
  const query = new URLSearchParams();
  if (from !== null) query.set('from', String(from));
  if (to !== null) query.set('to', String(to));
  const suffix = query.toString() ? `?${query}` : '';
  chart.src = `/v1/factories/${selected}/chart.svg${suffix}`;
  chart.alt = `Production of factory ${selected}, actual against goal`;
  chart.parentElement.hidden = false;
}

function select(id) {
  clearError();
  selected = id;
  const summary = factories.get(id);
  document.getElementById('factory-name').textContent = `Factory ${id}`;
  document.getElementById('factory-summary').textContent = summary ? describe(summary) : '';
  for (const item of list.children) {
    const chosen = item.dataset.factoryId === String(id);
    item.classList.toggle('selected', chosen);
    if (chosen) item.querySelector('button').setAttribute('aria-current', 'true');
    else item.querySelector('button').removeAttribute('aria-current');
  }
  if (summary && summary.points) {
    fromInput.value = toInputValue(Math.floor(summary.first / 60) * 60);
    toInput.value = toInputValue(Math.ceil(summary.last / 60) * 60);
  } else {
    fromInput.value = '';
    toInput.value = '';
  }
  rangeForm.hidden = false;
  history.replaceState(null, '', `?factory=${id}`);
  showChart();
}

rangeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  showChart();
});

// An image cannot say why it failed: ask the same URL for the API's message.
chart.addEventListener('error', async () => {
  const src = chart.getAttribute('src');
  if (!src) return;
  let problem = 'The chart could not be drawn.';
  try {
    await send(src, { auth: false });
  } catch (error) {
    problem = error;
  }
  if (chart.getAttribute('src') === src) showError(problem); // not once another chart is asked for
});

more.addEventListener('click', () => withButton(more, () => loadPage(nextPage)));

setUpHeader();
try {
  await loadPage('/v1/factories?view=summary&limit=20');
} catch (error) {
  showError(error);
} finally {
  document.getElementById('factories-loading').hidden = true;
}
const wanted = Number(new URLSearchParams(location.search).get('factory'));
// A factory linked to that is not on the first page is shown too, with its whole chart.
if (Number.isSafeInteger(wanted) && wanted > 0) select(wanted);
