// /app/: sign in (a manager goes to the board, a customer to the menu) and sign up.
import { clearError, focusIfLost, showError } from './dom.js';
import { setUpHeader, signIn, signUp, takeNotice } from './session.js';

function home(account) {
  return account.role === 'manager' ? '/app/board.html' : '/app/menu.html';
}

function handle(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button.disabled) return;
    button.disabled = true;
    clearError();
    try {
      const target = await action(new FormData(form));
      location.assign(target);
    } catch (error) {
      showError(error);
      button.disabled = false;
      focusIfLost(button); // lost when it was disabled
    }
  });
}

handle(document.getElementById('sign-in'), async (data) => {
  const account = await signIn(String(data.get('username')).trim(), String(data.get('password')));
  return home(account);
});

handle(document.getElementById('sign-up'), async (data) => {
  await signUp(String(data.get('email')).trim(), String(data.get('password')));
  return '/app/menu.html';
});

const notice = takeNotice();
if (notice) {
  const box = document.getElementById('notice');
  box.textContent = notice;
  box.hidden = false;
}

const account = await setUpHeader();
if (account) {
  document.getElementById('signed-in-email').textContent = account.email;
  document.getElementById('continue').href = home(account);
  document.getElementById('signed-in').hidden = false;
}
