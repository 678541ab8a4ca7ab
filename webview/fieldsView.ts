/**
 * The "Config and manifest changes" list as plain data: groups in a fixed order, each with its
 * changes and the lines saying what was kept. No DOM here (Node unit tests import it); every
 * string comes from a registry and is passed along as data only.
 */
import type { PreviewFieldChange, PreviewFieldGroupKey, PreviewFieldNote } from '../src/shared/previewProtocol';

export interface FieldChangeView {
  path: string;
  /** What to show: the change's own label, else the part of the path after the group key. */
  label: string;
  old?: string;
  new?: string;
  /** A line under the values (a layer's size and history line). */
  note?: string;
  kind: 'changed' | 'added' | 'removed';
}

export interface FieldGroup {
  /**
   * The change's group (base-layers, platform, settings…). Changes without one (models saved by
   * older versions) are grouped by path: a collection by the path up to its first "[", plain
   * fields by document ("config", "manifest").
   */
  key: string;
  title: string;
  changes: FieldChangeView[];
  /** What this group leaves out because it was kept ("Kept unchanged: 2 app layers…"). */
  notes: string[];
}

const GROUP_TITLES: Record<string, string> = {
  'base-layers': 'Base layers (manifest.layers, config.rootfs.diff_ids, config.history)',
  platform: 'Platform',
  'config-fields': 'Config fields',
  settings: 'Container settings (config.config; why: see Config merge)',
  'manifest-annotations': 'Manifest annotations',
  'manifest-fields': 'Manifest fields',
  sizes: 'Digests and sizes',
  'index-fields': 'Index fields',
  'index-entries': 'Index entries (index.manifests)',
  'index-annotations': 'Index annotations',
  // Models without groups (saved by older versions), keyed by path.
  config: 'Config fields',
  manifest: 'Manifest fields',
  'config.rootfs.diff_ids': 'Layer diff IDs (config.rootfs.diff_ids)',
  'config.history': 'History (config.history)',
  'manifest.layers': 'Manifest layers (manifest.layers)',
  'manifest.annotations': 'Manifest annotations (manifest.annotations)',
  'config.config.Labels': 'Labels (config.config.Labels)',
  index: 'Index fields',
  'index.manifests': 'Index entries (index.manifests)',
  'index.annotations': 'Index annotations (index.annotations)',
};

/** The order of the groups the engine names; path-keyed groups follow in first-seen order. */
const GROUP_ORDER: readonly PreviewFieldGroupKey[] = ['base-layers', 'platform', 'config-fields', 'settings', 'manifest-annotations', 'manifest-fields', 'sizes', 'index-fields', 'index-entries', 'index-annotations'];

function pathKey(path: string): string {
  const bracket = path.indexOf('[');
  if (bracket > 0) return path.slice(0, bracket);
  const dot = path.indexOf('.');
  return dot > 0 ? path.slice(0, dot) : path;
}

/**
 * Groups the changes and the notes. Changes keep their order inside a group; a group with notes
 * only (everything in it kept) is shown too, so the list says the app part was kept.
 */
export function groupFieldChanges(changes: readonly PreviewFieldChange[], notes: readonly PreviewFieldNote[] = []): FieldGroup[] {
  const groups = new Map<string, FieldGroup>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { key, title: GROUP_TITLES[key] ?? key, changes: [], notes: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const c of changes) {
    const key = c.group ?? pathKey(c.path);
    let label = c.label ?? c.path;
    if (c.label === undefined && c.path.startsWith(key) && c.path.length > key.length) label = c.path.slice(key.length).replace(/^\./, '');
    const kind = c.old === undefined ? 'added' : c.new === undefined ? 'removed' : 'changed';
    group(key).changes.push({ path: c.path, label, old: c.old, new: c.new, ...(c.note ? { note: c.note } : {}), kind });
  }
  for (const n of notes) group(n.group).notes.push(n.text);
  const rank = (k: string) => {
    const i = (GROUP_ORDER as readonly string[]).indexOf(k);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  const seen = [...groups.keys()];
  return [...groups.values()].sort((a, b) => rank(a.key) - rank(b.key) || seen.indexOf(a.key) - seen.indexOf(b.key));
}

/** "Config and manifest changes (5)": the number of real changes, never the kept lines. */
export function fieldsHeading(title: string, changes: readonly PreviewFieldChange[]): string {
  return `${title} (${changes.length})`;
}

/** A digest value ("sha256:<64 hex>"): shown shortened, with the whole value within reach. */
export function isDigest(v: string | undefined): v is string {
  return v !== undefined && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/.test(v);
}

const NOTE_GROUPS: readonly string[] = GROUP_ORDER;
/** Shape check of the notes in a message from the host. */
export function isFieldNotes(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && v.every((n) => typeof n === 'object' && n !== null && NOTE_GROUPS.includes((n as PreviewFieldNote).group) && typeof (n as PreviewFieldNote).text === 'string'));
}
