import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { Services } from '../services';
import { pickImage } from '../rebase/pickImage';
import { ImageRef } from '../registries/imageCache';
import { ConfigNode, Node, PlatformNode, TagNode } from '../registries/nodes';
import { DocumentKind, ManifestDocumentProvider, SCHEME, documentUri, imageName } from './manifestDocuments';
import { oneLine } from '../../shared/sanitize';

/** Open Manifest, Open Config and Compare With…, all through read-only virtual documents. */
export function register(services: Services): vscode.Disposable[] {
  const open = async (node: Node | undefined, kind: DocumentKind) => {
    const ref = imageRefOf(node);
    if (!ref) return undefined;
    const doc = await vscode.workspace.openTextDocument(documentUri(ref, kind));
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, new ManifestDocumentProvider(services)),
    vscode.commands.registerCommand('imageRebase.openManifest', (node?: Node) => open(node, 'manifest')),
    vscode.commands.registerCommand('imageRebase.openConfig', (node?: Node) => open(node instanceof ConfigNode ? (node.parent as Node) : node, 'config')),
    vscode.commands.registerCommand('imageRebase.compareWith', async (node?: Node, other?: string) => {
      const left = imageRefOf(node);
      if (!left) return;
      const right = other ? refFromString(other) : await pickOther(services, left);
      if (!right) return;
      await vscode.commands.executeCommand('vscode.diff', documentUri(left, 'manifest'), documentUri(right, 'manifest', 'right'), diffTitle(left, right));
    }),
  ];
}

export function imageRefOf(node: Node | undefined): ImageRef | undefined {
  if (node instanceof TagNode || node instanceof PlatformNode) return node.ref;
  if (node instanceof ConfigNode) return node.ref;
  return undefined;
}

/** "app:1 ↔ base:1 (manifest)"; each side names its registry when the two differ. */
export function diffTitle(left: ImageRef, right: ImageRef): string {
  const name = (r: ImageRef) => oneLine(left.registry === right.registry ? imageName(r) : `${r.registry}/${imageName(r)}`, 120);
  return `${name(left)} ↔ ${name(right)} (manifest)`;
}

function refFromString(s: string): ImageRef {
  const r = parseReferenceWithDefaultTag(s.trim());
  return { registry: r.registry, repository: r.repository, reference: r.digest ?? r.tag ?? 'latest' };
}

/** Any image of any repository; the tags of the same repository come first. */
async function pickOther(services: Services, left: ImageRef): Promise<ImageRef | undefined> {
  const picked = await pickImage(services, {
    title: `Compare ${left.repository}:${left.reference} with…`,
    placeholder: 'A tag of this repository, any image of your registries (choose a repository to see its tags), or type a reference',
    first: async (ctx, signal) => {
      const tags = await ctx.memo.tags(ctx.client, left, services.settings.pageSize, signal).catch((e) => {
        services.log.error(isUserError(e) ? e.message : String(e));
        return [] as string[];
      });
      return tags.filter((t) => t !== left.reference).map((t) => ({ label: `${left.registry}/${left.repository}:${t}`, description: 'same repository' }));
    },
  });
  return picked ? refFromString(picked) : undefined;
}
