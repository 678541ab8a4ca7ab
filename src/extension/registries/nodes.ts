import * as vscode from 'vscode';
import { Descriptor, ImageConfig } from '../../core/manifest';
import { shortDigest } from '../../core/digest';
import { layerHistory } from '../../core/rebase/history';
import { imageChildren, formatPlatform } from '../../core/rebase/fetchImage';
import { RepositoryName } from '../../core/registry/client';
import { ImageRef } from './imageCache';
import { baseLayerCount } from './baseMarks';
import { fleetMarks } from './fleetMarks';
import { formatBytes, formatDate, markdownEscape, plainText } from './format';
import { MessageNode, Node, errorNode } from './nodeBase';
import { PackagesNode } from './packagesNode';
import type { TreeContext } from './treeProvider';

export { MessageNode, Node, type MessageKind } from './nodeBase';

export class RegistryNode extends Node {
  /** Pages loaded so far; kept so "Load more…" appends instead of reloading. */
  repositories: string[] | undefined;
  cursor: string | undefined;
  catalogFailed = false;
  signedIn = false;
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
    t.iconPath = new vscode.ThemeIcon('server');
    t.contextValue = `registry ${this.signedIn ? 'signedIn' : 'signedOut'}`;
    t.description = this.signedIn ? 'signed in' : undefined;
    t.tooltip = new vscode.MarkdownString(`**${markdownEscape(this.registry)}**${this.signedIn ? '\n\nSigned in with credentials stored in VS Code.' : ''}`);
    return t;
  }

  async children(ctx: TreeContext): Promise<Node[]> {
    const configured = ctx.configuredRepositories(this.registry).map((r) => this.repositoryNode(r));
    if (!this.repositories && !this.catalogFailed) {
      try {
        const page = await ctx.client().catalog(this.registry, { pageSize: ctx.pageSize() });
        this.repositories = page.items;
        this.cursor = page.next;
      } catch (e) {
        const problem = errorNode(this, e, 'repositories');
        // A registry without a usable catalog (Docker Hub, GHCR) still shows what the user added;
        // a failure that may pass keeps its row, so the catalog is not given up on for good.
        if (configured.length && problem.kind !== 'retry') {
          this.catalogFailed = true;
          return configured;
        }
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
    this.repoNodes.clear();
  }
}

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

/** What a tag or platform node knows once its manifest has been fetched. */
export interface ImageSummary {
  digest: string;
  mediaType: string;
  kind: 'image' | 'index';
  created?: string;
  platforms?: string[];
  size?: number;
}

export class TagNode extends Node {
  summary: ImageSummary | undefined;
  summaryError: string | undefined;

  constructor(parent: RepositoryNode, readonly ref: ImageRef) {
    super(parent);
  }

  get id(): string {
    return `tag:${this.ref.registry}/${this.ref.repository}:${this.ref.reference}`;
  }

  get tag(): string {
    return this.ref.reference;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.ref.reference, vscode.TreeItemCollapsibleState.Collapsed);
    t.id = this.id;
    const s = this.summary;
    t.iconPath = new vscode.ThemeIcon(s?.kind === 'index' ? 'layers' : 'tag');
    t.contextValue = s?.kind === 'index' ? 'tag.index' : 'tag.image';
    if (s) {
      t.description = [shortDigest(s.digest), s.kind === 'index' ? `${s.platforms?.length ?? 0} platforms` : formatDate(s.created)].filter(Boolean).join(' · ');
    } else if (this.summaryError) {
      t.description = '⚠';
    }
    t.tooltip = imageTooltip(`${this.ref.registry}/${this.ref.repository}:${this.ref.reference}`, s, this.summaryError);
    // Set by Check Base Updates (fleetMarks.ts): an outdated base outranks digest and date.
    const mark = fleetMarks.get(this.ref);
    if (mark) {
      t.description = mark.description;
      t.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      if (t.tooltip instanceof vscode.MarkdownString) t.tooltip.appendMarkdown(`\n\n⚠ ${markdownEscape(mark.detail)}`);
    }
    return t;
  }

  async children(ctx: TreeContext): Promise<Node[]> {
    try {
      const index = await ctx.cache().index(this.ref);
      if (index) {
        return imageChildren(index.manifest).map((d) => new PlatformNode(this, { ...this.ref, reference: d.digest }, d));
      }
      return await imageContents(this, this.ref, ctx);
    } catch (e) {
      return [errorNode(this, e, 'the image')];
    }
  }
}

export class PlatformNode extends Node {
  constructor(parent: TagNode, readonly ref: ImageRef, readonly descriptor: Descriptor) {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/platform:${this.descriptor.digest}`;
  }

  get platform(): string {
    return formatPlatform(this.descriptor.platform!) + (this.descriptor.platform?.['os.version'] ? ` (${this.descriptor.platform['os.version']})` : '');
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.platform, vscode.TreeItemCollapsibleState.Collapsed);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon('vm');
    t.contextValue = 'platform';
    t.description = `${shortDigest(this.descriptor.digest)} · ${formatBytes(this.descriptor.size)}`;
    t.tooltip = new vscode.MarkdownString(`**${markdownEscape(this.platform)}**\n\n\`${this.descriptor.digest}\``);
    return t;
  }

  children(ctx: TreeContext): Promise<Node[]> {
    return imageContents(this, this.ref, ctx).catch((e) => [errorNode(this, e, 'the image')]);
  }
}

export class LayerNode extends Node {
  constructor(
    parent: Node,
    readonly index: number,
    readonly descriptor: Descriptor,
    readonly createdBy: string | undefined,
    readonly mark: 'base' | 'app' | undefined,
  ) {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/layer:${this.index}`;
  }

  item(): vscode.TreeItem {
    const label = `${this.index + 1}  ${shortDigest(this.descriptor.digest)}  ${formatBytes(this.descriptor.size)}`;
    const t = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon(this.descriptor.urls?.length ? 'cloud' : 'file-zip');
    t.contextValue = 'layer';
    t.description = [this.mark, plainText(this.createdBy ?? '').slice(0, 120)].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Layer ${this.index + 1}**${this.mark ? ` (${this.mark})` : ''}\n\n`);
    md.appendMarkdown(`Digest: \`${this.descriptor.digest}\`  \nSize: ${formatBytes(this.descriptor.size)}  \nType: \`${this.descriptor.mediaType}\`\n\n`);
    if (this.descriptor.urls?.length) md.appendMarkdown(`Foreign layer, fetched from ${this.descriptor.urls.map(markdownEscape).join(', ')}\n\n`);
    if (this.createdBy) md.appendCodeblock(this.createdBy, 'dockerfile');
    t.tooltip = md;
    return t;
  }
}

export class ConfigNode extends Node {
  constructor(parent: Node, readonly ref: ImageRef, readonly descriptor: Descriptor, readonly config: ImageConfig) {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/config`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem('config', vscode.TreeItemCollapsibleState.None);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon('json');
    t.contextValue = 'config';
    t.description = `${shortDigest(this.descriptor.digest)} · ${[this.config.os, this.config.architecture, this.config.variant].filter(Boolean).join('/')} · ${formatDate(this.config.created)}`;
    t.tooltip = new vscode.MarkdownString(`**Config** \`${this.descriptor.digest}\``);
    t.command = { command: 'imageRebase.openConfig', title: 'Open Config', arguments: [this] };
    return t;
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

/** Layers (with history, base/app marks) and the config of one image manifest. */
async function imageContents(parent: Node, ref: ImageRef, ctx: TreeContext): Promise<Node[]> {
  const image = await ctx.cache().image(ref);
  if (!image) return [];
  const { manifest, config } = image;
  const history = layerHistory(config.history);
  const baseCount = await baseLayerCount(manifest.manifest, ref, ctx);
  const layers = manifest.manifest.layers.map(
    (d, i) => new LayerNode(parent, i, d, history[i]?.created_by, baseCount === undefined ? undefined : i < baseCount ? 'base' : 'app'),
  );
  return [...layers, new PackagesNode(parent, ref, image), new ConfigNode(parent, ref, manifest.manifest.config, config)];
}

function imageTooltip(title: string, s: ImageSummary | undefined, error: string | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${markdownEscape(title)}**\n\n`);
  if (error) md.appendMarkdown(`${markdownEscape(error)}\n\n`);
  if (s) {
    md.appendMarkdown(`Digest: \`${s.digest}\`  \nType: \`${s.mediaType}\`  \n`);
    if (s.created) md.appendMarkdown(`Created: ${markdownEscape(s.created)}  \n`);
    if (s.platforms) md.appendMarkdown(`Platforms: ${s.platforms.map(markdownEscape).join(', ')}  \n`);
    if (s.size !== undefined) md.appendMarkdown(`Size: ${formatBytes(s.size)}  \n`);
  }
  return md;
}
