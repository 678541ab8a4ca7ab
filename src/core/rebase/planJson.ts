import { RebasePlan } from './plan';
import { PushResult } from './push';
import { PreparedRebase } from './rebase';

/** The plan as plain JSON (no Buffers): what `--json` prints and what a webview receives. */
export function planToJson(prepared: PreparedRebase, result?: PushResult): Record<string, unknown> {
  const plan: RebasePlan = prepared.plan;
  const count = (c: string) => plan.layers.filter((l) => l.change === c).length;
  return {
    dryRun: result === undefined,
    source: plan.source,
    oldBase: { ...plan.oldBase, foundBy: prepared.oldBase.foundBy, note: prepared.oldBase.note },
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
    })),
    warnings: plan.warnings,
    old: { manifest: plan.oldManifest, config: plan.oldConfig },
    new: { manifest: plan.newManifest, manifestDigest: plan.newManifestDigest, config: plan.newConfig, configDigest: plan.newConfigDigest },
    ...(result ? { result } : {}),
  };
}
