/**
 * The only file that knows about the component library (@vscode/webview-ui-toolkit, archived).
 * Swapping it for another library, or plain <button>s, means editing this file alone.
 */
import { provideVSCodeDesignSystem, vsCodeButton } from '@vscode/webview-ui-toolkit';

let registered = false;

/** Registers the few components this webview uses; call once before creating any of them. */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton());
}

export interface ActionButton {
  readonly element: HTMLElement;
  setLabel(label: string): void;
  setDisabled(disabled: boolean): void;
  isDisabled(): boolean;
  focus(): void;
}

export interface ButtonOptions {
  label: string;
  appearance: 'primary' | 'secondary';
  testId: string;
  onClick: () => void;
}

/** A focusable, keyboard-operable button (Enter and Space click it). */
export function createButton(opts: ButtonOptions): ActionButton {
  const el = document.createElement('vscode-button') as HTMLElement & { disabled: boolean };
  el.setAttribute('appearance', opts.appearance);
  el.dataset.testid = opts.testId;
  el.textContent = opts.label;
  el.addEventListener('click', () => {
    if (!el.disabled) opts.onClick();
  });
  return {
    element: el,
    setLabel: (label) => {
      if (el.textContent !== label) el.textContent = label;
    },
    setDisabled: (disabled) => {
      el.disabled = disabled;
      el.toggleAttribute('disabled', disabled);
      el.setAttribute('aria-disabled', String(disabled));
    },
    isDisabled: () => el.disabled,
    focus: () => el.focus(),
  };
}

/**
 * A small badge with fixed text, e.g. "foreign (not copied)". Plain markup styled by preview.css:
 * the toolkit's vscode-tag sets a style attribute, which the panel's CSP (no 'unsafe-inline') blocks.
 */
export function createTag(text: string, testId?: string): HTMLElement {
  const el = document.createElement('span');
  el.className = 'tag';
  el.textContent = text;
  if (testId) el.dataset.testid = testId;
  return el;
}
