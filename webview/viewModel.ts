/**
 * Pure functions that turn the preview model into plain row and cell structures. No DOM here, so
 * Node unit tests can import this file. Every string in a PreviewModel comes from a registry and
 * is untrusted: these functions only pass it along as data; the DOM code shows it as text.
 */
import { formatBytes, shortDigest } from '../src/shared/format';
import { isPreviewConfigMerge } from './configMergeView';
import { isPackagesState } from './packagesView';
import { isFieldNotes } from './fieldsView';
import type { HostMessage, IndexEntryAction, LayerChange, PreviewIndex, PreviewIndexEntry, PreviewLayerRow, PreviewModel, PushPhase, PushStatus } from '../src/shared/previewProtocol';
import { isObject } from '../src/shared/isObject';

export { formatBytes, shortDigest };
export { groupFieldChanges, type FieldChangeView, type FieldGroup } from './fieldsView';

/** One line of a Dockerfile history entry: collapse whitespace and control characters. */
export function oneLine(s: string | undefined): string {
  if (!s) return '';
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

export interface LayerCell {
  /** 1-based position on this side. */
  index?: number;
  digest: string;
  shortDigest: string;
  size: number;
  sizeText: string;
  mediaType: string;
  createdBy: string;
  foreign: boolean;
}

/** One visual row of the side-by-side table: removed rows have only `left`, added rows only `right`. */
export interface AlignedRow {
  change: LayerChange;
  left?: LayerCell;
  right?: LayerCell;
}

function cell(row: PreviewLayerRow, index: number | undefined): LayerCell {
  return {
    index,
    digest: row.digest,
    shortDigest: shortDigest(row.digest),
    size: row.size,
    sizeText: formatBytes(row.size),
    mediaType: row.mediaType,
    createdBy: oneLine(row.createdBy),
    foreign: row.foreign,
  };
}

/**
 * Lines the old manifest's layers up against the new one's. Kept layers are anchors and sit on
 * both sides of one row; between anchors the removed layers come first (left only), then the
 * added ones (right only). The order on each side follows oldIndex / newIndex (input order where
 * an index is missing), whatever order the rows arrive in.
 */
export function alignRows(rows: readonly PreviewLayerRow[]): AlignedRow[] {
  const withPos = rows.map((row, pos) => ({ row, pos }));
  const byKey = (key: 'oldIndex' | 'newIndex') => (a: { row: PreviewLayerRow; pos: number }, b: { row: PreviewLayerRow; pos: number }) =>
    (a.row[key] ?? Number.MAX_SAFE_INTEGER) - (b.row[key] ?? Number.MAX_SAFE_INTEGER) || a.pos - b.pos;
  const oldSide = withPos.filter((r) => r.row.change !== 'added').sort(byKey('oldIndex'));
  const newSide = withPos.filter((r) => r.row.change !== 'removed').sort(byKey('newIndex'));

  const out: AlignedRow[] = [];
  const placed = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < oldSide.length || j < newSide.length) {
    const o = oldSide[i];
    const n = newSide[j];
    if (n && placed.has(n.pos)) {
      j++;
    } else if (o && o.row.change === 'removed') {
      out.push({ change: 'removed', left: cell(o.row, o.row.oldIndex) });
      i++;
    } else if (n && n.row.change === 'added') {
      out.push({ change: 'added', right: cell(n.row, n.row.newIndex) });
      j++;
    } else if (o) {
      // A kept layer: both sides in one row. If the new side has them in another order (it should
      // not), the old order wins and the new side skips rows already placed.
      out.push({ change: 'kept', left: cell(o.row, o.row.oldIndex), right: cell(o.row, o.row.newIndex) });
      placed.add(o.pos);
      i++;
    } else if (n) {
      out.push({ change: 'kept', left: cell(n.row, n.row.oldIndex), right: cell(n.row, n.row.newIndex) });
      placed.add(n.pos);
      j++;
    }
  }
  return out;
}

export interface TotalsView {
  layers: string;
  counts: string;
  bytes: string;
}

export function totalsView(t: PreviewModel['totals']): TotalsView {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return {
    layers: `${plural(t.oldLayers, 'layer')} → ${plural(t.newLayers, 'layer')}`,
    counts: `${t.removed} removed · ${t.added} added · ${t.kept} kept`,
    bytes:
      t.bytesToMove === 0
        ? '0 bytes: every layer is mounted or already there'
        : `${formatBytes(t.bytesToMove)} (${t.bytesToMove} bytes) will be copied through this machine`,
  };
}

export interface IndexEntryView {
  /** The platform of an image, else the kind of entry ("attestation", "artifact"). */
  label: string;
  platform?: string;
  kind: string;
  action: IndexEntryAction;
  /** "Rebased", "Kept", "Dropped". */
  actionText: string;
  reason: string;
  digest: string;
  shortDigest: string;
  newDigest?: string;
  newShortDigest?: string;
  /** Rebased images: how their own old base was found (a sentence from the engine). */
  oldBaseNote?: string;
}

export interface IndexSummaryView {
  /** "2 rebased · 1 kept · 1 dropped" (actions that occur only). */
  counts: string;
  entries: IndexEntryView[];
}

const ACTION_TEXT: Record<IndexEntryAction, string> = { rebased: 'Rebased', kept: 'Kept', dropped: 'Dropped' };

/** The index summary table: one row per entry of the source index, in its order. */
export function indexSummaryView(index: PreviewIndex): IndexSummaryView {
  const entries = index.entries.map(
    (e): IndexEntryView => ({
      label: e.platform ?? e.kind,
      platform: e.platform,
      kind: e.kind,
      action: e.action,
      actionText: ACTION_TEXT[e.action] ?? e.action,
      reason: oneLine(e.reason),
      digest: e.digest,
      shortDigest: shortDigest(e.digest),
      newDigest: e.newDigest,
      newShortDigest: e.newDigest ? shortDigest(e.newDigest) : undefined,
      oldBaseNote: e.model ? oneLine(e.model.oldBase.note) : undefined,
    }),
  );
  const counts = (['rebased', 'kept', 'dropped'] as const)
    .map((a) => [a, entries.filter((e) => e.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} ${a}`)
    .join(' · ');
  return { counts: counts || 'no entries', entries };
}

export interface PlatformSection {
  platform: string;
  model: PreviewModel;
  /** Collapsed line of the section: "linux/amd64: 1 removed · 2 added · 2 kept". */
  summary: string;
  /** The first section starts open, the others closed. */
  open: boolean;
}

/** One section per rebased image of an index preview, in index order; none for one image. */
export function platformSections(model: PreviewModel): PlatformSection[] {
  const rebased = (model.index?.entries ?? []).filter((e): e is PreviewIndexEntry & { model: PreviewModel } => e.action === 'rebased' && e.model !== undefined);
  return rebased.map((e, i) => {
    const platform = e.platform ?? e.model.platform;
    return { platform, model: e.model, summary: `${platform}: ${totalsView(e.model.totals).counts}`, open: i === 0 };
  });
}

export interface StatusView {
  phase: PushPhase;
  pushDisabled: boolean;
  pushLabel: string;
  cancelLabel: string;
  /** The sentence for the aria-live status region ('' when there is nothing to say). */
  text: string;
  /** After a push: the digest to show after the text (unset when the text already has it). */
  digest?: string;
  busy: boolean;
}

/**
 * What the buttons and the status line show for a push status. `pushRequested` is true between a
 * click on Push and the host's next status, so a second click cannot start a second push.
 */
export function statusView(status: PushStatus | undefined, hasModel: boolean, pushRequested = false): StatusView {
  const phase: PushPhase = status?.phase ?? 'idle';
  const message = status?.message?.trim();
  if (pushRequested && phase !== 'pushing') {
    return { phase, pushDisabled: true, pushLabel: 'Pushing…', cancelLabel: 'Cancel', text: 'Starting the push…', busy: true };
  }
  switch (phase) {
    case 'pushing':
      return { phase, pushDisabled: true, pushLabel: 'Pushing…', cancelLabel: 'Cancel', text: message || 'Pushing…', busy: true };
    case 'done': {
      const digest = status?.digest && !(message ?? '').includes(status.digest) ? status.digest : undefined;
      return { phase, pushDisabled: true, pushLabel: 'Pushed', cancelLabel: 'Close', text: message || 'Pushed.', digest, busy: false };
    }
    case 'failed':
      return { phase, pushDisabled: !hasModel, pushLabel: 'Push', cancelLabel: 'Cancel', text: message || 'The push failed.', busy: false };
    case 'cancelled':
      return { phase, pushDisabled: !hasModel, pushLabel: 'Push', cancelLabel: 'Cancel', text: message || 'The push was cancelled.', busy: false };
    default:
      return { phase, pushDisabled: !hasModel, pushLabel: 'Push', cancelLabel: 'Cancel', text: message ?? '', busy: false };
  }
}

/** A shallow shape check of a message from the host, so a malformed one is ignored instead of breaking the page. */
export function parseHostMessage(data: unknown): HostMessage | undefined {
  if (!isObject(data)) return undefined;
  if (data.type === 'status') return isPushStatus(data.status) ? { type: 'status', status: data.status } : undefined;
  if (data.type === 'packages') return isPackagesState(data.packages) ? { type: 'packages', packages: data.packages } : undefined;
  if (data.type === 'model') {
    const status = data.status === undefined ? { phase: 'idle' as const } : data.status;
    return isPreviewModel(data.model) && isPushStatus(status) ? { type: 'model', model: data.model, status } : undefined;
  }
  return undefined;
}

const PHASES: readonly string[] = ['idle', 'pushing', 'done', 'failed', 'cancelled'];

export function isPushStatus(v: unknown): v is PushStatus {
  return isObject(v) && typeof v.phase === 'string' && PHASES.includes(v.phase) && (v.message === undefined || typeof v.message === 'string') && (v.digest === undefined || typeof v.digest === 'string');
}

const ACTIONS: readonly string[] = ['rebased', 'kept', 'dropped'];

function isPreviewIndex(v: unknown): v is PreviewIndex {
  if (!isObject(v) || typeof v.digest !== 'string' || typeof v.newDigest !== 'string' || typeof v.mediaType !== 'string' || !Array.isArray(v.entries)) return false;
  return v.entries.every(
    (e) =>
      isObject(e) &&
      typeof e.kind === 'string' &&
      typeof e.action === 'string' &&
      ACTIONS.includes(e.action) &&
      typeof e.reason === 'string' &&
      typeof e.digest === 'string' &&
      (e.platform === undefined || typeof e.platform === 'string') &&
      (e.newDigest === undefined || typeof e.newDigest === 'string') &&
      (e.model === undefined || (isPreviewModel(e.model) && e.model.index === undefined)),
  );
}

export function isPreviewModel(v: unknown): v is PreviewModel {
  if (!isObject(v)) return false;
  if (v.index !== undefined && !isPreviewIndex(v.index)) return false;
  const refs = ['source', 'target', 'oldBase', 'newBase'].every((k) => isObject(v[k]) && typeof (v[k] as Record<string, unknown>).reference === 'string');
  const rows = Array.isArray(v.rows) && v.rows.every((r) => isObject(r) && typeof r.digest === 'string' && (r.change === 'kept' || r.change === 'removed' || r.change === 'added'));
  const optional = (x: unknown) => x === undefined || typeof x === 'string';
  const fields =
    Array.isArray(v.fieldChanges) &&
    v.fieldChanges.every((f) => isObject(f) && typeof f.path === 'string' && optional(f.old) && optional(f.new) && optional(f.label) && optional(f.note) && optional(f.group)) &&
    isFieldNotes(v.fieldNotes);
  const warnings = Array.isArray(v.warnings) && v.warnings.every((w) => typeof w === 'string');
  const merge = v.configMerge === undefined || isPreviewConfigMerge(v.configMerge);
  return refs && rows && fields && warnings && merge && isObject(v.totals) && typeof v.platform === 'string' && typeof v.newManifestDigest === 'string';
}
