import * as vscode from 'vscode';
import { Services } from '../services';
import { Node } from '../registries/nodes';
import { RegistriesTreeProvider } from '../registries/treeProvider';
import { BaseUpdatesProvider } from './baseUpdatesView';
import { CheckArgs, checkBaseUpdates } from './check';
import { FleetStore } from './store';
import { FleetPanel } from './panel';
import { RebaseAllArgs, rebaseOutdated } from './rebaseAll';
import { parseReferenceWithDefaultTag } from '../../core/reference';

/** What the extension-host tests reach through the extension's API. */
export interface FleetApi {
  store: FleetStore;
  baseUpdates: BaseUpdatesProvider;
}

/**
 * Issue 13 in the editor: Check Base Updates (tree marks and the Base Updates view), Rebase
 * Outdated Images… (one preview, Push all, a result table) and Undo Rebase.
 */
export function register(services: Services, explorer: { tree: RegistriesTreeProvider }): { disposables: vscode.Disposable[]; api: FleetApi } {
  const store = new FleetStore();
  const baseUpdates = new BaseUpdatesProvider(store);
  const view = vscode.window.createTreeView('imageRebase.baseUpdates', { treeDataProvider: baseUpdates });
  const setCount = () => void vscode.commands.executeCommand('setContext', 'imageRebase.outdatedCount', store.outdated().length);
  setCount();
  let last: FleetPanel | undefined;
  // Tags pushed or put back: their rows reload, and their scan results no longer hold.
  const changed = (targets: string[], images: string[], how: 'pushed' | 'undone') => {
    for (const t of targets) {
      const ref = parseReferenceWithDefaultTag(t);
      explorer.tree.refreshRepository({ registry: ref.registry, repository: ref.repository });
    }
    if (how === 'pushed') store.forget(images);
    else store.unforget(images);
  };
  const disposables: vscode.Disposable[] = [
    store,
    baseUpdates,
    view,
    store.onDidChange(setCount),
    vscode.commands.registerCommand('imageRebase.checkBaseUpdates', (arg?: Node | CheckArgs) => checkBaseUpdates(services, store, arg)),
    vscode.commands.registerCommand('imageRebase.rebaseOutdated', async (args?: RebaseAllArgs) => {
      const panel = await rebaseOutdated(services, store, changed, args && typeof args === 'object' && 'mode' in args ? args : {});
      if (panel) {
        last = panel;
        panel.session.onDidChange((s) => void vscode.commands.executeCommand('setContext', 'imageRebase.canUndo', s.phase === 'pushed'));
      }
      return panel;
    }),
    // The palette's Undo: the last fleet push (the result table has its own button).
    vscode.commands.registerCommand('imageRebase.undoRebase', async () => {
      if (last?.session.state.phase === 'pushed') return last.session.undo();
      services.showInfo('There is no pushed rebase to undo in this window.');
    }),
  ];
  return { disposables, api: { store, baseUpdates } };
}
