/**
 * The "Config and manifest changes" of the Rebase Preview: only what really differs between the
 * source image and the rebased one. A rebase replaces the base part of manifest.layers,
 * config.rootfs.diff_ids and config.history and keeps the app part, so those lists are aligned by
 * part (base layers removed and added, app part kept) instead of compared position by position,
 * where every shifted app entry would count as changed. Pure, like the plan.
 */
import type { PreviewFieldChange, PreviewFieldGroupKey, PreviewFieldNote } from '../../shared/previewProtocol';
import { formatBytes } from '../../shared/format';
import { oneLine } from '../../shared/sanitize';
import { Descriptor, HistoryEntry, ImageConfig } from '../manifest';
import { canonicalJson, parseEnv, sameValue } from './configValues';
import { IndexRebasePlan } from './planIndex';
import { LayerRow, RebasePlan } from './plan';
import { PLATFORM_FIELDS } from './rebaseConfig';

export interface FieldList {
  changes: PreviewFieldChange[];
  notes: PreviewFieldNote[];
}

/** Config fields shown elsewhere: the aligned layer lists, the platform, the container settings. */
const NOT_PLAIN = new Set([...PLATFORM_FIELDS, 'rootfs', 'history', 'config']);
const KEYED_SETTINGS = new Set(['Env', 'Labels', 'ExposedPorts', 'Volumes']);
/**
 * Longest history line or reason a note shows: registry text (Dockerfile RUN steps often span
 * several lines) is put on one line, its controls escaped, and capped here.
 */
const LINE_MAX = 1000;

/** A value as the webview shows it: strings as they are, anything else as JSON. */
/** Registry values as the webview shows them: one sanitized line. */
const text = (v: unknown): string | undefined => (v === undefined ? undefined : oneLine(typeof v === 'string' ? v : JSON.stringify(v), LINE_MAX));
const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
/** Dotted path segment, or a bracketed one for keys that are not identifiers. */
const seg = (k: string) => (/^[A-Za-z_]\w*$/.test(k) ? `.${k}` : `[${oneLine(k, 200)}]`);

class Collector {
  readonly changes: PreviewFieldChange[] = [];
  readonly notes: PreviewFieldNote[] = [];
  /** Adds a change when the values differ; `label` names it for people, `path` in the document. */
  diff(group: PreviewFieldGroupKey, path: string, label: string, before: unknown, after: unknown, note?: string): void {
    if (sameValue(before, after)) return;
    this.add({ group, path, label, old: text(before), new: text(after), ...(note ? { note } : {}) });
  }
  add(c: PreviewFieldChange): void {
    if (c.old === undefined) delete c.old;
    if (c.new === undefined) delete c.new;
    this.changes.push(c);
  }
  note(group: PreviewFieldGroupKey, line: string): void {
    this.notes.push({ group, text: line });
  }
  /** One change per key of two string maps (annotations, labels). */
  map(group: PreviewFieldGroupKey, path: string, label: string, a: Record<string, unknown> | null | undefined, b: Record<string, unknown> | null | undefined): void {
    const before = a ?? {};
    const after = b ?? {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) this.diff(group, `${path}[${k}]`, `${label}${k}`, before[k], after[k]);
  }
  /** Fields of two objects compared as whole values, except `skip`. */
  fields(group: PreviewFieldGroupKey, prefix: string, a: object, b: object, skip: Set<string>): void {
    const before = a as Record<string, unknown>;
    const after = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (!skip.has(k)) this.diff(group, `${prefix}${seg(k)}`, k, before[k], after[k]);
    }
  }
}

/** The real changes of one rebased image, with lines saying what was kept. */
export function imageFieldChanges(plan: RebasePlan): FieldList {
  const c = new Collector();
  baseLayers(plan, c);
  const oldCfg = plan.oldConfig as Record<string, unknown>;
  const newCfg = plan.newConfig as Record<string, unknown>;
  for (const f of PLATFORM_FIELDS) c.diff('platform', `config.${f}`, f, oldCfg[f], newCfg[f]);
  c.fields('config-fields', 'config', oldCfg, newCfg, NOT_PLAIN);
  settings(plan.oldConfig.config, plan.newConfig.config, c);
  c.map('manifest-annotations', 'manifest.annotations', '', plan.oldManifest.annotations, plan.newManifest.annotations);
  const om = plan.oldManifest;
  const nm = plan.newManifest;
  c.fields('manifest-fields', 'manifest', om, nm, new Set(['layers', 'config', 'annotations', 'subject']));
  c.diff('manifest-fields', 'manifest.config.mediaType', 'config.mediaType', om.config.mediaType, nm.config.mediaType);
  if (om.subject && !nm.subject) c.add({ group: 'manifest-fields', path: 'manifest.subject', label: 'subject', old: om.subject.digest, note: 'Signatures and SBOMs of the source do not describe the rebased image.' });
  c.diff('sizes', 'manifest.config.digest', 'Config digest', om.config.digest, nm.config.digest);
  c.diff('sizes', 'manifest.config.size', 'Config size', bytes(om.config.size), bytes(nm.config.size));
  c.diff('sizes', 'image.size', 'Image size (config and layers)', imageSize(om.config, om.layers), imageSize(nm.config, nm.layers));
  return c;
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
function imageSize(config: Descriptor, layers: Descriptor[]): string {
  const n = layers.reduce((s, l) => s + l.size, config.size);
  return `${formatBytes(n)} (${bytes(n)})`;
}

/**
 * manifest.layers, config.rootfs.diff_ids and config.history, aligned: base layers both bases
 * share at the bottom are unchanged, the other old base layers are removed and the new base's
 * added, each with the history line that made it; the app part is kept and only counted.
 */
function baseLayers(plan: RebasePlan, c: Collector): void {
  const oldBase = plan.layers.filter((l) => l.change === 'removed');
  const newBase = plan.layers.filter((l) => l.change === 'added');
  const app = plan.layers.filter((l) => l.change === 'kept').length;
  // A patch release often keeps its lowest layers: those are the same blob at the same place.
  const sameLayer = (a: LayerRow, b: LayerRow) => a.descriptor.digest === b.descriptor.digest && a.descriptor.mediaType === b.descriptor.mediaType && a.diffId === b.diffId;
  let shared = 0;
  while (shared < oldBase.length && shared < newBase.length && sameLayer(oldBase[shared], newBase[shared])) shared++;
  const layerRow = (l: LayerRow, i: number, side: 'old' | 'new'): PreviewFieldChange => ({
    group: 'base-layers',
    path: `manifest.layers[${i}]`,
    label: `${side === 'old' ? 'Old' : 'New'} base layer ${i + 1}`,
    ...(side === 'old' ? { old: l.descriptor.digest } : { new: l.descriptor.digest }),
    note: `${formatBytes(l.descriptor.size)} · ${l.createdBy ? oneLine(l.createdBy, LINE_MAX) : '(no history entry)'}`,
  });
  oldBase.forEach((l, i) => i >= shared && c.add(layerRow(l, i, 'old')));
  newBase.forEach((l, i) => i >= shared && c.add(layerRow(l, i, 'new')));

  const h = historyParts(plan.oldConfig.history, plan.newConfig.history);
  // History entries that made no layer (ENV, CMD… of the bases): only those that differ are listed.
  const oldEmpty = h.oldBase.map((e, i) => ({ e, i })).filter((x) => x.e.empty_layer);
  const newEmpty = h.newBase.map((e, i) => ({ e, i })).filter((x) => x.e.empty_layer);
  const common = commonEntries(oldEmpty.map((x) => x.e), newEmpty.map((x) => x.e));
  const entryRow = (x: { e: HistoryEntry; i: number }, side: 'old' | 'new'): PreviewFieldChange => ({
    group: 'base-layers',
    path: `config.history[${x.i}]`,
    label: `${side === 'old' ? 'Old' : 'New'} base history (no layer)`,
    ...(side === 'old' ? { old: describe(x.e) } : { new: describe(x.e) }),
  });
  oldEmpty.forEach((x, k) => !common.old.has(k) && c.add(entryRow(x, 'old')));
  newEmpty.forEach((x, k) => !common.new.has(k) && c.add(entryRow(x, 'new')));

  if (oldBase.length > shared || newBase.length > shared) {
    c.note(
      'base-layers',
      `Base part replaced in manifest.layers and config.rootfs.diff_ids: ${plural(oldBase.length - shared, 'old base layer')} → ${plural(newBase.length - shared, 'new base layer')}; config.history: ${plural(h.oldBase.length, 'old base entry', 'old base entries')} → ${plural(h.newBase.length, 'new base entry', 'new base entries')}.`,
    );
  }
  if (shared > 0) c.note('base-layers', `Unchanged: the ${plural(shared, 'bottom base layer')} both bases share.`);
  c.note('base-layers', `Kept unchanged: ${plural(app, 'app layer')}${h.kept ? ` and the last ${plural(h.kept, 'history entry', 'history entries')}` : ''}.`);
}

/**
 * Splits the source's and the rebased image's history into base part and kept app part. The
 * rebase keeps the app part as it is after the new base's history, so it is the longest common
 * tail; a line the two bases end with alike counts as kept too, which is what a reader wants.
 */
function historyParts(before: HistoryEntry[] | undefined, after: HistoryEntry[] | undefined): { oldBase: HistoryEntry[]; newBase: HistoryEntry[]; kept: number } {
  const a = before ?? [];
  const b = after ?? [];
  let kept = 0;
  while (kept < a.length && kept < b.length && sameValue(a[a.length - 1 - kept], b[b.length - 1 - kept])) kept++;
  return { oldBase: a.slice(0, a.length - kept), newBase: b.slice(0, b.length - kept), kept };
}

/** Positions of entries matched by a longest common subsequence (what they say, not when). */
function commonEntries(a: HistoryEntry[], b: HistoryEntry[]): { old: Set<number>; new: Set<number> } {
  const key = (e: HistoryEntry) => canonicalJson([e.created_by, e.comment, e.author]);
  const ka = a.map(key);
  const kb = b.map(key);
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = ka[i] === kb[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out = { old: new Set<number>(), new: new Set<number>() };
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (ka[i] === kb[j]) {
      out.old.add(i++);
      out.new.add(j++);
    } else if (t[i + 1][j] >= t[i][j + 1]) i++;
    else j++;
  }
  return out;
}

/**
 * The container settings (config.config) that differ in the pushed config: Env by variable,
 * Labels, ports and volumes by key, everything else as a whole. The Config merge section says
 * why each one changed; this list only says that it did.
 */
function settings(before: ImageConfig['config'] | null | undefined, after: ImageConfig['config'] | null | undefined, c: Collector): void {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const oldEnv = parseEnv(a.Env).values;
  const newEnv = parseEnv(b.Env).values;
  for (const k of new Set([...oldEnv.keys(), ...newEnv.keys()])) c.diff('settings', `config.config.Env[${k}]`, `Env ${k}`, oldEnv.get(k), newEnv.get(k));
  c.map('settings', 'config.config.Labels', 'Labels ', a.Labels as Record<string, unknown>, b.Labels as Record<string, unknown>);
  for (const field of ['ExposedPorts', 'Volumes']) {
    const present = (m: unknown) => Object.fromEntries(Object.keys((m as object | null) ?? {}).map((k) => [k, 'present']));
    c.map('settings', `config.config.${field}`, `${field} `, present(a[field]), present(b[field]));
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!KEYED_SETTINGS.has(k)) c.diff('settings', `config.config${seg(k)}`, k, a[k], b[k]);
  }
}

/**
 * The real changes of an index document: each entry aligned with its own outcome (so a dropped
 * entry does not shift the others), its descriptor fields compared, kept entries only counted.
 */
export function indexFieldChanges(plan: IndexRebasePlan): FieldList {
  const c = new Collector();
  c.fields('index-fields', 'index', plan.oldIndex, plan.newIndex, new Set(['manifests', 'annotations']));
  let unchanged = 0;
  plan.entries.forEach((e, i) => {
    const name = e.platform ?? e.kind;
    const path = `index.manifests[${i}]`;
    if (!e.descriptor) {
      c.add({ group: 'index-entries', path, label: `${name} (dropped)`, old: e.source.digest, note: oneLine(e.reason, LINE_MAX) });
      return;
    }
    const before = c.changes.length;
    const src = e.source as unknown as Record<string, unknown>;
    const dst = e.descriptor as unknown as Record<string, unknown>;
    for (const k of new Set([...Object.keys(src), ...Object.keys(dst)])) {
      if (k === 'annotations') c.map('index-entries', `${path}.annotations`, `${name} annotation `, e.source.annotations, e.descriptor.annotations);
      else c.diff('index-entries', `${path}${seg(k)}`, `${name} ${k}`, k === 'size' ? bytesOrUndefined(src[k]) : src[k], k === 'size' ? bytesOrUndefined(dst[k]) : dst[k]);
    }
    if (c.changes.length === before) unchanged++;
  });
  if (unchanged) c.note('index-entries', `Kept unchanged: ${plural(unchanged, 'entry', 'entries')}.`);
  c.map('index-annotations', 'index.annotations', '', plan.oldIndex.annotations, plan.newIndex.annotations);
  return c;
}

const bytesOrUndefined = (v: unknown) => (typeof v === 'number' ? bytes(v) : v);

const describe = (e: HistoryEntry) => oneLine(e.created_by ?? e.comment ?? '', LINE_MAX);
