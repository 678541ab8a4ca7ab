import { ImageConfig } from '../manifest';
import { MergeDecision, mergeConfig, mergeWarnings } from './configMerge';
import { baseHistoryLength, countLayerEntries, trailingEmptyEntries } from './history';

/** The config's platform fields, which a rebased image takes from its new base. */
export const PLATFORM_FIELDS = ['os', 'architecture', 'variant', 'os.version', 'os.features'] as const;

/** How the container settings were treated: merged three-way (the default), or kept as the app's. */
export interface ConfigMergePlan {
  mode: 'merge' | 'keep';
  /** Every merged key with its four values (empty with 'keep'). */
  decisions: MergeDecision[];
}

export interface RebasedConfig {
  config: ImageConfig;
  merge: ConfigMergePlan;
}

export interface RebaseConfigInput {
  source: ImageConfig;
  oldBase: ImageConfig;
  newBase: ImageConfig;
  oldLayerCount: number;
  sourceRef: string;
  newBaseRef: string;
  /** Keep the app's container settings exactly as they are (`--keep-config`). */
  keepConfig?: boolean;
}

/**
 * The app's config with the base swapped underneath: platform fields from the new base, the base
 * part of diff_ids and history replaced, the container settings merged three-way (old base → app,
 * onto the new base) unless `keepConfig`, and the app's `created` kept.
 */
export function rebaseConfig(input: RebaseConfigInput, warnings: string[]): RebasedConfig {
  const { source: src, oldBase, newBase, oldLayerCount } = input;
  const out: ImageConfig = structuredClone(src);
  for (const f of PLATFORM_FIELDS) {
    if (newBase[f] !== undefined) (out as Record<string, unknown>)[f] = structuredClone(newBase[f]);
    else delete (out as Record<string, unknown>)[f];
  }
  out.rootfs = {
    type: src.rootfs.type,
    diff_ids: [...newBase.rootfs.diff_ids, ...src.rootfs.diff_ids.slice(oldLayerCount)],
  };

  const srcHistory = src.history ?? [];
  if (srcHistory.length > 0) {
    const cut = baseHistoryLength(srcHistory, oldLayerCount, trailingEmptyEntries(oldBase.history));
    if (cut === undefined || countLayerEntries(srcHistory) !== src.rootfs.diff_ids.length) {
      warnings.push(`The history of ${input.sourceRef} does not line up with its layers; it was kept after the new base's history as it is.`);
    }
    const appHistory = cut === undefined ? srcHistory : srcHistory.slice(cut);
    out.history = [...structuredClone(newBase.history ?? []), ...appHistory];
  } else if (newBase.history?.length) {
    // Without app history, new base history alone would claim fewer layers than exist.
    delete out.history;
  }

  if (input.keepConfig) return { config: out, merge: { mode: 'keep', decisions: [] } };
  const merged = mergeConfig(oldBase.config, src.config, newBase.config);
  // Undefined only when the app had no settings and none result: its null or absence stays.
  if (merged.config !== undefined) out.config = merged.config;
  warnings.push(...mergeWarnings(merged.decisions, input.newBaseRef));
  return { config: out, merge: { mode: 'merge', decisions: merged.decisions } };
}
