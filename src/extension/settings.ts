import * as vscode from 'vscode';

/** Typed access to the `imageRebase.*` settings, and the one place that writes them. */
export const SECTION = 'imageRebase';

export type LogLevel = 'off' | 'error' | 'info' | 'debug';

export interface Settings {
  registries: string[];
  insecureRegistries: string[];
  repositories: string[];
  pageSize: number;
  logLevel: LogLevel;
  network: { retries: number; connectTimeoutMs: number; idleTimeoutMs: number };
  /** Rebase Image keeps the app's container settings instead of merging them onto the new base. */
  keepConfig: boolean;
  /** The Rebase Preview asks before downloading more than this for the package comparison. */
  packagesConfirmAboveBytes: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    registries: uniq(c.get<string[]>('registries', [])),
    insecureRegistries: c.get<string[]>('insecureRegistries', []),
    repositories: uniq(c.get<string[]>('repositories', [])),
    pageSize: Math.max(1, Math.min(1000, c.get<number>('pageSize', 100))),
    logLevel: c.get<LogLevel>('logLevel', 'info'),
    network: {
      retries: Math.max(0, Math.min(10, Math.floor(c.get<number>('network.retries', 4)))),
      connectTimeoutMs: Math.max(1, c.get<number>('network.connectTimeoutSeconds', 15)) * 1000,
      idleTimeoutMs: Math.max(1, c.get<number>('network.timeoutSeconds', 30)) * 1000,
    },
    keepConfig: c.get<boolean>('keepConfig', false) === true,
    packagesConfirmAboveBytes: Math.max(0, c.get<number>('packageChanges.confirmAboveMiB', 200)) * 1024 * 1024,
  };
}

/** Settings are edited where they are defined: the workspace if set there, else the user's. */
export async function updateList(key: 'registries' | 'repositories', update: (list: string[]) => string[]): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const inspected = c.inspect<string[]>(key);
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  await c.update(key, uniq(update([...current])), target);
}

function uniq(list: string[]): string[] {
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}
