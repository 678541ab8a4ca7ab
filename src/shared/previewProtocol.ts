/**
 * The messages between the Rebase Preview webview and the extension host. Both sides import this
 * file, so a change to one side that the other does not understand fails to compile.
 * Everything in a PreviewModel comes from registries: the webview shows it as text, never HTML.
 */

export type LayerChange = 'kept' | 'removed' | 'added';

export interface PreviewLayerRow {
  change: LayerChange;
  /** 1-based position in the old image (removed, kept) and in the new one (added, kept). */
  oldIndex?: number;
  newIndex?: number;
  digest: string;
  size: number;
  mediaType: string;
  createdBy?: string;
  foreign: boolean;
}

export interface PreviewFieldChange {
  /** Dotted path in the config or manifest, e.g. "config.rootfs.diff_ids[2]", "manifest.annotations[org.opencontainers.image.base.name]". */
  path: string;
  old?: string;
  new?: string;
}

export interface PreviewModel {
  source: { reference: string; digest: string };
  target: { reference: string; existingDigest?: string };
  oldBase: { reference: string; digest: string; foundBy: string; note: string };
  newBase: { reference: string; digest: string };
  platform: string;
  newManifestDigest: string;
  rows: PreviewLayerRow[];
  fieldChanges: PreviewFieldChange[];
  totals: {
    oldLayers: number;
    newLayers: number;
    removed: number;
    added: number;
    kept: number;
    /** Layer bytes that would travel through this machine (zero when everything is mounted). */
    bytesToMove: number;
  };
  warnings: string[];
}

export type PushPhase = 'idle' | 'pushing' | 'done' | 'failed' | 'cancelled';

export interface PushStatus {
  phase: PushPhase;
  /** One sentence for the user; for failures it says what to do. */
  message?: string;
  digest?: string;
}

/** Host → webview. */
export type HostMessage = { type: 'model'; model: PreviewModel; status: PushStatus } | { type: 'status'; status: PushStatus };

/** Webview → host. */
export type WebviewMessage = { type: 'ready' } | { type: 'push' } | { type: 'cancel' } | { type: 'openRawDiff' };

/** What the webview keeps with vscode.setState so a hidden panel comes back as it was. */
export interface WebviewState {
  model?: PreviewModel;
  status?: PushStatus;
}
