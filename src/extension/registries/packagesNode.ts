import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { FetchedManifest, ImageConfig, ImageManifest } from '../../core/manifest';
import { ImagePackages, estimateImagePackages, formatSize, imagePackages, type BaseImage } from '../../core/packages';
import { oneLine } from '../../shared/sanitize';
import { ImageRef, refKey } from './imageCache';
import { markdownEscape } from './format';
import { MessageNode, Node, errorNode } from './nodeBase';
import type { TreeContext } from './treeContext';

/** Downloads above this show a cancellable notification; smaller ones just load like any row. */
const NOTIFY_ABOVE_BYTES = 20 * 1024 * 1024;
/** Rows per database: a tree of tens of thousands of rows helps no one, and costs the host. */
const ROWS_MAX = 5000;

/**
 * "Packages" under an image's layers: its OS release and installed packages, read from its
 * layers on expand (the cached layers from the extension's global storage). A read runs until
 * done, a collapse of this row, a refresh, or Cancel on its notification.
 */
export class PackagesNode extends Node {
  private controller: AbortController | undefined;
  /** Kept so that collapsing and expanding again shows the list without a second read. */
  private result: ImagePackages | undefined;

  constructor(parent: Node, readonly ref: ImageRef, readonly image: { manifest: FetchedManifest<ImageManifest>; config: ImageConfig }) {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/packages`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem('Packages', vscode.TreeItemCollapsibleState.Collapsed);
    t.id = this.id;
    t.iconPath = new vscode.ThemeIcon('package');
    t.contextValue = 'packages';
    // Known only after a read; the row is not redrawn for it, so before one it says nothing.
    t.description = this.result ? `${this.result.databases.reduce((n, d) => n + d.packages.length, 0)} installed` : undefined;
    t.tooltip = new vscode.MarkdownString('The OS release and the installed OS packages (dpkg, apk, rpm), read from the package databases in the layers.');
    return t;
  }

  /** Stops a read in progress (collapse, refresh) and forgets the result (Retry). */
  reset(): void {
    this.controller?.abort();
    this.result = undefined;
  }

  /** Whether a read is under way (a collapse then cancels it). */
  get reading(): boolean {
    return this.controller !== undefined;
  }

  async children(ctx: TreeContext): Promise<Node[]> {
    try {
      this.result ??= await this.read(ctx);
      return this.rows(this.result);
    } catch (e) {
      if (isUserError(e) && e.code === 'cancelled') {
        return [new MessageNode(this, 'Cancelled — Retry', 'retry', { tooltip: 'Reading the packages was cancelled.', command: { command: 'imageRebase.retry', title: 'Retry', arguments: [this] } })];
      }
      return [errorNode(this, e, 'the packages')];
    }
  }

  private async read(ctx: TreeContext): Promise<ImagePackages> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const { manifest, config } = this.image;
    const base: BaseImage = { reference: refKey(this.ref), repo: this.ref, os: config.os, osVersion: config['os.version'], layers: manifest.manifest.layers };
    const opts = { cacheDir: ctx.packageCacheDir(), signal: AbortSignal.any([controller.signal, ctx.packageSignal()]) };
    ctx.preparePackages();
    try {
      const estimate = await estimateImagePackages(base, opts);
      if (estimate.bytes <= NOTIFY_ABOVE_BYTES) return await imagePackages(ctx.client(), base, opts);
      const title = `Reading the packages of ${oneLine(refKey(this.ref), 120)} (${formatSize(estimate.bytes)})`;
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        let last = 0;
        return imagePackages(ctx.client(), base, {
          ...opts,
          onBytes: (done, total) => {
            const pct = total ? Math.floor((done / total) * 100) : 0;
            if (pct > last) progress.report({ increment: pct - last, message: `${formatSize(done)} of ${formatSize(total)}` });
            last = Math.max(last, pct);
          },
        });
      });
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  private rows(r: ImagePackages): Node[] {
    const out: Node[] = [];
    const os = r.os;
    const osText = os ? oneLine([os.name ?? os.id ?? 'unknown OS', os.release ?? os.versionId ?? ''].join(' ').trim(), 200) : 'unknown (no os-release)';
    out.push(new InfoRow(this, 'os', `OS: ${osText}`, os?.prettyName ? oneLine(os.prettyName, 200) : undefined, 'vm'));
    for (const n of r.notes) out.push(new InfoRow(this, `note:${out.length}`, oneLine(n, 200), undefined, 'warning', oneLine(n, 2000)));
    const many = r.databases.length > 1;
    for (const db of r.databases) {
      const pkgs = [...db.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const p of pkgs.slice(0, ROWS_MAX)) {
        const name = oneLine(p.name, 200);
        out.push(new InfoRow(this, `pkg:${db.path}:${p.name}:${p.arch ?? ''}:${p.version}`, name, [oneLine(p.version, 200), p.arch && oneLine(p.arch, 40), many && db.format].filter(Boolean).join(' · '), undefined, `${name} ${oneLine(p.version, 200)} (${db.format}, ${db.path})`));
      }
      if (pkgs.length > ROWS_MAX) out.push(new InfoRow(this, `more:${db.path}`, `… and ${pkgs.length - ROWS_MAX} more`, db.path, 'ellipsis'));
    }
    return out;
  }
}

/** One line of the Packages node: the OS, a package (version as description) or a note. */
export class InfoRow extends Node {
  constructor(
    parent: PackagesNode,
    private readonly key: string,
    readonly label: string,
    readonly description: string | undefined,
    readonly icon: string | undefined,
    readonly tooltip?: string,
  ) {
    super(parent);
  }

  get id(): string {
    return `${this.parent!.id}/${this.key}`;
  }

  item(): vscode.TreeItem {
    const t = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    t.id = this.id;
    if (this.icon) t.iconPath = new vscode.ThemeIcon(this.icon);
    t.contextValue = this.key.startsWith('pkg:') ? 'package' : this.key === 'os' ? 'packages.os' : 'packages.note';
    t.description = this.description;
    if (this.tooltip) t.tooltip = new vscode.MarkdownString(markdownEscape(this.tooltip));
    return t;
  }
}
