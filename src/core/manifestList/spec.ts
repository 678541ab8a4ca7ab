import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors';
import { Platform } from '../manifest';
import { isObject } from '../../shared/isObject';

/** One image of a manifest list, with the platform fields the spec gives (the rest come from its config). */
export interface ManifestListEntry {
  image: string;
  platform?: Partial<Platform>;
}

/** What `rebase-image manifest-list` builds: the list's name, extra tags and its images. */
export interface ManifestListRequest {
  target: string;
  /** More tags of the target's repository that get the same list (the same digest). */
  tags?: string[];
  manifests: ManifestListEntry[];
}

const TOP_KEYS = new Set(['image', 'tags', 'manifests']);
const ENTRY_KEYS = new Set(['image', 'platform']);
const PLATFORM_KEYS: Record<string, keyof Platform> = {
  os: 'os',
  architecture: 'architecture',
  arch: 'architecture',
  variant: 'variant',
  'os.version': 'os.version',
  osversion: 'os.version',
  osVersion: 'os.version',
  'os.features': 'os.features',
  osfeatures: 'os.features',
  features: 'features',
};

/**
 * Reads a manifest-list spec (YAML, as manifest-tool's):
 *
 *   image: registry.example.com/app:1.0
 *   tags: [1, latest]
 *   manifests:
 *     - image: registry.example.com/app:1.0-linux-amd64
 *     - image: registry.example.com/app:1.0-windows-1607
 *       platform: { os: windows, architecture: amd64, os.version: 10.0.14393.1884 }
 *
 * `file` names the spec in messages. Throws UserError('usage') saying what is wrong and where.
 */
export function parseManifestListSpec(text: string, file = 'the spec'): ManifestListRequest {
  let doc: unknown;
  try {
    // Every value of a spec is text: the failsafe schema keeps tags like 1.0 as written.
    doc = parseYaml(text, { schema: 'failsafe' });
  } catch (e) {
    const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new UserError('usage', `${file} is not valid YAML${line ? ` (line ${line})` : ''}; fix it and try again.`);
  }
  if (!isObject(doc)) throw new UserError('usage', `${file} must be a YAML mapping with image, tags and manifests; see rebase-image manifest-list --help.`);
  for (const k of Object.keys(doc)) {
    if (!TOP_KEYS.has(k)) throw new UserError('usage', `${file} has an unknown key "${k}"; only image, tags and manifests are understood.`);
  }
  const target = doc.image;
  if (typeof target !== 'string' || !target.trim()) throw new UserError('usage', `${file} needs "image": the reference the manifest list is pushed to.`);
  let tags: string[] | undefined;
  if (doc.tags !== undefined && doc.tags !== null) {
    if (!Array.isArray(doc.tags) || doc.tags.some((t) => typeof t !== 'string' && typeof t !== 'number')) {
      throw new UserError('usage', `"tags" in ${file} must be a list of tags, e.g. tags: [1.0, latest].`);
    }
    tags = doc.tags.map(String);
  }
  if (!Array.isArray(doc.manifests) || doc.manifests.length === 0) {
    throw new UserError('usage', `${file} needs "manifests": a list of the images to put in the manifest list, each with "image".`);
  }
  const manifests = doc.manifests.map((m, i): ManifestListEntry => {
    const where = `manifests[${i}] of ${file}`;
    if (!isObject(m) || typeof m.image !== 'string' || !m.image.trim()) throw new UserError('usage', `${where} needs "image": the reference of a single-platform image.`);
    for (const k of Object.keys(m)) {
      if (!ENTRY_KEYS.has(k)) throw new UserError('usage', `${where} has an unknown key "${k}"; only image and platform are understood.`);
    }
    if (m.platform === undefined || m.platform === null) return { image: m.image.trim() };
    if (!isObject(m.platform)) throw new UserError('usage', `"platform" in ${where} must be a mapping such as { os: linux, architecture: arm64, variant: v8 }.`);
    return { image: m.image.trim(), platform: readPlatform(m.platform, where) };
  });
  return { target: target.trim(), ...(tags ? { tags } : {}), manifests };
}

function readPlatform(raw: Record<string, unknown>, where: string): Partial<Platform> {
  const out: Partial<Platform> = {};
  for (const [k, v] of Object.entries(raw)) {
    const field = PLATFORM_KEYS[k];
    if (!field) throw new UserError('usage', `"platform" in ${where} has an unknown field "${k}"; use os, architecture, variant, os.version, os.features or features.`);
    if (v === undefined || v === null || v === '') continue;
    if (field === 'os.features' || field === 'features') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UserError('usage', `"${k}" in ${where} must be a list of strings.`);
      out[field] = v as string[];
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw new UserError('usage', `"${k}" in ${where} must be a string.`);
      (out as Record<string, string>)[field] = String(v);
    }
  }
  return out;
}

