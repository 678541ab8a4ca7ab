import { MergeDecision } from './configMerge';
import { RebasePlan } from './plan';
import { IndexRebasePlan } from './planIndex';
import { IndexPushResult, PushResult } from './push';
import { AnyPreparedRebase, PreparedIndexRebase, PreparedRebase, isIndexRebase } from './rebase';

/** The plan as plain JSON (no Buffers): what `--json` prints and what a webview receives. */
export function planToJson(prepared: PreparedRebase, result?: PushResult): Record<string, unknown> {
  const plan: RebasePlan = prepared.plan;
  return {
    dryRun: result === undefined,
    ...imagePlanJson(plan, prepared.oldBase),
    ...(result ? { result } : {}),
  };
}

function imagePlanJson(plan: RebasePlan, oldBase: PreparedRebase['oldBase']): Record<string, unknown> {
  const count = (c: string) => plan.layers.filter((l) => l.change === c).length;
  return {
    source: plan.source,
    oldBase: { ...plan.oldBase, foundBy: oldBase.foundBy, note: oldBase.note },
    newBase: plan.newBase,
    target: { ...plan.target, digest: plan.newManifestDigest },
    summary: {
      removed: count('removed'),
      added: count('added'),
      kept: count('kept'),
      layersRequired: plan.requiredBlobs.length,
    },
    layers: plan.layers.map((l) => ({
      change: l.change,
      digest: l.descriptor.digest,
      size: l.descriptor.size,
      mediaType: l.descriptor.mediaType,
      diffId: l.diffId,
      createdBy: l.createdBy,
      foreign: l.foreign,
      ...(l.descriptor.urls ? { urls: l.descriptor.urls } : {}),
    })),
    configMerge: configMergeJson(plan),
    warnings: plan.warnings,
    old: { manifest: plan.oldManifest, config: plan.oldConfig },
    new: { manifest: plan.newManifest, manifestDigest: plan.newManifestDigest, config: plan.newConfig, configDigest: plan.newConfigDigest },
  };
}

/**
 * Every merged key with its four values. JSON has no "absent", so an absent value is null: the
 * merge counts a null setting as unset too, so nothing is lost.
 */
function configMergeJson(plan: RebasePlan): Record<string, unknown> {
  const value = (v: unknown) => (v === undefined ? null : v);
  const decision = (d: MergeDecision) => ({
    kind: d.kind,
    field: d.field,
    key: d.key,
    decision: d.decision,
    oldBase: value(d.oldBase),
    app: value(d.app),
    newBase: value(d.newBase),
    result: value(d.result),
    reason: d.reason,
  });
  return {
    mode: plan.configMerge.mode,
    conflicts: plan.configMerge.decisions.filter((d) => d.decision === 'conflict').length,
    decisions: plan.configMerge.decisions.map(decision),
  };
}

/**
 * An index rebase as JSON: the index before and after, and one record per entry of the source
 * index (`platforms`), saying whether it was rebased (with the full image plan), kept or
 * dropped, and why.
 */
export function indexPlanToJson(prepared: PreparedIndexRebase, result?: IndexPushResult): Record<string, unknown> {
  const plan: IndexRebasePlan = prepared.plan;
  const count = (a: string) => plan.entries.filter((e) => e.action === a).length;
  return {
    dryRun: result === undefined,
    kind: 'index',
    source: plan.source,
    newBase: plan.newBase,
    target: { ...plan.target, digest: plan.newIndexDigest, mediaType: plan.newIndexMediaType },
    summary: { rebased: count('rebased'), kept: count('kept'), dropped: count('dropped'), copied: plan.copies.length },
    platforms: plan.entries.map((e) => ({
      kind: e.kind,
      platform: e.platform,
      action: e.action,
      reason: e.reason,
      sourceDigest: e.source.digest,
      sourceMediaType: e.source.mediaType,
      ...(e.descriptor ? { digest: e.descriptor.digest, descriptor: e.descriptor } : {}),
      ...(e.child ? { match: e.child.match, newPlatform: e.child.platform, plan: imagePlanJson(e.child.plan, e.child.oldBase) } : {}),
      ...(result && e.child ? { result: result.children.find((c) => c.digest === e.child!.plan.newManifestDigest) } : {}),
    })),
    warnings: plan.warnings,
    old: { index: plan.oldIndex, digest: plan.source.digest },
    new: { index: plan.newIndex, digest: plan.newIndexDigest },
    ...(result ? { result: { reference: result.reference, digest: result.digest, present: result.present, mounted: result.mounted, copiedLayers: result.copiedLayers, bytesCopied: result.bytesCopied, manifestsCopied: result.copied.length } } : {}),
  };
}

export function anyPlanToJson(prepared: AnyPreparedRebase, result?: PushResult | IndexPushResult): Record<string, unknown> {
  return isIndexRebase(prepared) ? indexPlanToJson(prepared, result as IndexPushResult | undefined) : planToJson(prepared, result as PushResult | undefined);
}
