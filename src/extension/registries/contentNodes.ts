import * as vscode from 'vscode';
import { Descriptor, ImageConfig } from '../../core/manifest';
import { shortDigest } from '../../core/digest';
import { ImageRef } from './imageCache';
import { formatBytes, formatDate, markdownEscape, plainText } from './format';
import { Node } from './nodeBase';

// What an image holds: its layers and its config (Packages has its own module).

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
