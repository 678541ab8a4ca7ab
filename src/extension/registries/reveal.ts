import * as vscode from 'vscode';
import { Node, TagNode } from './nodes';
import type { RegistriesTreeProvider } from './treeProvider';

const ATTEMPTS = 3;

/**
 * Shows and selects a tag in the Registries view, whatever state the view is in: the registry row
 * collapsed, the repository not loaded, the tag on a later page. The tree loads what leads to the
 * tag (findTag), then the view expands the chain (getParent) and selects the row. The selection is
 * checked afterwards and the reveal tried again when the workbench was busy redrawing.
 * Undefined when the registry is not in the view or the tag does not exist.
 */
export async function revealTag(tree: RegistriesTreeProvider, view: vscode.TreeView<Node>, registry: string, repository: string, tag: string): Promise<TagNode | undefined> {
  for (let attempt = 1; ; attempt++) {
    const node = await tree.findTag(registry, repository, tag);
    if (!node) return undefined;
    try {
      await view.reveal(node, { select: true, focus: true, expand: true });
    } catch {
      // A redraw replaced a row of the chain while it was being expanded: the next try finds it again.
    }
    if (await selected(view, node.id) || attempt >= ATTEMPTS) return node;
    await new Promise((r) => setTimeout(r, 300 * attempt));
  }
}

/** The selection reaches the extension after the workbench applies it: wait a little for it. */
async function selected(view: vscode.TreeView<Node>, id: string): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    if (view.selection.some((n) => n.id === id)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
