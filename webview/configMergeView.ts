/**
 * Pure view model of the config merge section: which keys to list, what each decision is called,
 * and the counts in the heading. No DOM here, so Node unit tests can import it. The strings come
 * from registries and are only passed along; configMergeSection.ts shows them as text.
 */
import type { PreviewConfigMerge, PreviewMergeDecision, PreviewMergeOutcome } from '../src/shared/previewProtocol';

export const OUTCOME_TEXT: Record<PreviewMergeOutcome, string> = {
  unchanged: 'Unchanged',
  'new-base': 'From the new base',
  removed: 'Removed with the old base',
  'app-kept': "App's kept",
  conflict: "Conflict: app's kept",
  'path-segment-replaced': 'Old base segments replaced',
};

export interface MergeRowView {
  label: string;
  decision: PreviewMergeOutcome;
  decisionText: string;
  reason: string;
  oldBase?: string;
  app?: string;
  newBase?: string;
  result?: string;
  conflict: boolean;
  /** The result differs from what the app's config said. */
  changesApp: boolean;
}

export interface MergeSectionView {
  mode: 'merge' | 'keep';
  /** "3 changes to the app's config · 1 conflict · 12 unchanged" */
  counts: string;
  /** Keys whose values are not the same in all three, in plan order (conflicts are not moved). */
  rows: MergeRowView[];
  conflicts: number;
  unchanged: number;
  /** When there is no row to show: the sentence to show instead. */
  empty?: string;
}

function row(d: PreviewMergeDecision): MergeRowView {
  return {
    label: d.label,
    decision: d.decision,
    decisionText: OUTCOME_TEXT[d.decision] ?? d.decision,
    reason: d.reason,
    oldBase: d.oldBase,
    app: d.app,
    newBase: d.newBase,
    result: d.result,
    conflict: d.decision === 'conflict',
    changesApp: d.result !== d.app,
  };
}

export function mergeSectionView(merge: PreviewConfigMerge): MergeSectionView {
  if (merge.mode === 'keep') {
    return { mode: 'keep', counts: 'kept as the app\'s', rows: [], conflicts: 0, unchanged: 0, empty: "The app's container settings (Env, Labels, Cmd…) are kept exactly as they are (imageRebase.keepConfig)." };
  }
  const rows = merge.decisions.filter((d) => d.decision !== 'unchanged').map(row);
  const conflicts = rows.filter((r) => r.conflict).length;
  const unchanged = merge.decisions.length - rows.length;
  const changed = rows.filter((r) => r.changesApp).length;
  const counts = [`${changed} change${changed === 1 ? '' : 's'} to the app's config`, conflicts ? `${conflicts} conflict${conflicts === 1 ? '' : 's'}` : '', unchanged ? `${unchanged} unchanged` : ''].filter(Boolean).join(' · ');
  const empty =
    rows.length > 0
      ? undefined
      : merge.decisions.length === 0
        ? 'Neither the app nor its bases have container settings to merge.'
        : 'Every container setting is the same in the old base, the app and the new base.';
  return { mode: 'merge', counts, rows, conflicts, unchanged, ...(empty ? { empty } : {}) };
}

const OUTCOMES: readonly string[] = Object.keys(OUTCOME_TEXT);
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** A shallow shape check, as for the rest of the model: a malformed section makes the model invalid. */
export function isPreviewConfigMerge(v: unknown): v is PreviewConfigMerge {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if ((o.mode !== 'merge' && o.mode !== 'keep') || !Array.isArray(o.decisions)) return false;
  return o.decisions.every((d) => {
    if (typeof d !== 'object' || d === null) return false;
    const x = d as Record<string, unknown>;
    return (
      typeof x.label === 'string' &&
      typeof x.kind === 'string' &&
      typeof x.reason === 'string' &&
      typeof x.decision === 'string' &&
      OUTCOMES.includes(x.decision) &&
      optionalString(x.oldBase) &&
      optionalString(x.app) &&
      optionalString(x.newBase) &&
      optionalString(x.result)
    );
  });
}
