import * as vscode from 'vscode';
import { markdownEscape } from './format';
import { describeProblem } from './problems';
import type { TreeContext } from './treeContext';

/**
 * Every row of the Registries view. `contextValue`s start with the kind (registry, repository,
 * tag.image, tag.index, platform, layer, config) and drive the menus in package.json.
 */
export abstract class Node {
  constructor(readonly parent: Node | undefined) {}
  abstract item(): vscode.TreeItem;
  children(_ctx: TreeContext): Promise<Node[]> {
    return Promise.resolve([]);
  }
  /** A stable id keeps expansion state across refreshes. */
  abstract readonly id: string;
}

export type MessageKind = 'signIn' | 'retry' | 'empty' | 'error' | 'addRepository';

/** Errors are rows, not dialogs: they say what happened and offer the one action that helps. */
export class MessageNode extends Node {
  constructor(
    parent: Node | undefined,
    readonly label: string,
    readonly kind: MessageKind,
    readonly opts: { tooltip?: string; command?: vscode.Command } = {},
  ) {
    super(parent);
  }

  get id(): string {
    return `${this.parent?.id ?? ''}/message:${this.kind}`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon(this.kind === 'signIn' ? 'account' : this.kind === 'retry' || this.kind === 'error' ? 'warning' : 'info');
    t.contextValue = this.kind === 'retry' ? 'error.retry' : `message.${this.kind}`;
    // Markdown, not a plain string: a plain tooltip would replace the row's accessible name.
    if (this.opts.tooltip) t.tooltip = new vscode.MarkdownString(markdownEscape(this.opts.tooltip));
    t.command = this.opts.command;
    return t;
  }
}

/** The registry rows are the roots of the tree. */
function registryOf(node: Node): string {
  let n = node;
  while (n.parent) n = n.parent;
  return (n as { registry?: string }).registry ?? '';
}

export function errorNode(parent: Node, e: unknown, what: string): MessageNode {
  const p = describeProblem(e, what, parent.parent === undefined && 'registry' in parent);
  switch (p.action) {
    case 'signIn':
      return new MessageNode(parent, p.label, 'signIn', {
        tooltip: p.message,
        command: { command: 'imageRebase.signIn', title: 'Sign In…', arguments: [registryOf(parent)] },
      });
    case 'retry':
      return new MessageNode(parent, p.label, 'retry', {
        tooltip: p.message,
        command: { command: 'imageRebase.retry', title: 'Retry', arguments: [parent] },
      });
    case 'addRepository':
      return new MessageNode(parent, p.label, 'addRepository', {
        tooltip: p.message,
        command: { command: 'imageRebase.addRepository', title: 'Add Repository…', arguments: [parent] },
      });
    default:
      return new MessageNode(parent, p.label, 'error', { tooltip: p.message });
  }
}

