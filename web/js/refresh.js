// What the board and the menu page share to stay up to date without flicker.
import { clearError, showError } from './dom.js';

// `every(ms, task)` returns `run`: the first call runs `task`, and from then on it runs again `ms`
// after each run ends (a call asks for a run at once). One run at a time (asked for during one, it
// follows it). None while the page is hidden: a run once it shows again. A failure shows in #error
// once, however often it repeats, and goes once a run works again.
// `run.changed()`, once the user's change is answered: what a run under way read is from before it,
// and `task(fresh)` sees fresh() false then (its answer is not shown; the run asked for next is).
export function every(ms, task) {
  let timer = null;
  let started = false;
  let running = false;
  let again = false;
  let generation = 0;

  async function run() {
    started = true;
    clearTimeout(timer);
    timer = null;
    if (running) {
      again = true;
      return;
    }
    if (document.hidden) return;
    running = true;
    const began = generation;
    try {
      await task(() => began === generation);
      clearError('refresh');
    } catch (error) {
      showError(error, 'refresh');
    } finally {
      running = false;
      if (again) {
        again = false;
        run();
      } else if (!document.hidden) {
        timer = setTimeout(run, ms);
      }
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(timer);
    else if (started) run();
  });
  run.changed = () => {
    generation += 1;
  };
  return run;
}

// The newest state seen of each order (its `updated_at`, to the second). An answer older than it (a
// list read from an index that lags behind a change this page made) is not shown: a card or a
// status never jumps back.
export class Newest {
  #seen = new Map();

  // Whether `order` is no older than any state of it seen before (and remember it).
  accept(order) {
    const last = this.#seen.get(order.id);
    if (last !== undefined && order.updated_at < last) return false;
    this.#seen.set(order.id, order.updated_at);
    return true;
  }
}
