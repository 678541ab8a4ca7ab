import * as vscode from 'vscode';
import { parseReference } from '../../core/reference';
import { Services } from '../services';
import { updateList } from '../settings';
import { addRegistry, removeRegistry, type AddRegistryOptions, type RemoveRegistryOptions } from './registryCommands';
import { LayerNode, ConfigNode, LoadMoreNode, MessageNode, Node, PlatformNode, RegistryNode, RepositoryNode, TagNode } from './nodes';
import { PackagesNode } from './packagesNode';
import { RegistriesTreeProvider } from './treeProvider';

/** The Registries view and the commands that act on its rows. */
export function register(services: Services): { disposables: vscode.Disposable[]; tree: RegistriesTreeProvider; view: vscode.TreeView<Node> } {
  const tree = new RegistriesTreeProvider(services);
  const view = vscode.window.createTreeView('imageRebase.registries', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const setCount = () => vscode.commands.executeCommand('setContext', 'imageRebase.registryCount', services.settings.registries.length);
  void setCount();

  const cmd = (id: string, fn: (...args: any[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        services.showError(e);
        return undefined;
      }
    });

  const disposables: vscode.Disposable[] = [
    tree,
    view,
    tree.trackView(view),
    // Collapsing Packages while it reads stops the download; expanding it again starts over.
    view.onDidCollapseElement((e) => {
      if (e.element instanceof PackagesNode && e.element.reading) tree.refresh(e.element);
    }),
    services.onDidReset(() => {
      void setCount();
      tree.refresh();
    }),
    cmd('imageRebase.addRegistry', (given?: string, opts?: AddRegistryOptions) => addRegistry(services, tree, typeof given === 'string' ? given : undefined, opts)),
    cmd('imageRebase.removeRegistry', (node?: RegistryNode | string, opts?: RemoveRegistryOptions) => removeRegistry(services, node, opts)),
    cmd('imageRebase.addRepository', async (node?: RegistryNode | string, given?: string) => {
      const registry = node instanceof RegistryNode ? node.registry : typeof node === 'string' ? node : undefined;
      if (!registry) return;
      const name =
        given ??
        (await vscode.window.showInputBox({
          title: `Add Repository to ${registry}`,
          prompt: 'Repository name, e.g. library/ubuntu or org/app',
          validateInput: (v) => repositoryProblem(registry, v),
        }));
      if (!name) return;
      const problem = repositoryProblem(registry, name);
      if (problem) throw new Error(problem);
      const ref = parseReference(`${registry}/${name.trim()}`);
      await updateList('repositories', (l) => [...l, `${ref.registry}/${ref.repository}`]);
    }),
    cmd('imageRebase.refresh', (node?: Node) => tree.refresh(node instanceof Node ? node : undefined)),
    // From the row's own click the registry or repository comes as argument; from the inline
    // action, the error row itself, whose parent is what to reload.
    cmd('imageRebase.retry', (node?: Node) => tree.refresh(node instanceof MessageNode ? node.parent : node instanceof Node ? node : undefined)),
    cmd('imageRebase.loadMore', async (node?: LoadMoreNode) => {
      const parent = node?.parent;
      if (parent instanceof RegistryNode || parent instanceof RepositoryNode) await tree.loadMore(parent);
    }),
    cmd('imageRebase.copyReference', async (node?: Node) => {
      const text = referenceOf(node);
      if (text) await vscode.env.clipboard.writeText(text);
      return text;
    }),
    cmd('imageRebase.copyDigest', async (node?: Node) => {
      const text = await digestOf(tree, node);
      if (text) await vscode.env.clipboard.writeText(text);
      return text;
    }),
  ];
  return { disposables, tree, view };
}

function repositoryProblem(registry: string, value: string): string | undefined {
  if (!value.trim()) return 'Enter a repository name.';
  try {
    const ref = parseReference(`${registry}/${value.trim()}`);
    if (ref.tag || ref.digest) return 'Enter the repository without a tag or digest.';
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function referenceOf(node: Node | undefined): string | undefined {
  if (node instanceof RepositoryNode) return `${node.repo.registry}/${node.repo.repository}`;
  if (node instanceof TagNode) return `${node.ref.registry}/${node.ref.repository}:${node.ref.reference}`;
  if (node instanceof PlatformNode) return `${node.ref.registry}/${node.ref.repository}@${node.ref.reference}`;
  return undefined;
}

async function digestOf(tree: RegistriesTreeProvider, node: Node | undefined): Promise<string | undefined> {
  if (node instanceof TagNode) return node.summary?.digest ?? (await tree.cache().manifest(node.ref)).digest;
  if (node instanceof PlatformNode) return node.descriptor.digest;
  if (node instanceof LayerNode) return node.descriptor.digest;
  if (node instanceof ConfigNode) return node.descriptor.digest;
  return undefined;
}
