/**
 * Redraws of tag rows in the Registries view that do not undo a reveal. A redraw of a row the
 * workbench has not loaded yet (a tag under a collapsed registry) makes it redraw the whole tree,
 * which undoes a reveal under way: such tags are redrawn when their repository is expanded instead.
 */
import * as vscode from 'vscode';
import type { Node, TagNode } from './nodes';

export class TagRedraws {
  /** Ids of the rows the view has expanded, and tags summarised under rows it has not. */
  private readonly expanded = new Set<string>();
  private readonly unseen = new Map<string, Set<TagNode>>();
  private tracking = false;

  constructor(private readonly fire: (node: Node) => void) {}

  /** Follows which rows `view` has expanded; until then every redraw goes through at once. */
  track(view: vscode.TreeView<Node>): vscode.Disposable {
    this.tracking = true;
    return vscode.Disposable.from(
      view.onDidExpandElement(({ element }) => {
        this.expanded.add(element.id);
        const waiting = this.unseen.get(element.id);
        this.unseen.delete(element.id);
        for (const tag of waiting ?? []) this.fire(tag);
      }),
      view.onDidCollapseElement(({ element }) => this.expanded.delete(element.id)),
    );
  }

  redraw(tag: TagNode): void {
    const repo = tag.parent!;
    if (!this.tracking || this.expanded.has(repo.id)) return this.fire(tag);
    const waiting = this.unseen.get(repo.id) ?? new Set<TagNode>();
    this.unseen.set(repo.id, waiting.add(tag));
  }

  /** The whole tree reloads: tags waiting for their repository to expand are forgotten. */
  clear(): void {
    this.unseen.clear();
  }
}
