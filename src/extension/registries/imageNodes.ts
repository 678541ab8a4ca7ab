import * as vscode from 'vscode';
import { Descriptor } from '../../core/manifest';
import { shortDigest } from '../../core/digest';
import { layerHistory } from '../../core/rebase/history';
import { imageChildren, formatPlatform } from '../../core/rebase/fetchImage';
import { ImageRef } from './imageCache';
import { baseLayerCount } from './baseMarks';
import { fleetMarks } from './fleetMarks';
import { formatBytes, formatDate, markdownEscape } from './format';
import { Node, errorNode } from './nodeBase';
import { ConfigNode, LayerNode } from './contentNodes';
import { PackagesNode } from './packagesNode';
import type { RepositoryNode } from './repositoryNode';
import type { TreeContext } from './treeContext';

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
