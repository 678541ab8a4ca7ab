/**
 * Entry point of the Rebase Preview webview (bundled to dist/webview.js). It restores the last
 * model from the webview state at once, then asks the host for a fresh one with {type:'ready'}.
 */
import type { PackagesState, PushStatus, WebviewMessage, WebviewState } from '../src/shared/previewProtocol';
import { clear, el } from './dom';
import { PreviewHandlers, PreviewView, renderLoading, renderPreview } from './render';
import { registerToolkit } from './toolkit';
import { isPackagesState } from './packagesView';
import { isPreviewModel, isPushStatus, parseHostMessage } from './viewModel';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const handlers: PreviewHandlers = {
  push: () => post({ type: 'push' }),
  openRawDiff: () => post({ type: 'openRawDiff' }),
  cancel: () => post({ type: 'cancel' }),
  comparePackages: () => post({ type: 'comparePackages' }),
  cancelPackages: () => post({ type: 'cancelPackages' }),
};

let state: WebviewState = {};
let view: PreviewView | undefined;

function root(): HTMLElement {
  let app = document.getElementById('app');
  if (!app) {
    app = el('div', { attrs: { id: 'app' } });
    document.body.appendChild(app);
  }
  return app;
}

function showError(app: HTMLElement, err: unknown): void {
  clear(app);
  app.appendChild(
    el(
      'main',
      { className: 'preview', testId: 'render-error' },
      el('h1', { text: 'Rebase preview' }),
      el('p', { attrs: { role: 'alert' }, text: `The preview could not be shown: ${err instanceof Error ? err.message : String(err)}` }),
    ),
  );
  view = undefined;
}

function render(): void {
  const app = root();
  // A fresh model rebuilds the page; a keyboard user stays on the button they were on.
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.testid : undefined;
  try {
    view = state.model ? renderPreview(app, state.model, state.status, handlers, state.packages) : renderLoading(app, handlers);
  } catch (err) {
    showError(app, err);
    return;
  }
  if (focused) {
    const again = Array.from(app.querySelectorAll<HTMLElement>('[data-testid]')).find((e) => e.dataset.testid === focused);
    again?.focus();
  }
}

function updatePackages(packages: PackagesState): void {
  state = { ...state, packages };
  vscode.setState(state);
  view?.updatePackages(packages);
}

function updateStatus(status: PushStatus): void {
  state = { ...state, status };
  vscode.setState(state);
  if (view) view.updateStatus(status);
  else render();
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseHostMessage(event.data);
  if (!msg) return;
  if (msg.type === 'model') {
    state = { model: msg.model, status: msg.status, packages: state.packages };
    vscode.setState(state);
    render();
  } else if (msg.type === 'packages') {
    updatePackages(msg.packages);
  } else {
    updateStatus(msg.status);
  }
});

registerToolkit();
document.title = 'Rebase Preview';
const saved = vscode.getState() as WebviewState | undefined;
if (saved && isPreviewModel(saved.model)) {
  state = { model: saved.model, status: isPushStatus(saved.status) ? saved.status : undefined, packages: isPackagesState(saved.packages) ? saved.packages : undefined };
}
render();
post({ type: 'ready' });
