import { PreviewConfigMerge, PreviewIndexEntry, PreviewLayerRow, PreviewModel } from '../../shared/previewProtocol';
import { oneLine } from '../../shared/sanitize';
import { decisionLabel } from './configMerge';
import { formatPlatform } from './fetchImage';
import { RebasePlan } from './plan';
import { imageFieldChanges, indexFieldChanges } from './previewFields';
import { AnyPreparedRebase, PreparedIndexRebase, PreparedRebase, isIndexRebase, preparedChild } from './rebase';

export interface PreviewExtra {
  existingTargetDigest?: string;
  warnings?: string[];
}

/** The preview of either kind of prepared rebase. */
export function anyPreviewModel(prepared: AnyPreparedRebase, extra: PreviewExtra = {}): PreviewModel {
  return isIndexRebase(prepared) ? indexPreviewModel(prepared, extra) : previewModel(prepared, extra);
}

/**
 * What the Rebase Preview shows, computed from a prepared rebase alone (pure, like the plan):
 * aligned layer rows, the real changes of config and manifest (previewFields.ts), totals and warnings.
 */
export function previewModel(prepared: PreparedRebase, extra: PreviewExtra = {}): PreviewModel {
  const plan = prepared.plan;
  const rows = layerRows(plan);
  const count = (c: string) => rows.filter((r) => r.change === c).length;
  const fields = imageFieldChanges(plan);
  return {
    source: { reference: plan.source.reference, digest: plan.source.digest },
    target: { reference: plan.target.reference, existingDigest: extra.existingTargetDigest },
    oldBase: { reference: plan.oldBase.reference, digest: plan.oldBase.digest, foundBy: prepared.oldBase.foundBy, note: prepared.oldBase.note },
    newBase: { reference: plan.newBase.reference, digest: plan.newBase.digest },
    platform: formatPlatform(plan.newConfig) + (plan.newConfig['os.version'] ? ` (${plan.newConfig['os.version']})` : ''),
    newManifestDigest: plan.newManifestDigest,
    rows,
    fieldChanges: fields.changes,
    fieldNotes: fields.notes,
    totals: {
      oldLayers: plan.oldManifest.layers.length,
      newLayers: plan.newManifest.layers.length,
      removed: count('removed'),
      added: count('added'),
      kept: count('kept'),
      bytesToMove: bytesToMove(plan),
    },
    warnings: [...plan.warnings, ...(extra.warnings ?? [])],
    configMerge: previewConfigMerge(plan),
  };
}

/** Longest config value or key the Config merge section shows. */
const MERGE_TEXT_MAX = 1000;

/**
 * The merge decisions with their values as display text (the webview shows strings only). Keys
 * and values are the registry's text: each is put on one line with its controls escaped, and capped.
 */
function previewConfigMerge(plan: RebasePlan): PreviewConfigMerge {
  const text = (kind: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (kind === 'port' || kind === 'volume') return 'present';
    return oneLine(typeof v === 'string' ? v : JSON.stringify(v), MERGE_TEXT_MAX);
  };
  return {
    mode: plan.configMerge.mode,
    decisions: plan.configMerge.decisions.map((d) => ({
      label: oneLine(decisionLabel(d), MERGE_TEXT_MAX),
      kind: d.kind,
      decision: d.decision,
      ...(d.oldBase !== undefined ? { oldBase: text(d.kind, d.oldBase) } : {}),
      ...(d.app !== undefined ? { app: text(d.kind, d.app) } : {}),
      ...(d.newBase !== undefined ? { newBase: text(d.kind, d.newBase) } : {}),
      ...(d.result !== undefined ? { result: text(d.kind, d.result) } : {}),
      reason: d.reason,
    })),
  };
}

/**
 * The preview of a whole index: every entry with what happens to it and why, and for each rebased
 * image its own single-image preview (layers, fields, how its old base was found). The top level
 * names the indexes; its fieldChanges are those of the index document, its totals the sums over
 * the rebased images (bytes counted once per blob), and its rows are empty.
 */
export function indexPreviewModel(prepared: PreparedIndexRebase, extra: PreviewExtra = {}): PreviewModel {
  const plan = prepared.plan;
  const entries: PreviewIndexEntry[] = plan.entries.map((e) => ({
    ...(e.platform !== undefined ? { platform: e.platform } : {}),
    kind: e.kind,
    action: e.action,
    reason: e.reason,
    digest: e.source.digest,
    ...(e.descriptor ? { newDigest: e.descriptor.digest } : {}),
    // The index's warnings already name each platform's: a child's own would say them twice.
    ...(e.child ? { model: { ...previewModel(preparedChild(e.child)), warnings: [] } } : {}),
  }));
  const models = entries.flatMap((e) => (e.model ? [e.model] : []));
  const first = models[0];
  const sum = (k: keyof PreviewModel['totals']) => models.reduce((n, m) => n + m.totals[k], 0);
  const fields = indexFieldChanges(plan);
  return {
    source: { reference: plan.source.reference, digest: plan.source.digest },
    target: { reference: plan.target.reference, existingDigest: extra.existingTargetDigest },
    oldBase: first ? first.oldBase : { reference: '', digest: '', foundBy: '', note: '' },
    newBase: { reference: plan.newBase.reference, digest: plan.newBase.digest },
    platform: entries.filter((e) => e.action === 'rebased' && e.platform).map((e) => e.platform).join(', '),
    newManifestDigest: plan.newIndexDigest,
    rows: [],
    fieldChanges: fields.changes,
    fieldNotes: fields.notes,
    totals: {
      oldLayers: sum('oldLayers'),
      newLayers: sum('newLayers'),
      removed: sum('removed'),
      added: sum('added'),
      kept: sum('kept'),
      bytesToMove: indexBytesToMove(prepared),
    },
    warnings: [...plan.warnings, ...(extra.warnings ?? [])],
    index: { digest: plan.source.digest, newDigest: plan.newIndexDigest, mediaType: plan.newIndexMediaType, entries },
  };
}

/** Blobs of every rebased image and every copied manifest that cross this machine, each counted once. */
function indexBytesToMove(prepared: PreparedIndexRebase): number {
  const plan = prepared.plan;
  const sizes = new Map<string, number>();
  const blobs = [...plan.children.flatMap((c) => c.plan.requiredBlobs), ...plan.copies.flatMap((c) => c.blobs)];
  for (const b of blobs) if (b.from.registry !== plan.target.repo.registry) sizes.set(b.descriptor.digest, b.descriptor.size);
  return [...sizes.values()].reduce((n, s) => n + s, 0);
}

function layerRows(plan: RebasePlan): PreviewLayerRow[] {
  let oldIndex = 0;
  let newIndex = 0;
  return plan.layers.map((l) => {
    const row: PreviewLayerRow = {
      change: l.change,
      digest: l.descriptor.digest,
      size: l.descriptor.size,
      mediaType: l.descriptor.mediaType,
      createdBy: l.createdBy,
      foreign: l.foreign,
    };
    if (l.change !== 'added') row.oldIndex = ++oldIndex;
    if (l.change !== 'removed') row.newIndex = ++newIndex;
    return row;
  });
}

/** Layers cross this machine only when the target is on another registry than their origin. */
function bytesToMove(plan: RebasePlan): number {
  return plan.requiredBlobs.filter((b) => b.from.registry !== plan.target.repo.registry).reduce((n, b) => n + b.descriptor.size, 0);
}
