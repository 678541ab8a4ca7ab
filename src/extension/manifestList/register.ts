import * as vscode from 'vscode';
import { prepareManifestList, pushManifestList } from '../../core/manifestList/publish';
import { ManifestListResult } from '../../core/manifestList/publish';
import { parseReferenceWithDefaultTag } from '../../core/reference';
import { Services } from '../services';
import { Node, PlatformNode, TagNode } from '../registries/nodes';
import { RegistriesTreeProvider } from '../registries/treeProvider';

export interface CreateListOptions {
  /** Programmatic callers: the list's tag, and no confirmation dialog. */
  target?: string;
  confirmed?: boolean;
}

/**
 * "Create Manifest List…": the selected single-platform images (tags or platforms of an index)
 * become one multi-platform tag, as the original workflow published Windows and Linux variants.
 */
export function register(services: Services, tree: RegistriesTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('imageRebase.createManifestList', async (clicked?: Node, selected?: Node[], opts: CreateListOptions = {}) => {
      try {
        return await createList(services, tree, selected?.length ? selected : clicked ? [clicked] : [], opts);
      } catch (e) {
        if (e instanceof vscode.CancellationError) return undefined;
        services.showError(e);
        return undefined;
      }
    }),
  ];
}

function imageOf(node: Node): string | undefined {
  if (node instanceof PlatformNode) return `${node.ref.registry}/${node.ref.repository}@${node.ref.reference}`;
  if (node instanceof TagNode) return `${node.ref.registry}/${node.ref.repository}:${node.ref.reference}`;
  return undefined;
}

async function createList(services: Services, tree: RegistriesTreeProvider, nodes: Node[], opts: CreateListOptions): Promise<ManifestListResult | undefined> {
  const images = nodes.map(imageOf).filter((i): i is string => Boolean(i));
  if (images.length < 2) {
    void vscode.window.showInformationMessage('Select two or more tags or platforms (Ctrl/Cmd-click) to combine them into one manifest list.');
    return undefined;
  }
  const first = parseReferenceWithDefaultTag(images[0]);
  const target =
    opts.target ??
    (await vscode.window.showInputBox({
      title: 'Create Manifest List: tag to push the list to',
      prompt: `${images.length} images become one multi-platform tag. Nothing is pushed before you confirm.`,
      value: `${first.registry}/${first.repository}:multi`,
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          return parseReferenceWithDefaultTag(v.trim()).digest ? 'Give a tag, not a digest.' : undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    }));
  if (!target) return undefined;

  const client = services.client;
  const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Planning the manifest list…' }, () =>
    prepareManifestList(client, { target: target.trim(), manifests: images.map((image) => ({ image })) }),
  );
  const platforms = plan.children.map((c) => [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/') + (c.platform['os.version'] ? ` (${c.platform['os.version']})` : ''));
  if (!opts.confirmed) {
    const push = 'Push';
    const answer = await vscode.window.showInformationMessage(
      `Push ${plan.target.reference} as a ${plan.mediaType.includes('oci') ? 'OCI index' : 'Docker manifest list'} of ${platforms.join(', ')}?`,
      { modal: true, detail: [...plan.warnings, ...plan.children.filter((c) => c.copy).map((c) => `${c.reference} will be copied into ${plan.target.repo.repository} (layers mounted, not moved).`)].join('\n') || undefined },
      push,
    );
    if (answer !== push) return undefined;
  }
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pushing ${plan.target.reference}`, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return pushManifestList(client, plan, { signal: controller.signal, onProgress: (e) => (services.log.info(e.message), progress.report({ message: e.message })) });
  });
  services.log.info(`Pushed manifest list ${result.reference}@${result.digest}`);
  tree.refreshRepository(plan.target.repo);
  void vscode.window.showInformationMessage(`Pushed ${result.reference}@${result.digest} (${platforms.join(', ')})`);
  return result;
}
