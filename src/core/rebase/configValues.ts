/**
 * The value-level rules of the config merge (configMerge.ts): structural equality, what counts as
 * absent, Env parsing, and the decision for one key given its three values.
 */
import type { MergeOutcome } from './configMerge';

/** JSON with object keys sorted, so two values compare equal exactly when they mean the same. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A whole-value setting as the merge sees it: Go writes unset lists and maps as null and unset
 * strings as "", BuildKit leaves them out; all of them mean "not set", so all become undefined.
 */
export function absentWhole(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) return undefined;
  return v;
}

export interface ParsedEnv {
  /** Variable name → value (the text after the first "="; "" for an entry without one). */
  values: Map<string, string>;
  /** Variable name → the entry exactly as written. */
  raw: Map<string, string>;
}

/** Env entries by name; a name listed twice takes its last value, as the runtime does. */
export function parseEnv(env: unknown): ParsedEnv {
  const values = new Map<string, string>();
  const raw = new Map<string, string>();
  for (const entry of Array.isArray(env) ? env : []) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    values.set(name, eq < 0 ? '' : entry.slice(eq + 1));
    raw.set(name, entry);
  }
  return { values, raw };
}

/** Keys of the three maps, each once: the new base's, then the app's, then the old base's. */
export function keyOrder(...maps: Array<Map<string, unknown>>): string[] {
  const seen = new Set<string>();
  for (const m of maps) for (const k of m.keys()) seen.add(k);
  return [...seen];
}

export interface EntryDecision {
  result: unknown;
  decision: MergeOutcome;
  reason: string;
}

/**
 * The issue's rules for one key, undefined meaning absent:
 * app = old base (inherited) → the new base's, removal included; app = new base, or new base =
 * old base → the app's; both changed it differently → the app's, as a conflict. With `segments`
 * (Env), an app value holding the old base's value as `:`-separated segments, as
 * `ENV PATH=/app/bin:$PATH` leaves it, has them replaced by the new base's value.
 */
export function decideEntry(ov: unknown, av: unknown, nv: unknown, segments: boolean): EntryDecision {
  const appIsOld = sameValue(av, ov);
  if (appIsOld && sameValue(av, nv)) return { result: av, decision: 'unchanged', reason: 'Old base, app and new base agree.' };
  if (appIsOld) {
    return nv === undefined
      ? { result: undefined, decision: 'removed', reason: 'The app inherited it from the old base, and the new base no longer has it, so it is removed.' }
      : { result: nv, decision: 'new-base', reason: "The app inherited it from the old base, so the new base's value is taken." };
  }
  if (sameValue(av, nv)) return { result: av, decision: 'app-kept', reason: 'The app set it, and the new base made the same change.' };
  if (sameValue(ov, nv)) {
    return av === undefined
      ? { result: undefined, decision: 'app-kept', reason: 'The app removed it, and the new base did not change it, so it stays removed.' }
      : { result: av, decision: 'app-kept', reason: "The app set it, and the new base did not change it, so the app's value is kept." };
  }
  if (segments && typeof av === 'string' && typeof ov === 'string') {
    const replaced = replaceSegments(av, ov, nv as string | undefined);
    if (replaced !== undefined) {
      return {
        result: replaced,
        decision: 'path-segment-replaced',
        reason:
          nv === undefined
            ? "The app's value extends the old base's (like ENV PATH=/app/bin:$PATH), and the new base has no such variable: that part was dropped."
            : "The app's value extends the old base's (like ENV PATH=/app/bin:$PATH): that part now holds the new base's value.",
      };
    }
  }
  return { result: av, decision: 'conflict', reason: "The app changed it and the new base changed it too: the app's value is kept." };
}

/**
 * Replaces every run of `:`-separated segments of `value` that spells `old` with `replacement`
 * (dropping the run when there is none). Undefined when `old` is not such a run, or is empty.
 */
export function replaceSegments(value: string, old: string, replacement: string | undefined): string | undefined {
  if (old === '') return undefined;
  const parts = value.split(':');
  const want = old.split(':');
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < parts.length; ) {
    if (i + want.length <= parts.length && want.every((w, j) => parts[i + j] === w)) {
      if (replacement !== undefined) out.push(replacement);
      i += want.length;
      found = true;
    } else {
      out.push(parts[i++]);
    }
  }
  return found ? out.join(':') : undefined;
}
