/** The demo page's theme switch: the page and the widget follow it (the widget through window.Parley). */
const button = document.querySelector<HTMLButtonElement>('#theme');

function apply(dark: boolean): void {
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
  window.Parley?.setTheme(dark ? 'dark' : 'light');
  if (button) {
    button.setAttribute('aria-pressed', String(dark));
    button.textContent = dark ? 'Light theme' : 'Dark theme';
  }
}

// The embed snippet names this server: its origin, and the prefix where Parley is mounted in a site (library mode).
const here = new URL('.', location.href).href.replace(/\/$/, '');
const snippet = document.querySelector('#snippet');
if (snippet) snippet.textContent = (snippet.textContent ?? '').replace('http://localhost:3000', here);

let dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
apply(dark);
button?.addEventListener('click', () => {
  dark = !dark;
  apply(dark);
});
// widget.js loads async: it announces itself with `parley:loaded` on window.
window.addEventListener('parley:loaded', () => apply(dark));

export {};
