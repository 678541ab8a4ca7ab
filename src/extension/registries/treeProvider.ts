/**
 * The Registries view's data: registries from settings as roots, children loaded by the nodes
 * themselves, background /v2/ checks, reloads, and finding a tag's node to reveal it.
 */
import * as vscode from 'vscode';
import { RegistryClient } from '../../core/registry/client';
import { parseReference } from '../../core/reference';
import { isDockerHub, registryHostname } from '../../core/auth/registryKeys';
import { Services } from '../services';
import { ImageCache } from './imageCache';
import { Node, RegistryNode, RepositoryNode, TagNode } from './nodes';
import { RegistryHealth, registryHealth } from './problems';
import { PackagesNode } from './packagesNode';
import { fleetMarks } from './fleetMarks';
import { ensureSqlWasm, packageCacheDir } from '../packageSetup';
import { TagRedraws } from './tagRedraws';
import { TagSummaries } from './tagSummaries';
import type { TreeContext } from './treeContext';

export class RegistriesTreeProvider implements vscode.TreeDataProvider<Node>, TreeContext, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RegistryNode[] = [];
  private readonly redraws = new TagRedraws((node) => this.changed.fire(node));
  private readonly summaries = new TagSummaries(
    () => this.cache(),
    (tag) => this.redraws.redraw(tag),
  );
  private packageReads = new AbortController();
  /** Health known before a registry's row exists (Add Registry's check), taken by the new row. */
  private readonly knownHealth = new Map<string, RegistryHealth>();

  private readonly marksListener: vscode.Disposable;

  constructor(private readonly services: Services) {
    // Base-update marks live outside the tree (fleetMarks.ts); rows redraw when they change.
    this.marksListener = fleetMarks.onDidChange(() => this.changed.fire(undefined));
  }

  client(): RegistryClient {
    return this.services.client;
  }

  cache(): ImageCache {
    return this.services.cache;
  }

  pageSize(): number {
    return this.services.settings.pageSize;
  }

  packageCacheDir(): string {
    return packageCacheDir(this.services.context);
  }

  preparePackages(): void {
    ensureSqlWasm(this.services.context);
  }

  packageSignal(): AbortSignal {
    return this.packageReads.signal;
  }

  healthChanged(node: RegistryNode): void {
    this.changed.fire(node);
  }

  /** Remembers a registry's state for its row to show at once, before its own check answers. */
  noteHealth(registry: string, health: RegistryHealth | undefined): void {
    const node = this.roots.find((r) => r.registry === registry);
    if (node) {
      if (node.setHealth(health)) this.changed.fire(node);
    } else if (health) {
      this.knownHealth.set(registry, health);
    }
  }

  configuredRepositories(registry: string): string[] {
    const out: string[] = [];
    for (const entry of this.services.settings.repositories) {
      try {
        const ref = parseReference(entry);
        if (ref.registry === registry) out.push(ref.repository);
      } catch {
        // An invalid entry in settings is skipped rather than breaking the view.
      }
    }
    return out;
  }

  /** Registries from settings, keeping node state (pages loaded) for those that stay. */
  registries(): RegistryNode[] {
    const wanted = this.services.settings.registries.map(normaliseRegistry);
    this.roots = wanted.map((r) => this.roots.find((n) => n.registry === r) ?? this.newRoot(r));
    return this.roots;
  }

  private newRoot(registry: string): RegistryNode {
    const node = new RegistryNode(registry);
    node.health = this.knownHealth.get(registry);
    this.knownHealth.delete(registry);
    return node;
  }

  /**
   * GET /v2/ in the background, so a collapsed registry row says whether the registry answers
   * (unreachable, sign in required…) without being expanded. A catalog answer that lands first
   * is newer news and wins.
   */
  private check(node: RegistryNode): void {
    node.checked = true;
    const answers = node.catalogAnswers;
    void this.client()
      .ping(node.registry)
      .then(
        () => undefined,
        (e: unknown) => registryHealth(e, 'check'),
      )
      .then((health) => {
        if (node.catalogAnswers !== answers || !this.roots.includes(node)) return;
        if (node.setHealth(health)) this.changed.fire(node);
      });
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node.item();
  }

  getParent(node: Node): Node | undefined {
    return node.parent;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const roots = this.registries();
      await Promise.all(roots.map(async (r) => (r.signedIn = await this.services.secrets.has(r.registry))));
      for (const r of roots) if (!r.checked) this.check(r);
      return roots;
    }
    const children = await node.children(this);
    for (const c of children) if (c instanceof TagNode && !c.summary && !c.summaryError) this.summaries.enqueue(c);
    return children;
  }

  /** Reloads a node (or everything): drops its pages and cached tag targets. */
  refresh(node?: Node): void {
    if (!node) {
      this.packageReads.abort();
      this.packageReads = new AbortController();
      this.summaries.restart();
      this.redraws.clear();
      for (const r of this.roots) r.reset();
      this.services.cache.invalidate();
    } else if (node instanceof RegistryNode) {
      node.reset();
      this.check(node);
    } else if (node instanceof RepositoryNode) {
      node.reset();
      this.services.cache.invalidate(node.repo);
    } else if (node instanceof TagNode) {
      this.services.cache.invalidate(node.ref);
      node.summary = undefined;
      node.summaryError = undefined;
    } else if (node instanceof PackagesNode) {
      node.reset();
    }
    this.changed.fire(node);
  }

  /** After a push: the repository's tags changed. Reloads it if it is in the tree. */
  refreshRepository(repo: { registry: string; repository: string }): void {
    const registry = this.roots.find((r) => r.registry === repo.registry);
    if (!registry) return;
    this.services.cache.invalidate(repo);
    const node = registry.repositoryNode(repo.repository);
    node.reset();
    this.changed.fire(node);
  }

  /**
   * The node of a tag, loading the levels above it and every page up to the one that holds it
   * (catalog pages for the repository, tag pages for the tag); undefined when its registry is not
   * shown or the registry says the tag does not exist.
   */
  async findTag(registry: string, repository: string, tag: string): Promise<TagNode | undefined> {
    const root = this.registries().find((r) => r.registry === registry);
    if (!root) return undefined;
    await root.children(this);
    // The repository row must be among the registry's children, or the view cannot reveal it.
    while (root.cursor && !root.repositories?.includes(repository) && !this.configuredRepositories(registry).includes(repository)) await root.loadMore(this);
    const repo = root.repositoryNode(repository);
    await repo.children(this);
    if (!repo.tags) return undefined;
    while (!repo.tags.includes(tag) && repo.cursor) await repo.loadMore(this);
    const index = repo.tags.indexOf(tag);
    if (index < 0) return undefined;
    if (index >= repo.shown) {
      repo.shown = index + 1;
      this.changed.fire(repo);
    }
    return repo.tagNode(tag);
  }

  /** Follows which rows the view has expanded, so tag redraws do not undo a reveal (tagRedraws.ts). */
  trackView(view: vscode.TreeView<Node>): vscode.Disposable {
    return this.redraws.track(view);
  }

  async loadMore(node: RegistryNode | RepositoryNode): Promise<void> {
    await node.loadMore(this);
    this.changed.fire(node);
  }

  dispose(): void {
    this.marksListener.dispose();
    this.packageReads.abort();
    this.summaries.clear();
    this.changed.dispose();
  }
}

/** "HTTP://Localhost:5000/" and "localhost:5000" are the same registry; Docker Hub has one name. */
export function normaliseRegistry(s: string): string {
  return isDockerHub(s) ? 'docker.io' : registryHostname(s);
}
