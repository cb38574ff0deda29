// Small improvements that every page works without. Served from /assets/app.js (the pages'
// Content-Security-Policy allows scripts from the site itself only).
//
// A masked field marked data-reveal (a security answer) gets a "Show" button beside it, so a
// person can check what they typed without it being on screen all the time.
document.querySelectorAll('input[data-reveal]').forEach((input) => {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button-secondary reveal';
  button.textContent = 'Show';
  button.setAttribute('aria-controls', input.id);
  button.setAttribute('aria-pressed', 'false');
  const legend = input.closest('fieldset')?.querySelector('legend')?.textContent;
  const what = legend ? `the answer to ${legend.toLowerCase()}` : (input.labels?.[0]?.textContent ?? 'the answer');
  button.setAttribute('aria-label', `Show ${what}`);
  button.addEventListener('click', () => {
    const shown = input.type === 'text';
    input.type = shown ? 'password' : 'text';
    button.textContent = shown ? 'Show' : 'Hide';
    button.setAttribute('aria-label', `${shown ? 'Show' : 'Hide'} ${what}`);
    button.setAttribute('aria-pressed', String(!shown));
  });
  input.insertAdjacentElement('afterend', button);
});

// On a narrow screen a wide table scrolls within its own box (app.css); it then takes the
// keyboard's focus, so it can be scrolled without a pointer, and gives it up when it fits.
const scrollableTables = () => document.querySelectorAll('main table').forEach((table) => {
  if (table.scrollWidth > table.clientWidth + 1) {
    if (!table.hasAttribute('tabindex')) {
      table.tabIndex = 0;
      table.dataset.scrolls = 'yes';
    }
  } else if (table.dataset.scrolls) {
    table.removeAttribute('tabindex');
    delete table.dataset.scrolls;
  }
});
scrollableTables();
window.addEventListener('resize', scrollableTables);
