import * as vscode from 'vscode';
import { RepositoryName } from '../../core/registry/client';
import { markdownEscape } from './format';
import { MessageNode, Node, errorNode } from './nodeBase';
import { TagNode } from './imageNodes';
import type { RegistryNode } from './registryNode';
import type { TreeContext } from './treeContext';

export class RepositoryNode extends Node {
  /** Tags fetched so far; some registries (Distribution 2.x) ignore `n` and send every tag at once. */
  tags: string[] | undefined;
  /** How many of `tags` are shown: paging happens here too, so a huge list stays cheap to render. */
  shown = 0;
  cursor: string | undefined;
  private readonly tagNodes = new Map<string, TagNode>();

  constructor(parent: Node, readonly repo: RepositoryName) {
    super(parent);
  }

  get id(): string {
    return `repo:${this.repo.registry}/${this.repo.repository}`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.repo.repository, vscode.TreeItemCollapsibleState.Collapsed);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon('repo');
    t.contextValue = 'repository';
    const md = new vscode.MarkdownString(`**${markdownEscape(this.repo.repository)}**  \n${markdownEscape(this.repo.registry)}`);
    if (this.tags) md.appendMarkdown(`\n\n${this.tags.length}${this.cursor ? '+' : ''} tags`);
    t.tooltip = md;
    return t;
  }

  async children(ctx: TreeContext): Promise<Node[]> {
    if (!this.tags) {
      try {
        const page = await ctx.client().listTags(this.repo, { pageSize: ctx.pageSize() });
        // Registries that send every tag at once send them in no useful order; a paged list must
        // keep the registry's order, or pages would overlap.
        this.tags = page.next ? page.items : [...page.items].sort(naturalOrder);
        this.cursor = page.next;
        this.shown = Math.min(ctx.pageSize(), this.tags.length);
      } catch (e) {
        return [errorNode(this, e, 'tags')];
      }
    }
    const nodes: Node[] = this.tags.slice(0, this.shown).map((tag) => this.tagNode(tag));
    if (this.cursor || this.shown < this.tags.length) nodes.push(new LoadMoreNode(this, 'tags'));
    if (!nodes.length) nodes.push(new MessageNode(this, 'No tags', 'empty'));
    return nodes;
  }

  async loadMore(ctx: TreeContext): Promise<void> {
    if (!this.tags) return;
    if (this.shown >= this.tags.length && this.cursor) {
      const page = await ctx.client().listTags(this.repo, { cursor: this.cursor });
      this.tags = [...this.tags, ...page.items];
      this.cursor = page.next;
    }
    this.shown = Math.min(this.shown + ctx.pageSize(), this.tags.length);
  }

  tagNode(tag: string): TagNode {
    let n = this.tagNodes.get(tag);
    if (!n) this.tagNodes.set(tag, (n = new TagNode(this, { ...this.repo, reference: tag })));
    return n;
  }

  reset(): void {
    this.tags = undefined;
    this.cursor = undefined;
    this.shown = 0;
    this.tagNodes.clear();
  }
}

export class LoadMoreNode extends Node {
  constructor(parent: RegistryNode | RepositoryNode, readonly what: 'repositories' | 'tags') {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/more`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon('ellipsis');
    t.contextValue = 'loadMore';
    t.tooltip = new vscode.MarkdownString(`Load the next page of ${this.what}`);
    t.command = { command: 'imageRebase.loadMore', title: 'Load More', arguments: [this] };
    return t;
  }
}

const collator = new Intl.Collator('en', { numeric: true });
function naturalOrder(a: string, b: string): number {
  return collator.compare(a, b);
}
