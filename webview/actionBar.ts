/**
 * The Rebase Preview's action bar: Push, Open Raw Diff and Cancel, and the live status line that
 * says where a push is. What the buttons say and allow comes from statusView in viewModel.ts.
 */
import type { PushStatus } from '../src/shared/previewProtocol';
import { append, clear, el } from './dom';
import { createButton } from './toolkit';
import { statusView } from './viewModel';

export interface ActionHandlers {
  push(): void;
  openRawDiff(): void;
  cancel(): void;
}

export interface ActionBar {
  node: HTMLElement;
  updateStatus(status: PushStatus | undefined): void;
}

/** The action bar. Without a model (the loading page) there is nothing to push or diff yet. */
export function renderActions(handlers: ActionHandlers, hasModel: boolean): ActionBar {
  let pushRequested = false;
  let last: PushStatus | undefined;
  const status = el('div', { className: 'status', testId: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const push = createButton({
    label: 'Push',
    appearance: 'primary',
    testId: 'push-button',
    onClick: () => {
      pushRequested = true;
      apply(last);
      handlers.push();
    },
  });
  const rawDiff = createButton({ label: 'Open Raw Diff', appearance: 'secondary', testId: 'raw-diff-button', onClick: () => handlers.openRawDiff() });
  const cancel = createButton({ label: 'Cancel', appearance: 'secondary', testId: 'cancel-button', onClick: () => handlers.cancel() });
  rawDiff.setDisabled(!hasModel);

  let shown = '';
  function apply(s: PushStatus | undefined): void {
    const v = statusView(s, hasModel, pushRequested);
    const hadFocus = document.activeElement === push.element;
    push.setLabel(v.pushLabel);
    push.setDisabled(v.pushDisabled);
    cancel.setLabel(v.cancelLabel);
    // A disabled button drops focus to the page; keep keyboard users on the actions.
    if (hadFocus && v.pushDisabled) cancel.focus();
    status.dataset.phase = v.phase;
    status.setAttribute('aria-busy', String(v.busy));
    const key = `${v.phase}\n${v.text}\n${v.digest ?? ''}`;
    if (key !== shown) {
      // Only touch the live region when its text changes, so nothing is announced twice.
      shown = key;
      clear(status);
      append(status, v.text && el('span', { className: 'status-text', text: v.text }), v.digest && ' ', v.digest && el('code', { className: 'status-digest', testId: 'status-digest', text: v.digest }));
    }
  }

  const node = el('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Actions' } }, el('div', { className: 'buttons' }, push.element, rawDiff.element, cancel.element), status);
  const updateStatus = (s: PushStatus | undefined) => {
    pushRequested = false;
    last = s;
    apply(s);
  };
  apply(undefined);
  return { node, updateStatus };
}
