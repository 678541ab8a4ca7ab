/**
 * A shortened digest that keeps its whole value within reach of every user, not only of a mouse
 * tooltip: a real button (a Tab stop) whose accessible name is the full digest, whose full value
 * shows next to it on focus and hover, and which copies the full value on click, Enter or Space.
 * Text only, through dom.ts; no inline style or handler attribute (the panel's CSP forbids them).
 */
import { el } from './dom';
import { shortDigest } from '../src/shared/format';

let live: HTMLElement | undefined;

/** One polite live region for the whole page, so "Copied" is announced once per copy. */
function announce(text: string): void {
  if (!live || !live.isConnected) {
    live = el('div', { className: 'visually-hidden', testId: 'copy-status', attrs: { role: 'status', 'aria-live': 'polite' } });
    document.body.appendChild(live);
  }
  // Clear first: the same sentence twice in a row is announced again.
  live.textContent = '';
  const region = live;
  setTimeout(() => (region.textContent = text), 50);
}

function copyWithSelection(text: string): boolean {
  const area = el('textarea', { className: 'visually-hidden', attrs: { 'aria-hidden': 'true', readonly: '' } });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

async function copy(digest: string, button: HTMLElement): Promise<void> {
  const focused = document.activeElement;
  let ok = false;
  try {
    await navigator.clipboard.writeText(digest);
    ok = true;
  } catch {
    ok = copyWithSelection(digest);
    if (focused instanceof HTMLElement) focused.focus();
  }
  const mark = button.querySelector('.digest-copied');
  button.classList.toggle('copied', ok);
  button.dataset.copied = String(ok);
  // The mark is text only while it shows, so the page's text (and its tests) never carry it.
  if (mark) mark.textContent = ok ? ' copied' : '';
  announce(ok ? `Copied ${digest}` : `Could not copy. The digest is ${digest}`);
  setTimeout(() => {
    button.classList.remove('copied');
    if (mark) mark.textContent = '';
  }, 2000);
}

/** `digest` shortened to its first hex digits, the whole value in the name, on focus and on copy. */
export function digestRef(digest: string, testId = 'digest'): HTMLButtonElement {
  const button = el(
    'button',
    {
      className: 'digest-ref',
      testId,
      data: { digest },
      // The name holds the visible digits (they start the digest), so voice control finds it too.
      attrs: { type: 'button', 'aria-label': digest, title: 'Copy the full digest' },
    },
    el('code', { className: 'digest-short', text: shortDigest(digest), attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'digest-full', attrs: { 'aria-hidden': 'true' } }, el('code', { text: digest }), el('span', { className: 'digest-copied' })),
  );
  button.addEventListener('click', () => void copy(digest, button));
  return button;
}
