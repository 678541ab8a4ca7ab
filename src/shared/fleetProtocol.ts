/**
 * The messages between the "Rebase Outdated Images" webview and the extension host. Both sides
 * import this file, so a change one side does not understand fails to compile. Every string in a
 * FleetModel comes from registries: the webview shows it as text, never as HTML.
 */

/** One planned rebase: an outdated tag (every platform of an index together), or one that cannot be planned. */
export interface FleetItem {
  /** Stable key of the row: the scanned image, "registry/repo:tag". */
  id: string;
  image: string;
  /** Where the rebased image goes: the same tag, or the tag plus a suffix. */
  target: string;
  /** "linux/amd64", or every platform of an index joined by ", ". */
  platform: string;
  oldBase: string;
  newBase: string;
  /** Layers swapped, over every platform: old base layers removed, new base layers added, app layers kept. */
  layers: { removed: number; added: number; kept: number };
  /** Config keys where the app and the new base disagree ("User", "Env PATH"). */
  conflicts: string[];
  warnings: string[];
  /** The plan could not be made: the row is shown, cannot be ticked, and is reported as failed. */
  error?: string;
}

export interface FleetModel {
  /** "in place" or "tag suffix -rebased": as chosen before planning. */
  targetMode: string;
  items: FleetItem[];
}

export type FleetRowPhase = 'planned' | 'excluded' | 'waiting' | 'pushing' | 'rebased' | 'failed' | 'skipped' | 'restored' | 'unchanged' | 'refused';

export interface FleetRowStatus {
  id: string;
  phase: FleetRowPhase;
  /** The digest pushed (rebased) or put back (restored). */
  digest?: string;
  message?: string;
}

export type FleetPhase = 'preview' | 'pushing' | 'pushed' | 'undoing' | 'undone';

export interface FleetState {
  phase: FleetPhase;
  /** Ids left out by the user (unticked). */
  excluded: string[];
  rows: FleetRowStatus[];
  /** One sentence under the table: counts, or why nothing happened. */
  summary?: string;
}

export type FleetHostMessage = { type: 'model'; model: FleetModel; state: FleetState } | { type: 'state'; state: FleetState };

export type FleetWebviewMessage =
  | { type: 'ready' }
  | { type: 'setIncluded'; id: string; included: boolean }
  | { type: 'pushAll' }
  | { type: 'undo' }
  | { type: 'cancel' };

/** What the webview keeps across a reload of its frame (tab moved, hidden and shown). */
export interface FleetWebviewState {
  model?: FleetModel;
  state?: FleetState;
}
