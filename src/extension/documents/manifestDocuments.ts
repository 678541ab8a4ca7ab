import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { Services } from '../services';
import { ImageRef } from '../registries/imageCache';

export const SCHEME = 'image-rebase';

export type DocumentKind = 'manifest' | 'config';

/**
 * Read-only JSON views of manifests and configs, addressed by URI so VS Code's own editor and
 * diff editor show them. A tab shows only the last segment of the path, and VS Code adds no folder
 * to tell apart two tabs of this scheme, so that segment is the whole image reference, its
 * slashes drawn with U+2215 (a path segment cannot hold "/"): "localhost:5000∕app:1 manifest.json".
 * The path is only for people; the query holds the exact values:
 * image-rebase:/REGISTRY∕REPO:TAG manifest.json?registry=…&repository=…&ref=…&kind=…
 */
export function documentUri(ref: ImageRef, kind: DocumentKind, side?: 'right'): vscode.Uri {
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `/${pathSafe(`${ref.registry}/${imageName(ref)}`).replace(/\//g, '\u2215')} ${kind}.json`,
    query: new URLSearchParams({ registry: ref.registry, repository: ref.repository, ref: ref.reference, kind, ...(side ? { side } : {}) }).toString(),
  });
}

/** "repo:tag", or "repo@sha256:0123456789ab" for a digest (the full one is in the query). */
export function imageName(ref: ImageRef): string {
  return ref.reference.includes(':') ? `${ref.repository}@${ref.reference.slice(0, 19)}` : `${ref.repository}:${ref.reference}`;
}

/** A registry's catalog is its own text: only reference characters reach a tab's label. */
function pathSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._:/@-]+/g, '-');
}

export class ManifestDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly services: Services) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const ref: ImageRef = { registry: q.get('registry') ?? '', repository: q.get('repository') ?? '', reference: q.get('ref') ?? '' };
    try {
      const m = await this.services.cache.manifest(ref);
      if (q.get('kind') === 'config') {
        const image = await this.services.cache.image(ref);
        if (!image) return `// ${ref.reference} is an index: open one of its platforms to see a config.\n`;
        return JSON.stringify(image.config, null, 2) + '\n';
      }
      return JSON.stringify(JSON.parse(m.bytes.toString('utf8')), null, 2) + '\n';
    } catch (e) {
      return `// ${isUserError(e) ? e.message : 'Could not load this document.'}\n`;
    }
  }
}
