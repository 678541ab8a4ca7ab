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

/**
 * The groups of "Config and manifest changes", in the order they are shown: base layers swapped
 * (manifest.layers, config.rootfs.diff_ids and config.history aligned by part), platform fields,
 * other config fields, container settings (config.config), manifest annotations, other manifest
 * fields, digests and sizes; for an index: its fields, its entries, its annotations.
 */
export type PreviewFieldGroupKey =
  | 'base-layers'
  | 'platform'
  | 'config-fields'
  | 'settings'
  | 'manifest-annotations'
  | 'manifest-fields'
  | 'sizes'
  | 'index-fields'
  | 'index-entries'
  | 'index-annotations';

/** One real change: a value that differs between the source and what Push writes. */
export interface PreviewFieldChange {
  /** Path in the config or manifest, e.g. "config.os.version", "manifest.layers[0]", "manifest.annotations[org.opencontainers.image.base.name]". */
  path: string;
  /** Unset on one side when the value is absent there (a removed base layer has no new value). */
  old?: string;
  new?: string;
  /** Where it is listed; absent in models saved by older versions (then grouped by path). */
  group?: PreviewFieldGroupKey;
  /** The name shown for it, e.g. "Old base layer 1", "Env BASE", "os.version" (default: from the path). */
  label?: string;
  /** One more line, e.g. a layer's size and the history line that made it. */
  note?: string;
}

/** A line saying what did not change ("Kept unchanged: 2 app layers…"): shown in its group, not counted. */
export interface PreviewFieldNote {
  group: PreviewFieldGroupKey;
  text: string;
}

/** How the rebase treated a config key (see src/core/rebase/configMerge.ts for the rules). */
export type PreviewMergeOutcome = 'unchanged' | 'new-base' | 'removed' | 'app-kept' | 'conflict' | 'path-segment-replaced';

export interface PreviewMergeDecision {
  /** "Env PATH", "Labels org.example.base", "ExposedPorts 80/tcp", "Cmd". */
  label: string;
  /** 'env', 'label', 'port', 'volume' or 'value'. */
  kind: string;
  decision: PreviewMergeOutcome;
  /** Values as shown: strings as they are, ports and volumes as "present", others as JSON; unset when absent on that side. */
  oldBase?: string;
  app?: string;
  newBase?: string;
  result?: string;
  /** One sentence: why this result. */
  reason: string;
}

export interface PreviewConfigMerge {
  /** 'merge': three-way merge onto the new base; 'keep': the app's settings kept as they are. */
  mode: 'merge' | 'keep';
  /** Every key present in the old base, the app or the new base ('unchanged' ones included). */
  decisions: PreviewMergeDecision[];
}

export interface PreviewModel {
  source: { reference: string; digest: string };
  target: { reference: string; existingDigest?: string };
  oldBase: { reference: string; digest: string; foundBy: string; note: string };
  newBase: { reference: string; digest: string };
  platform: string;
  newManifestDigest: string;
  rows: PreviewLayerRow[];
  /** Only real changes: their number is the count the preview shows. */
  fieldChanges: PreviewFieldChange[];
  /** What the change list leaves out because it is kept as it was. */
  fieldNotes?: PreviewFieldNote[];
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
  /** One image: the config merge, key by key. Absent for the top of an index (each entry's model has its own). */
  configMerge?: PreviewConfigMerge;
  /**
   * Present when the source is an index (OCI image index or Docker manifest list) rebased as a
   * whole. Then source, target and newManifestDigest name the indexes, platform lists the
   * platforms, rows are empty, fieldChanges are those of the index document, totals add up the
   * rebased images, and oldBase is the first rebased image's (each entry's model has its own).
   * Absent for one image: such previews are exactly as before.
   */
  index?: PreviewIndex;
}

export type IndexEntryAction = 'rebased' | 'kept' | 'dropped';

export interface PreviewIndexEntry {
  /** Images: "linux/arm64/v8", "windows/amd64 (10.0.14393.2068)". */
  platform?: string;
  /** 'image', 'attestation', 'signature', 'artifact', 'index' or 'unknown'. */
  kind: string;
  action: IndexEntryAction;
  /** Why, in words, e.g. "rebased onto r/base:2", "dropped: it describes …". */
  reason: string;
  /** The entry's manifest digest in the source index. */
  digest: string;
  /** Its digest in the new index (rebased: the new image; kept: the same; dropped: absent). */
  newDigest?: string;
  /** Rebased images: the preview of that image alone (layers, fields, its own old base). */
  model?: PreviewModel;
}

export interface PreviewIndex {
  /** Digest of the source index and of the index that Push writes to the tag. */
  digest: string;
  newDigest: string;
  mediaType: string;
  /** Every entry of the source index, in order. */
  entries: PreviewIndexEntry[];
}

export type PushPhase = 'idle' | 'pushing' | 'done' | 'failed' | 'cancelled';

export interface PushStatus {
  phase: PushPhase;
  /** One sentence for the user; for failures it says what to do. */
  message?: string;
  digest?: string;
}

/** The package comparison of one image's old and new base (see src/core/packages). */
export interface PreviewPackageResult {
  /** An index rebase: the platform this comparison is for. */
  platform?: string;
  /** "Debian GNU/Linux 12.5 → 12.8", "Windows 10.0.14393.1715 → 10.0.14393.1884". */
  os: string;
  /** Windows bases are not read: only the os.version change is known. */
  windows: boolean;
  /** "5 upgraded, 1 added, 1 removed, 2 unchanged (dpkg)", of every change (lists may be cut). */
  counts: string;
  upgraded: Array<{ name: string; from: string; to: string }>;
  downgraded: Array<{ name: string; from: string; to: string }>;
  added: Array<{ name: string; version: string }>;
  removed: Array<{ name: string; version: string }>;
  /** Entries left out of the lists above, to keep the message bounded. */
  omitted: number;
  warnings: string[];
  /** What it cost: "read 2 layer(s), 3.1 MiB; 1 from the cache". */
  read: string;
  /** This platform's comparison failed (an index goes on with the others). */
  error?: string;
}

/**
 * The "Package changes" section, loaded after the preview opens: the estimate first (asked about
 * when large), then the download with progress and Cancel, then the result.
 */
export type PackagesState =
  | { phase: 'estimating' }
  | { phase: 'ask'; estimate: string; bytes: number }
  | { phase: 'running'; estimate: string; message: string; done: number; total: number }
  | { phase: 'done'; results: PreviewPackageResult[] }
  | { phase: 'failed'; message: string }
  | { phase: 'cancelled'; message: string };

/** Host → webview. */
export type HostMessage =
  | { type: 'model'; model: PreviewModel; status: PushStatus }
  | { type: 'status'; status: PushStatus }
  | { type: 'packages'; packages: PackagesState };

/** Webview → host. */
export type WebviewMessage = { type: 'ready' } | { type: 'push' } | { type: 'cancel' } | { type: 'openRawDiff' } | { type: 'comparePackages' } | { type: 'cancelPackages' };

/** What the webview keeps with vscode.setState so a hidden panel comes back as it was. */
export interface WebviewState {
  model?: PreviewModel;
  status?: PushStatus;
  packages?: PackagesState;
}
