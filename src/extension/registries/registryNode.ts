import * as vscode from 'vscode';
import { markdownEscape } from './format';
import { MessageNode, Node, errorNode } from './nodeBase';
import { RegistryHealth, registryHealth } from './problems';
import { LoadMoreNode, RepositoryNode } from './repositoryNode';
import type { TreeContext } from './treeContext';

export class RegistryNode extends Node {
  /** Pages loaded so far; kept so "Load more…" appends instead of reloading. */
  repositories: string[] | undefined;
  cursor: string | undefined;
  catalogFailed = false;
  signedIn = false;
  /**
   * What the registry last said about itself (a /v2/ check or a catalog page), shown on the row
   * so a collapsed registry tells its state. Kept across reloads until a newer answer replaces it,
   * so the row does not flicker back to healthy while it is asked again.
   */
  health: RegistryHealth | undefined;
  /** Counts catalog answers: a /v2/ check that started before the latest one must not undo it. */
  catalogAnswers = 0;
  /** Whether the /v2/ check has run since the last reload. */
  checked = false;
  /** The failure row of the last catalog load: it stays until Retry or Refresh asks again. */
  private failure: MessageNode | undefined;
  /** Child nodes are kept so their own loaded pages survive a redraw of this one. */
  private readonly repoNodes = new Map<string, RepositoryNode>();

  constructor(readonly registry: string) {
    super(undefined);
  }

  get id(): string {
    return `registry:${this.registry}`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.registry, vscode.TreeItemCollapsibleState.Collapsed);
    t.id = this.id;
    t.contextValue = `registry ${this.signedIn ? 'signedIn' : 'signedOut'}`;
    const h = this.health;
    // Stored credentials that the registry refuses are not "sign in required": they are wrong.
    const state = h && (h.signIn && this.signedIn ? 'credentials refused' : h.description);
    t.description = [this.signedIn ? 'signed in' : undefined, state].filter(Boolean).join(' · ') || undefined;
    t.iconPath = h
      ? new vscode.ThemeIcon(h.severity, new vscode.ThemeColor(h.severity === 'error' ? 'list.errorForeground' : 'list.warningForeground'))
      : new vscode.ThemeIcon('server');
    const md = new vscode.MarkdownString(`**${markdownEscape(this.registry)}**`);
    if (this.signedIn) md.appendMarkdown('\n\nSigned in with credentials stored in VS Code.');
    if (h) md.appendMarkdown(`\n\n${markdownEscape(h.message)}`);
    t.tooltip = md;
    return t;
  }

  /** Records an answer; true when the row reads differently now. */
  setHealth(health: RegistryHealth | undefined): boolean {
    const before = this.health;
    this.health = health;
    return before?.description !== health?.description || before?.message !== health?.message;
  }

  async children(ctx: TreeContext): Promise<Node[]> {
    const configured = ctx.configuredRepositories(this.registry).map((r) => this.repositoryNode(r));
    if (this.failure) return [this.failure, ...configured];
    if (!this.repositories && !this.catalogFailed) {
      try {
        const page = await ctx.client().catalog(this.registry, { pageSize: ctx.pageSize() });
        this.repositories = page.items;
        this.cursor = page.next;
        this.noteCatalog(ctx, undefined);
      } catch (e) {
        this.noteCatalog(ctx, registryHealth(e, 'catalog'));
        const problem = errorNode(this, e, 'repositories');
        // A registry without a usable catalog (Docker Hub, GHCR) still shows what the user added;
        // a failure that may pass keeps its row, so the catalog is not given up on for good.
        if (configured.length && problem.kind !== 'retry') {
          this.catalogFailed = true;
          return configured;
        }
        this.failure = problem;
        return [problem, ...configured];
      }
    }
    const fromCatalog = (this.repositories ?? [])
      .filter((r) => !configured.some((c) => c.repo.repository === r))
      .map((r) => this.repositoryNode(r));
    const nodes: Node[] = [...configured, ...fromCatalog];
    if (this.cursor) nodes.push(new LoadMoreNode(this, 'repositories'));
    if (!nodes.length) nodes.push(new MessageNode(this, 'No repositories', 'empty', { tooltip: 'The catalog is empty. Use "Add Repository…" to show one by name.' }));
    return nodes;
  }

  private noteCatalog(ctx: TreeContext, health: RegistryHealth | undefined): void {
    this.catalogAnswers++;
    if (this.setHealth(health)) ctx.healthChanged(this);
  }

  async loadMore(ctx: TreeContext): Promise<void> {
    if (!this.cursor) return;
    const page = await ctx.client().catalog(this.registry, { cursor: this.cursor });
    this.repositories = [...(this.repositories ?? []), ...page.items];
    this.cursor = page.next;
  }

  repositoryNode(repository: string): RepositoryNode {
    let n = this.repoNodes.get(repository);
    if (!n) this.repoNodes.set(repository, (n = new RepositoryNode(this, { registry: this.registry, repository })));
    return n;
  }

  reset(): void {
    this.repositories = undefined;
    this.cursor = undefined;
    this.catalogFailed = false;
    this.failure = undefined;
    this.checked = false;
    this.repoNodes.clear();
  }
}
