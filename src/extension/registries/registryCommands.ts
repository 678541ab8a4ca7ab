import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { parseReference } from '../../core/reference';
import { oneLine } from '../../shared/sanitize';
import { Services } from '../services';
import { updateList } from '../settings';
import { dockerConfigRegistries } from './dockerConfigRegistries';
import { RegistryHealth, registryHealth } from './problems';
import { RegistryNode } from './registryNode';
import { RegistriesTreeProvider, normaliseRegistry } from './treeProvider';

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/;

export function validateRegistryHost(value: string): string | undefined {
  const v = normaliseRegistry(value);
  if (!v) return 'Enter a registry host, e.g. localhost:5000 or ghcr.io.';
  return HOST_RE.test(v) ? undefined : `"${oneLine(value, 80)}" is not a registry host; use HOST or HOST:PORT, e.g. localhost:5000 or ghcr.io.`;
}

export interface AddRegistryOptions {
  /** What to do when the registry does not answer GET /v2/, instead of asking (tests, scripts). */
  ifNotRegistry?: 'add' | 'cancel';
}

const ADD_ANYWAY = 'Add Anyway';
const EDIT = 'Edit';

/**
 * Add Registry…: the host picked or typed is asked GET /v2/ first. 200, or 401 (a registry that
 * wants a sign-in), is a registry; anything else is said in one sentence, with Add Anyway (a
 * registry that is down for now) and Edit (back to the box, the typed text kept).
 */
export async function addRegistry(services: Services, tree: RegistriesTreeProvider, given?: string, opts: AddRegistryOptions = {}): Promise<string | undefined> {
  let text = given;
  let ask = given === undefined;
  for (;;) {
    let health: RegistryHealth | undefined | 'cancelled';
    if (ask) {
      // The picker checks the host itself, busy while it waits, and stays open until it knows.
      const picked = await pickRegistry(services, text);
      if (!picked) return undefined;
      ({ text, health } = picked);
    } else {
      const invalid = validateRegistryHost(text!);
      if (invalid) throw new Error(invalid);
      health = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking ${normaliseRegistry(text!)}…`, cancellable: true }, (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return checkRegistry(services, normaliseRegistry(text!), controller.signal);
      });
    }
    if (health === 'cancelled' || !text) return undefined;
    const registry = normaliseRegistry(text);
    if (health && !health.signIn) {
      const answer =
        opts.ifNotRegistry === 'add' ? ADD_ANYWAY
        : opts.ifNotRegistry === 'cancel' ? undefined
        : await vscode.window.showWarningMessage(`${registry} does not answer as a container registry.`, { modal: true, detail: health.message }, ADD_ANYWAY, EDIT);
      if (answer === EDIT) {
        ask = true;
        continue;
      }
      if (answer !== ADD_ANYWAY) return undefined;
    }
    // The row shows what the check found at once, not after its own check answers.
    tree.noteHealth(registry, health);
    await updateList('registries', (l) => [...l, registry]);
    services.log.info(`Added registry ${registry}${health ? ` (${health.description}: ${health.message})` : ''}`);
    if (health?.signIn) void offerSignIn(registry);
    return registry;
  }
}

async function offerSignIn(registry: string): Promise<void> {
  const signIn = 'Sign In…';
  const answer = await vscode.window.showInformationMessage(`${registry} asks you to sign in before it lists its repositories.`, signIn);
  if (answer === signIn) await vscode.commands.executeCommand('imageRebase.signIn', registry);
}

/** GET /v2/ through the extension's one client (its credentials, loopback rules, retries). */
async function checkRegistry(services: Services, registry: string, signal: AbortSignal): Promise<RegistryHealth | undefined | 'cancelled'> {
  try {
    await services.client.ping(registry, signal);
    return undefined;
  } catch (e) {
    if (signal.aborted || (isUserError(e) && e.code === 'cancelled')) return 'cancelled';
    return registryHealth(e, 'check');
  }
}

export interface RemoveRegistryOptions {
  /** Skips the confirmation (tests, scripts). */
  confirmed?: boolean;
}

/**
 * Remove Registry: asks first (naming the registry), then drops it from settings and forgets the
 * credentials Sign In… kept for it. Images in the registry are not touched.
 */
export async function removeRegistry(services: Services, target: RegistryNode | string | undefined, opts: RemoveRegistryOptions = {}): Promise<boolean> {
  const registry = target instanceof RegistryNode ? target.registry : typeof target === 'string' && target ? normaliseRegistry(target) : undefined;
  if (!registry) return false;
  const signedIn = await services.secrets.has(registry);
  if (!opts.confirmed) {
    // VS Code makes the first action the dialog's primary button; its API cannot make Cancel the
    // default, so Escape and Cancel keep the registry and nothing is removed without a click.
    const remove = 'Remove';
    const detail = signedIn
      ? 'The credentials you signed in with and the repositories you added to it are forgotten too. Nothing in the registry changes.'
      : 'Nothing in the registry changes; Add Registry… shows it again.';
    const answer = await vscode.window.showWarningMessage(`Remove ${registry} from the Registries view?`, { modal: true, detail }, remove);
    if (answer !== remove) return false;
  }
  await updateList('registries', (l) => l.filter((r) => normaliseRegistry(r) !== registry));
  // Repositories added by hand belong to the registry's rows: they go with it, so adding the
  // registry again later starts clean instead of bringing back rows the user had forgotten.
  await updateList('repositories', (l) => l.filter((entry) => registryOf(entry) !== registry));
  if (signedIn) await services.secrets.delete(registry);
  services.log.info(`Removed registry ${registry}${signedIn ? ' and forgot its credentials' : ''}`);
  return true;
}

function registryOf(entry: string): string | undefined {
  try {
    return parseReference(entry).registry;
  } catch {
    return undefined; // an invalid entry is not this registry's; it stays for the user to fix
  }
}

/** The Add Registry picker: a host picked or typed, and what its /v2/ check found. */
async function pickRegistry(services: Services, value?: string): Promise<{ text: string; health: RegistryHealth | undefined } | undefined> {
  const known = new Set(services.settings.registries.map(normaliseRegistry));
  const fromDocker = (await dockerConfigRegistries(services.dockerConfig.configFile)).filter((r) => !known.has(r));
  const qp = vscode.window.createQuickPick();
  qp.title = 'Add Registry';
  qp.placeholder = 'Registry host, e.g. localhost:5000 or ghcr.io';
  const base = fromDocker.map((r) => ({ label: r, description: 'from Docker config' }));
  const update = (v: string) => {
    const typed = v.trim();
    qp.items = typed && !base.some((b) => b.label === typed) ? [{ label: typed, description: validateRegistryHost(typed) ?? 'add this registry' }, ...base] : base;
  };
  qp.onDidChangeValue(update);
  // Edit after a failed check comes back here with the text as it was typed.
  if (value) qp.value = value;
  update(value ?? '');
  let checking: AbortController | undefined;
  return new Promise((resolve) => {
    qp.onDidAccept(async () => {
      if (checking) return;
      const pick = qp.selectedItems[0]?.label ?? qp.value.trim();
      if (!pick) return;
      // An invalid entry stays in the box; its row already says what is wrong.
      if (validateRegistryHost(pick)) return;
      const registry = normaliseRegistry(pick);
      const controller = (checking = new AbortController());
      qp.busy = true;
      qp.enabled = false;
      qp.title = `Add Registry: checking ${registry}…`;
      const health = await checkRegistry(services, registry, controller.signal);
      // Escape while checking: the picker is gone and has answered already.
      if (health === 'cancelled' || controller.signal.aborted) return;
      resolve({ text: pick, health });
      qp.hide();
    });
    qp.onDidHide(() => {
      checking?.abort();
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
