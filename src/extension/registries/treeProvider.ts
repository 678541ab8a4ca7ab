import * as vscode from 'vscode';
import { isIndexType } from '../../core/mediaTypes';
import { ImageIndex, ImageManifest } from '../../core/manifest';
import { imageChildren, formatPlatform } from '../../core/rebase/fetchImage';
import { RegistryClient } from '../../core/registry/client';
import { parseReference } from '../../core/reference';
import { isDockerHub, registryHostname } from '../../core/auth/credentials';
import { Services } from '../services';
import { ImageCache } from './imageCache';
import { Node, RegistryNode, RepositoryNode, TagNode } from './nodes';
import { RegistryHealth, registryHealth } from './problems';
import { PackagesNode } from './packagesNode';
import { fleetMarks } from './fleetMarks';
import { ensureSqlWasm, packageCacheDir } from '../packageSetup';

/** What nodes need from their surroundings; an interface so nodes stay free of wiring. */
export interface TreeContext {
  client(): RegistryClient;
  cache(): ImageCache;
  pageSize(): number;
  configuredRepositories(registry: string): string[];
  /** Where layer scans are cached (shared with the Rebase Preview). */
  packageCacheDir(): string;
  /** Readies the package engine (sql.js's WASM) before the first read. */
  preparePackages(): void;
  /** Aborted when the whole tree reloads: reads for rows that are gone stop. */
  packageSignal(): AbortSignal;
  /** A registry row's state changed (a catalog answer): redraw it, collapsed or not. */
  healthChanged(node: RegistryNode): void;
}

/** Tag descriptions need a manifest and a config each: fetched a few at a time, after the page shows. */
const SUMMARY_CONCURRENCY = 4;

export class RegistriesTreeProvider implements vscode.TreeDataProvider<Node>, TreeContext, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RegistryNode[] = [];
  private readonly queue: TagNode[] = [];
  private running = 0;
  private generation = 0;
  private packageReads = new AbortController();
  /** Ids of the rows the view has expanded, and tags summarised under rows it has not. */
  private readonly expanded = new Set<string>();
  private readonly unseen = new Map<string, Set<TagNode>>();
  private tracking = false;
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
    for (const c of children) if (c instanceof TagNode && !c.summary && !c.summaryError) this.enqueueSummary(c);
    return children;
  }

  /** Reloads a node (or everything): drops its pages and cached tag targets. */
  refresh(node?: Node): void {
    if (!node) {
      this.generation++;
      this.packageReads.abort();
      this.packageReads = new AbortController();
      this.queue.length = 0;
      this.unseen.clear();
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

  /**
   * Follows which rows the view has expanded. A redraw of a row the workbench has not loaded yet
   * (a tag under a collapsed registry) makes it redraw the whole tree, which undoes a reveal under
   * way: such tags are redrawn when their repository is expanded instead.
   */
  trackView(view: vscode.TreeView<Node>): vscode.Disposable {
    this.tracking = true;
    return vscode.Disposable.from(
      view.onDidExpandElement(({ element }) => {
        this.expanded.add(element.id);
        const waiting = this.unseen.get(element.id);
        this.unseen.delete(element.id);
        for (const tag of waiting ?? []) this.changed.fire(tag);
      }),
      view.onDidCollapseElement(({ element }) => this.expanded.delete(element.id)),
    );
  }

  private redrawTag(tag: TagNode): void {
    const repo = tag.parent!;
    if (!this.tracking || this.expanded.has(repo.id)) return this.changed.fire(tag);
    const waiting = this.unseen.get(repo.id) ?? new Set<TagNode>();
    this.unseen.set(repo.id, waiting.add(tag));
  }

  async loadMore(node: RegistryNode | RepositoryNode): Promise<void> {
    await node.loadMore(this);
    this.changed.fire(node);
  }

  /** Fills in a tag's summary (digest, created, platforms) and redraws just that row. */
  async summarize(tag: TagNode): Promise<void> {
    try {
      const m = await this.cache().manifest(tag.ref);
      if (isIndexType(m.mediaType)) {
        const index = m.manifest as ImageIndex;
        tag.summary = { digest: m.digest, mediaType: m.mediaType, kind: 'index', platforms: imageChildren(index).map((d) => formatPlatform(d.platform!)) };
      } else {
        const manifest = m.manifest as ImageManifest;
        const config = await this.cache().config(tag.ref, manifest.config.digest);
        tag.summary = {
          digest: m.digest,
          mediaType: m.mediaType,
          kind: 'image',
          created: config.created,
          size: manifest.layers.reduce((n, l) => n + (l.size ?? 0), manifest.config.size ?? 0),
          platforms: [formatPlatform(config)],
        };
      }
    } catch (e) {
      tag.summaryError = (e as Error).message;
    }
    this.redrawTag(tag);
  }

  private enqueueSummary(tag: TagNode): void {
    this.queue.push(tag);
    this.pump();
  }

  private pump(): void {
    const generation = this.generation;
    while (this.running < SUMMARY_CONCURRENCY && this.queue.length) {
      const tag = this.queue.shift()!;
      this.running++;
      void this.summarize(tag).finally(() => {
        this.running--;
        if (generation === this.generation) this.pump();
      });
    }
  }

  dispose(): void {
    this.marksListener.dispose();
    this.packageReads.abort();
    this.queue.length = 0;
    this.changed.dispose();
  }
}

/** "HTTP://Localhost:5000/" and "localhost:5000" are the same registry; Docker Hub has one name. */
export function normaliseRegistry(s: string): string {
  return isDockerHub(s) ? 'docker.io' : registryHostname(s);
}
