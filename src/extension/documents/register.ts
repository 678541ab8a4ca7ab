import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { Services } from '../services';
import { ImageRef } from '../registries/imageCache';
import { ConfigNode, Node, PlatformNode, TagNode } from '../registries/nodes';
import { DocumentKind, ManifestDocumentProvider, SCHEME, documentUri } from './manifestDocuments';

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
      const title = `${left.repository}:${short(left.reference)} ↔ ${right.repository}:${short(right.reference)} (manifest)`;
      await vscode.commands.executeCommand('vscode.diff', documentUri(left, 'manifest'), documentUri(right, 'manifest', `${right.reference}-right`), title);
    }),
  ];
}

export function imageRefOf(node: Node | undefined): ImageRef | undefined {
  if (node instanceof TagNode || node instanceof PlatformNode) return node.ref;
  if (node instanceof ConfigNode) return node.ref;
  return undefined;
}

function short(reference: string): string {
  return reference.includes(':') ? reference.slice(0, 19) + '…' : reference;
}

function refFromString(s: string): ImageRef {
  const r = parseReferenceWithDefaultTag(s.trim());
  return { registry: r.registry, repository: r.repository, reference: r.digest ?? r.tag ?? 'latest' };
}

async function pickOther(services: Services, left: ImageRef): Promise<ImageRef | undefined> {
  let tags: string[] = [];
  try {
    tags = (await services.client.listTags(left, { pageSize: services.settings.pageSize })).items.filter((t) => t !== left.reference);
  } catch (e) {
    services.log.error(isUserError(e) ? e.message : String(e));
  }
  const items: vscode.QuickPickItem[] = tags.map((t) => ({ label: t, description: `${left.registry}/${left.repository}` }));
  const pick = await vscode.window.showQuickPick(items, { title: `Compare ${left.repository}:${left.reference} with…`, placeHolder: 'A tag of this repository' });
  return pick ? { ...left, reference: pick.label } : undefined;
}
