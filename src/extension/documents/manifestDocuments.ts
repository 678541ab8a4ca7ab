import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { Services } from '../services';
import { ImageRef } from '../registries/imageCache';

export const SCHEME = 'image-rebase';

export type DocumentKind = 'manifest' | 'config';

/**
 * Read-only JSON views of manifests and configs, addressed by URI so VS Code's own editor and
 * diff editor show them: image-rebase:/REGISTRY/REPO/KIND.json?ref=TAG_OR_DIGEST
 */
export function documentUri(ref: ImageRef, kind: DocumentKind, label = ref.reference): vscode.Uri {
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-');
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `/${ref.registry}/${ref.repository}/${safe}.${kind}.json`,
    query: new URLSearchParams({ registry: ref.registry, repository: ref.repository, ref: ref.reference, kind }).toString(),
  });
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
