/**
 * The three-way merge of an image's container settings (the `config` object inside the image
 * config): old base → app, applied onto the new base, so that a rebased image says what a rebuild
 * of its Dockerfile on the new base would say. Pure: no I/O, nothing else of the plan.
 *
 * Env is merged by variable name, Labels by key, ExposedPorts and Volumes by key; User,
 * WorkingDir, Entrypoint, Cmd, StopSignal, Healthcheck, Shell and OnBuild as whole values,
 * compared structurally. Every other setting is the app's, as it was.
 */
import { ImageConfig } from '../manifest';
import { absentWhole, decideEntry, keyOrder, parseEnv, sameValue } from './configValues';

export type ContainerConfig = NonNullable<ImageConfig['config']>;

/** What a merged key is: a variable, a label, a port, a volume, or a setting merged as a whole. */
export type MergeKind = 'env' | 'label' | 'port' | 'volume' | 'value';

export type MergeOutcome =
  /** Old base, app and new base agree. */
  | 'unchanged'
  /** The app inherited it from the old base: the new base's value is taken. */
  | 'new-base'
  /** The app inherited it and the new base no longer has it. */
  | 'removed'
  /** The app set or changed it (or a Dockerfile rule makes it the app's own): kept. */
  | 'app-kept'
  /** The app changed it and the new base changed it too, differently: the app's is kept. */
  | 'conflict'
  /** The app's value held the old base's as `:`-separated segments; they now hold the new base's. */
  | 'path-segment-replaced';

export interface MergeDecision {
  kind: MergeKind;
  /** The config field: Env, Labels, ExposedPorts, Volumes, or the whole-value field itself. */
  field: string;
  /** Variable name, label key, port or volume path; for whole values the field name again. */
  key: string;
  /**
   * The four values, undefined when absent: strings for Env and Labels, `{}` for a present port or
   * volume, the JSON value itself for whole values (null, "", [] and {} count as absent there).
   */
  oldBase?: unknown;
  app?: unknown;
  newBase?: unknown;
  result?: unknown;
  decision: MergeOutcome;
  /** One sentence saying why. */
  reason: string;
}

export interface ConfigMerge {
  /** The merged settings; undefined when the app had none and none result. */
  config: ContainerConfig | undefined;
  /** One decision per key present in any of the three, in the order of the result. */
  decisions: MergeDecision[];
}

export const WHOLE_VALUE_FIELDS = ['User', 'WorkingDir', 'Entrypoint', 'Cmd', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'] as const;

type Keyed = { field: 'Env' | 'Labels' | 'ExposedPorts' | 'Volumes'; kind: MergeKind };
const KEYED: Keyed[] = [
  { field: 'Env', kind: 'env' },
  { field: 'Labels', kind: 'label' },
  { field: 'ExposedPorts', kind: 'port' },
  { field: 'Volumes', kind: 'volume' },
];

/**
 * Merges the container settings of `app`, built on `oldBase`, onto `newBase`. The result is a new
 * object; a field whose merged value equals the app's is left exactly as the app wrote it, so an
 * image whose bases agree keeps a byte-identical config.
 */
export function mergeConfig(oldBase: ContainerConfig | null | undefined, app: ContainerConfig | null | undefined, newBase: ContainerConfig | null | undefined): ConfigMerge {
  const o = oldBase ?? {};
  const a = app ?? {};
  const n = newBase ?? {};
  const out: Record<string, unknown> = structuredClone(a);
  const decisions: MergeDecision[] = [];

  for (const { field, kind } of KEYED) {
    const merged = field === 'Env' ? mergeEnv(o.Env, a.Env, n.Env) : mergeMap(kind, field, o[field], a[field], n[field]);
    decisions.push(...merged.decisions);
    if (merged.changed) {
      if (merged.value === undefined) delete out[field];
      else out[field] = merged.value;
    }
  }

  for (const field of WHOLE_VALUE_FIELDS) {
    const d = wholeValue(field, o, a, n);
    if (!d) continue;
    decisions.push(d);
    if (!sameValue(d.result, d.app)) {
      if (d.result === undefined) delete out[field];
      else out[field] = structuredClone(d.result);
    }
  }

  const empty = app == null && Object.keys(out).length === 0;
  return { config: empty ? undefined : (out as ContainerConfig), decisions };
}

/**
 * One whole-value setting. Two Dockerfile rules come before the general ones, because they
 * decide what a rebuild would hold regardless of what the base says:
 *
 * - ENTRYPOINT resets an inherited CMD (Docker and BuildKit set Cmd to empty unless a CMD came
 *   earlier in the same stage). So when the app's Entrypoint differs from the old base's, the
 *   app set ENTRYPOINT, and whatever Cmd it holds is its own: empty if it set none, or a CMD it
 *   wrote, even one equal to the old base's (a reset CMD cannot still equal the base's unless the
 *   app wrote it again). A rebuild keeps that Cmd on any base, so it is kept, and a new base that
 *   changed its CMD is no conflict: that CMD could never reach the rebuilt image.
 * - ONBUILD triggers are never inherited: a build runs the base's triggers and clears them. The
 *   app's OnBuild is therefore always its own; taking the new base's would plant triggers a
 *   rebuild would have run, and a rebase cannot run them (mergeWarnings says so).
 */
function wholeValue(field: (typeof WHOLE_VALUE_FIELDS)[number], o: ContainerConfig, a: ContainerConfig, n: ContainerConfig): MergeDecision | undefined {
  const ov = absentWhole(o[field]);
  const av = absentWhole(a[field]);
  const nv = absentWhole(n[field]);
  if (ov === undefined && av === undefined && nv === undefined) return undefined;
  const base = { kind: 'value' as const, field, key: field, oldBase: ov, app: av, newBase: nv };
  const allSame = sameValue(ov, av) && sameValue(av, nv);
  if (!allSame && field === 'Cmd' && !sameValue(absentWhole(o.Entrypoint), absentWhole(a.Entrypoint))) {
    return {
      ...base,
      result: av,
      decision: 'app-kept',
      reason: 'The app set its own ENTRYPOINT, which resets an inherited CMD, so this CMD is the app\'s own (a rebuild keeps it on any base).',
    };
  }
  if (!allSame && field === 'OnBuild') {
    return { ...base, result: av, decision: 'app-kept', reason: 'ONBUILD triggers are never inherited (a build runs the base\'s and clears them), so the app\'s value is its own.' };
  }
  const d = decideEntry(ov, av, nv, false);
  return { ...base, result: d.result, decision: d.decision, reason: d.reason };
}

interface FieldMerge {
  decisions: MergeDecision[];
  /** Whether the merged value differs from the app's (only then is the field rewritten). */
  changed: boolean;
  value: unknown;
}

/** Labels, ExposedPorts, Volumes: maps merged key by key; the values of ports and volumes are `{}`. */
function mergeMap(kind: MergeKind, field: string, oldMap: unknown, appMap: unknown, newMap: unknown): FieldMerge {
  const entries = (m: unknown) => new Map(m && typeof m === 'object' && !Array.isArray(m) ? Object.entries(m as Record<string, unknown>) : []);
  const [om, am, nm] = [entries(oldMap), entries(appMap), entries(newMap)];
  const merged = mergeEntries(kind, field, om, am, nm, false);
  if (!merged.changed) return { decisions: merged.decisions, changed: false, value: appMap };
  const value: Record<string, unknown> = {};
  for (const [k, v] of merged.entries) value[k] = structuredClone(v);
  return { decisions: merged.decisions, changed: true, value: merged.entries.length ? value : undefined };
}

/** Env: merged by variable name; each entry keeps its exact text unless its value changed. */
function mergeEnv(oldEnv: unknown, appEnv: unknown, newEnv: unknown): FieldMerge {
  const [oe, ae, ne] = [parseEnv(oldEnv), parseEnv(appEnv), parseEnv(newEnv)];
  const merged = mergeEntries('env', 'Env', oe.values, ae.values, ne.values, true);
  if (!merged.changed) return { decisions: merged.decisions, changed: false, value: appEnv };
  const text = (k: string, v: unknown, d: MergeDecision | undefined): string => {
    // Reuse the side's own text ("NAME" without "=" stays so) where the value came from it.
    if (d && sameValue(v, d.app) && ae.raw.has(k)) return ae.raw.get(k)!;
    if (d && sameValue(v, d.newBase) && ne.raw.has(k)) return ne.raw.get(k)!;
    return `${k}=${String(v)}`;
  };
  const byKey = new Map(merged.decisions.map((d) => [d.key, d]));
  const value = merged.entries.map(([k, v]) => text(k, v, byKey.get(k)));
  return { decisions: merged.decisions, changed: true, value: value.length ? value : undefined };
}

/**
 * Decides every key of one keyed field. The merged entries come in the order a rebuild would
 * write them: the new base's keys first (an app's override replaces a variable in place), then the
 * app's own, in its order.
 */
function mergeEntries(
  kind: MergeKind,
  field: string,
  om: Map<string, unknown>,
  am: Map<string, unknown>,
  nm: Map<string, unknown>,
  segments: boolean,
): { decisions: MergeDecision[]; entries: Array<[string, unknown]>; changed: boolean } {
  const decisions: MergeDecision[] = [];
  const entries: Array<[string, unknown]> = [];
  let changed = false;
  for (const key of keyOrder(nm, am, om)) {
    const [ov, av, nv] = [om.get(key), am.get(key), nm.get(key)];
    const d = decideEntry(ov, av, nv, segments);
    decisions.push({ kind, field, key, oldBase: ov, app: av, newBase: nv, result: d.result, decision: d.decision, reason: d.reason });
    if (d.result !== undefined) entries.push([key, d.result]);
    if (!sameValue(d.result, av)) changed = true;
  }
  // Only the order changed (no value did): the app's field stays as written.
  return { decisions, entries, changed };
}

/** Short display names of a decision's key: "Env PATH", "Labels org.example.base", "Cmd". */
export function decisionLabel(d: Pick<MergeDecision, 'kind' | 'field' | 'key'>): string {
  return d.kind === 'value' ? d.field : `${d.field} ${d.key}`;
}

/**
 * Sentences for the plan's warnings: every conflict, and ONBUILD triggers of the new base that a
 * rebuild would have run (a rebase cannot run them).
 */
export function mergeWarnings(decisions: readonly MergeDecision[], newBaseReference: string): string[] {
  const out: string[] = [];
  for (const d of decisions) {
    if (d.decision === 'conflict') {
      out.push(`Config conflict on ${decisionLabel(d)}: the app set ${show(d.app)} and the new base ${newBaseReference} changed it from ${show(d.oldBase)} to ${show(d.newBase)}; the app's value was kept, check that it still fits the new base.`);
    }
    if (d.field === 'OnBuild' && d.newBase !== undefined && !sameValue(d.oldBase, d.newBase)) {
      out.push(`The new base ${newBaseReference} has ONBUILD triggers (${show(d.newBase)}) that a rebuild would run; a rebase cannot run them, so their effect is missing from the rebased image.`);
    }
  }
  return out;
}

/** A value in a sentence: strings quoted, JSON otherwise, "nothing" when absent. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  return JSON.stringify(v);
}
