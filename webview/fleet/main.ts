/**
 * Entry point of the "Rebase Outdated Images" webview (bundled to dist/fleet.js). Restores the last
 * model from the webview state at once, then asks the host for a fresh one with {type:'ready'}.
 */
import type { FleetModel, FleetState, FleetWebviewMessage, FleetWebviewState } from '../../src/shared/fleetProtocol';
import { registerToolkit } from '../toolkit';
import { FleetHandlers, renderFleet } from './render';
import { isFleetModel, isFleetState, parseFleetHostMessage } from './viewModel';

interface VsCodeApi {
  postMessage(message: FleetWebviewMessage): void;
  getState(): unknown;
  setState(state: FleetWebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: FleetWebviewMessage) => vscode.postMessage(m);
const handlers: FleetHandlers = {
  setIncluded: (id, included) => post({ type: 'setIncluded', id, included }),
  pushAll: () => post({ type: 'pushAll' }),
  undo: () => post({ type: 'undo' }),
  cancel: () => post({ type: 'cancel' }),
};

let model: FleetModel | undefined;
let state: FleetState | undefined;

function render(): void {
  const app = document.getElementById('app')!;
  if (!model || !state) {
    app.textContent = 'Loading the planned rebases…';
    return;
  }
  // Redrawn whole on each change: a few dozen rows; the focused control is found again by its row.
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused?.dataset.testid ? `${focused.closest('tr')?.dataset.id ?? ''}|${focused.dataset.testid}` : undefined;
  renderFleet(app, model, state, handlers);
  if (focusKey) {
    for (const e of Array.from(app.querySelectorAll<HTMLElement>('[data-testid]'))) {
      if (`${e.closest('tr')?.dataset.id ?? ''}|${e.dataset.testid}` === focusKey) e.focus();
    }
  }
  vscode.setState({ model, state });
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseFleetHostMessage(event.data);
  if (!msg) return;
  if (msg.type === 'model') model = msg.model;
  state = msg.state;
  render();
});

registerToolkit();
const saved = vscode.getState() as FleetWebviewState | undefined;
if (saved && isFleetModel(saved.model) && isFleetState(saved.state)) ({ model, state } = saved);
render();
post({ type: 'ready' });
