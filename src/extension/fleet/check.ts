import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { scanImages } from '../../core/fleet/scan';
import { ScanSummary } from '../../core/fleet/types';
import { parseReference } from '../../core/reference';
import { Services } from '../services';
import { Node, RegistryNode, RepositoryNode } from '../registries/nodes';
import { normaliseRegistry } from '../registries/treeProvider';
import { FleetStore, outdatedImages } from './store';

/** What the tests (and a caller that knows) pass instead of answering the questions. */
export interface CheckArgs {
  target?: string;
  bases?: string[];
  /** Aborting it is the progress notification's Cancel (the extension tests' way to press it). */
  signal?: AbortSignal;
}

const CHOSEN_KEY = 'imageRebase.fleet.bases';
const SEEN_KEY = 'imageRebase.fleet.seenBases';

/** The registry a target lives on: "host", "host/team/", "host/repo[:tag]". */
export function registryOf(target: string): string {
  return target.split('/')[0];
}

/** The prefix of "registry/repo:tag" keys a check of `target` answers for (its marks are replaced). */
export function scopeOf(target: string): string {
  if (!target.includes('/')) return `${target}/`;
  if (target.endsWith('/')) return target;
  const ref = parseReference(target);
  return ref.tag && target.endsWith(`:${ref.tag}`) ? `${ref.registry}/${ref.repository}:${ref.tag}` : `${ref.registry}/${ref.repository}:`;
}

/** Asks for a registry (the tree's) or lets the user type a namespace, repository or image. */
async function pickTarget(services: Services): Promise<string | undefined> {
  const registries = services.settings.registries.map(normaliseRegistry);
  const qp = vscode.window.createQuickPick();
  qp.title = 'Check Base Updates: registry, namespace or repository';
  qp.placeholder = 'Pick a registry, or type e.g. localhost:5000/team/ or localhost:5000/team/api';
  const fixed = registries.map((label) => ({ label, description: 'every repository' }));
  qp.items = fixed;
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    qp.items = typed && !registries.includes(typed) ? [{ label: typed, description: 'check this' }, ...fixed] : fixed;
  });
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined));
      qp.hide();
    });
    qp.onDidHide(() => (resolve(undefined), qp.dispose()));
    qp.show();
  });
}

/**
 * The base repositories to compare images without a recorded base against: the last choice for
 * this registry ticked, the bases earlier checks found offered, and whatever the user types.
 */
async function pickBases(services: Services, registry: string): Promise<string[] | undefined> {
  const state = services.context.workspaceState;
  const chosen = state.get<Record<string, string[]>>(CHOSEN_KEY, {})[registry] ?? [];
  const seen = state.get<Record<string, string[]>>(SEEN_KEY, {})[registry] ?? [];
  const known = [...new Set([...chosen, ...seen])];
  const qp = vscode.window.createQuickPick();
  qp.canSelectMany = true;
  qp.title = 'Check Base Updates: base repositories to compare against';
  qp.placeholder = 'Tick bases, or type one (registry/repository[:tag]) and press Enter; none: only bases the images record';
  const items: vscode.QuickPickItem[] = known.map((label) => ({ label, description: seen.includes(label) ? 'seen in an earlier check' : undefined }));
  qp.items = items;
  qp.selectedItems = items.filter((i) => chosen.includes(i.label));
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    if (!typed || items.some((i) => i.label === typed)) return;
    // Ticked as typed: the count says "1 Selected", so Enter visibly takes it.
    const keep = qp.selectedItems.filter((i) => items.includes(i));
    const item = { label: typed, description: 'name this base' };
    qp.items = [item, ...items];
    qp.selectedItems = [...keep, item];
  });
  const picked = await new Promise<string[] | undefined>((resolve) => {
    qp.onDidAccept(() => {
      // A name typed and confirmed with Enter is meant, ticked or not.
      const typed = qp.value.trim();
      resolve([...new Set([...qp.selectedItems.map((i) => i.label), ...(typed ? [typed] : [])])]);
      qp.hide();
    });
    qp.onDidHide(() => (resolve(undefined), qp.dispose()));
    qp.show();
  });
  if (picked) await state.update(CHOSEN_KEY, { ...state.get<Record<string, string[]>>(CHOSEN_KEY, {}), [registry]: picked });
  return picked;
}

/** Base repositories the scan found recorded (annotations, provenance): offered next time. */
async function rememberSeen(services: Services, registry: string, summary: ScanSummary): Promise<void> {
  const state = services.context.workspaceState;
  const all = state.get<Record<string, string[]>>(SEEN_KEY, {});
  const found = summary.results.flatMap((r) => (r.base ? [r.base.name.replace(/:[^:/]+$/, '')] : []));
  await state.update(SEEN_KEY, { ...all, [registry]: [...new Set([...(all[registry] ?? []), ...found])].sort() });
}

export function targetOfNode(arg: unknown): string | undefined {
  if (arg instanceof RegistryNode) return arg.registry;
  if (arg instanceof RepositoryNode) return `${arg.repo.registry}/${arg.repo.repository}`;
  return undefined;
}

/** Check Base Updates: asks what to check, scans with a cancellable progress, stores the results. */
export async function checkBaseUpdates(services: Services, store: FleetStore, arg?: Node | CheckArgs): Promise<ScanSummary | undefined> {
  const given = arg instanceof Node ? { target: targetOfNode(arg) } : (arg ?? {});
  const target = given.target ?? (await pickTarget(services));
  if (!target) return undefined;
  const registry = registryOf(target);
  const bases = given.bases ?? (await pickBases(services, registry));
  if (!bases) return undefined;
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking base updates of ${target}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const given = arg instanceof Node ? undefined : arg?.signal;
        if (given?.aborted) controller.abort();
        given?.addEventListener('abort', () => controller.abort());
        return scanImages(services.client, { targets: [target], bases }, {
          signal: controller.signal,
          onProgress: (e) => progress.report({ message: e.message }),
        });
      },
    );
    for (const n of summary.notices) services.log.info(n);
    store.set(scopeOf(target), [target], bases, summary.results);
    await rememberSeen(services, registry, summary);
    const outdated = outdatedImages(summary.results).length;
    const tags = new Set(summary.results.map((r) => r.image)).size;
    services.showInfo(`${target}: ${outdated} of ${tags} ${tags === 1 ? 'image' : 'images'} on an outdated base.`);
    if (outdated) void vscode.commands.executeCommand('imageRebase.baseUpdates.focus');
    return summary;
  } catch (e) {
    if (isUserError(e) && e.code === 'cancelled') return undefined;
    services.showError(e);
    return undefined;
  }
}
