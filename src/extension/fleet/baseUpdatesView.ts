import * as vscode from 'vscode';
import { oneLine } from '../../shared/sanitize';
import { FleetStore, OutdatedImage, shortBase } from './store';

/** A row of the Base Updates view: a base tag, or an outdated image under it. */
export type BaseUpdateNode = { kind: 'base'; base: string; images: OutdatedImage[] } | { kind: 'image'; image: OutdatedImage };

/** The "Base Updates" view: the outdated images of the last checks, grouped by their base tag. */
export class BaseUpdatesProvider implements vscode.TreeDataProvider<BaseUpdateNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listener: vscode.Disposable;

  constructor(private readonly store: FleetStore) {
    this.listener = store.onDidChange(() => this.changed.fire());
  }

  getChildren(node?: BaseUpdateNode): BaseUpdateNode[] {
    if (node) return node.kind === 'base' ? node.images.map((image) => ({ kind: 'image', image })) : [];
    const groups = new Map<string, OutdatedImage[]>();
    for (const o of this.store.outdated()) groups.set(o.base, [...(groups.get(o.base) ?? []), o]);
    return [...groups].map(([base, images]) => ({ kind: 'base', base, images }));
  }

  getTreeItem(node: BaseUpdateNode): vscode.TreeItem {
    if (node.kind === 'base') {
      const t = new vscode.TreeItem(shortBase(node.base), vscode.TreeItemCollapsibleState.Expanded);
      t.id = `base:${node.base}`;
      t.description = `${node.images.length} outdated`;
      t.tooltip = node.base;
      t.iconPath = new vscode.ThemeIcon('layers');
      t.contextValue = 'fleetBase';
      return t;
    }
    const o = node.image;
    // The registry is the same for most rows; "repo:tag" is what tells them apart.
    const t = new vscode.TreeItem(o.image.slice(o.image.indexOf('/') + 1), vscode.TreeItemCollapsibleState.None);
    t.id = `image:${o.base}:${o.image}`;
    // The sidebar is narrow: the date fits, platforms go to the tooltip.
    // The date and platforms come from the registry's config: one line each, bounded.
    const since = oneLine(o.since ?? '', 60);
    t.description = o.since ? `since ${since}` : 'base tag gone';
    t.tooltip = `${o.image} (${oneLine(o.platforms.join(', '), 1000) || 'platform unknown'})\nbase ${o.base} ${o.since ? `points to a newer image since ${since}` : 'no longer points to an image for it'}`;
    t.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    t.contextValue = 'fleetImage';
    return t;
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
