/**
 * How the CLI shows the config merge: a one-line summary on stderr for every run, a line per
 * `:`-segment replacement (the merge rewrote a value the app wrote, so it says so), and in a dry
 * run every merged key with its four values. Conflicts reach stderr as the plan's warnings.
 */
import { MergeDecision, MergeOutcome, decisionLabel } from '../core/rebase/configMerge';
import { ConfigMergePlan } from '../core/rebase/rebaseConfig';
import { oneLine } from '../shared/sanitize';
import { Terminal } from './terminal';

const VALUE_MAX = 160;

const SUMMARY: Array<[MergeOutcome, string]> = [
  ['new-base', 'from the new base'],
  ['removed', 'removed with the old base'],
  ['path-segment-replaced', 'with old base segments replaced'],
  ['app-kept', "the app's own"],
  ['conflict', "conflicting (the app's kept)"],
  ['unchanged', 'the same in all three'],
];

export function configSummary(merge: ConfigMergePlan): string {
  if (merge.mode === 'keep') return "Config: the app's container settings are kept as they are (--keep-config).";
  const counts = SUMMARY.map(([o, words]) => [merge.decisions.filter((d) => d.decision === o).length, words] as const).filter(([n]) => n > 0);
  if (counts.length === 0) return 'Config: no container settings in the app or its bases.';
  return `Config merged (old base -> app, onto the new base): ${counts.map(([n, words]) => `${n} ${words}`).join(', ')}.`;
}

/** The summary and the segment replacements, on stderr. */
export function printConfigNotes(io: Terminal, merge: ConfigMergePlan, prefix = ''): void {
  io.err(prefix + configSummary(merge));
  for (const d of merge.decisions) {
    if (d.decision === 'path-segment-replaced') {
      io.err(`${prefix}Config ${oneLine(decisionLabel(d), 200)}: the old base's ${value(d.oldBase)} inside the app's ${value(d.app)} was replaced by the new base's ${value(d.newBase)}, giving ${value(d.result)}.`);
    }
  }
}

/** Every merged key, one line each: decision, key, and old base | app | new base -> result. */
export function configLines(merge: ConfigMergePlan): string[] {
  if (merge.mode === 'keep') return ["Config kept as the app's (--keep-config)."];
  return [`Config (${merge.decisions.length} keys; old base | app | new base -> result):`, ...merge.decisions.map(decisionLine)];
}

function decisionLine(d: MergeDecision): string {
  return `  ${d.decision.padEnd(21)} ${oneLine(decisionLabel(d), 200)}: ${value(d.oldBase)} | ${value(d.app)} | ${value(d.newBase)} -> ${value(d.result)}`;
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  return oneLine(JSON.stringify(v), VALUE_MAX);
}
