/**
 * Validation at the door: every document a registry sends is checked here, before anything reads
 * it, because a registry may be hostile. A size of -1 or 1e30 would corrupt byte counts and
 * uploads, a digest such as "sha256:../../v2/_catalog" would walk out of the blob path of the
 * next URL we build, a `null` where a list belongs would crash the planner, and strings go on to
 * terminals and into the manifests we push. Pure functions, no I/O; each failure is one
 * UserError('unsupported') naming the document, the field and what is wrong, with any value the
 * registry sent shown through oneLine().
 */
import { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest';
import { MAX_REPOSITORY_LENGTH, grammar } from '../reference';
import { Obj, digest, list, malformed, mediaType, notA, object, size, string, stringList, stringMap, sub, httpUrl } from './validateFields';

export { digestIssue } from './validateFields';

/** os, architecture, variant, os.version and features: words, never paths or escape sequences. */
const PLATFORM_WORD = /^[A-Za-z0-9._-]*$/;
const PLATFORM_WORD_MAX = 64;

function platformWord(v: unknown, where: string, field: string, optional: boolean): void {
  const s = string(v, where, field);
  // Optional fields may be empty: some tools write "variant": "" for none.
  const ok = PLATFORM_WORD.test(s) && s.length <= PLATFORM_WORD_MAX && (optional || s !== '');
  if (!ok) throw notA(where, field, s, `a platform name (up to ${PLATFORM_WORD_MAX} letters, digits, ".", "_" and "-")`);
}

function platformWords(v: unknown, where: string, field: string): void {
  list(v, where, field, 'a list of platform features', (s, f) => platformWord(s, where, f, false));
}

/** os, architecture and the optional variant, os.version and os.features/features of a platform object. */
function platformFields(o: Obj, where: string, field: string): void {
  platformWord(o.os, where, sub(field, 'os'), false);
  platformWord(o.architecture, where, sub(field, 'architecture'), false);
  if (o.variant !== undefined) platformWord(o.variant, where, sub(field, 'variant'), true);
  if (o['os.version'] !== undefined) platformWord(o['os.version'], where, sub(field, 'os.version'), true);
  if (o['os.features'] !== undefined) platformWords(o['os.features'], where, sub(field, 'os.features'));
  if (o.features !== undefined) platformWords(o.features, where, sub(field, 'features'));
}

function platformAt(v: unknown, where: string, field: string): Platform {
  const o = object(v, where, field, 'a platform (an object with os and architecture)');
  platformFields(o, where, field);
  return o as unknown as Platform;
}

function descriptorAt(v: unknown, where: string, field: string): Descriptor {
  const o = object(v, where, field, 'a descriptor (an object with mediaType, digest and size)');
  mediaType(o.mediaType, where, sub(field, 'mediaType'));
  digest(o.digest, where, sub(field, 'digest'));
  size(o.size, where, sub(field, 'size'));
  if (o.urls !== undefined) list(o.urls, where, sub(field, 'urls'), 'a list of URLs', (u, f) => httpUrl(u, where, f));
  if (o.annotations !== undefined) stringMap(o.annotations, where, sub(field, 'annotations'));
  if (o.platform !== undefined) platformAt(o.platform, where, sub(field, 'platform'));
  if (o.artifactType !== undefined) mediaType(o.artifactType, where, sub(field, 'artifactType'));
  return o as unknown as Descriptor;
}

/** A descriptor: media type, digest and size, and well-formed urls, annotations, platform and artifactType if present. */
export function validateDescriptor(d: unknown, where: string): Descriptor {
  return descriptorAt(d, where, '');
}

/** A platform object of an index entry: os and architecture, and optional variant, os.version and features. */
export function validatePlatform(p: unknown, where: string): Platform {
  return platformAt(p, where, '');
}

/** schemaVersion 2, and mediaType, artifactType and annotations well-formed if present. */
function documentHeader(doc: unknown, where: string): Obj {
  const o = object(doc, where, '', 'a JSON object');
  if (o.schemaVersion !== 2) throw notA(where, 'schemaVersion', o.schemaVersion, '2');
  if (o.mediaType !== undefined) mediaType(o.mediaType, where, 'mediaType');
  if (o.artifactType !== undefined) mediaType(o.artifactType, where, 'artifactType');
  if (o.annotations !== undefined) stringMap(o.annotations, where, 'annotations');
  return o;
}

/**
 * Real documents nest a handful of levels. A hostile one nested thousands deep parses fine but
 * overflows the stack of whatever walks it next (structuredClone, JSON.stringify), so it is
 * refused here, with a walk that keeps its own stack.
 */
export const MAX_NESTING = 64;

function checkNesting(doc: unknown, where: string): void {
  const stack: Array<[unknown, number]> = [[doc, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_NESTING) throw malformed(where, '', `nests objects and lists more than ${MAX_NESTING} levels deep, which no image document does`);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}

/** An image manifest (OCI or Docker schema 2): its config, every layer and its subject are valid descriptors. */
export function validateImageManifest(doc: unknown, where: string): ImageManifest {
  checkNesting(doc, where);
  const o = documentHeader(doc, where);
  descriptorAt(o.config, where, 'config');
  list(o.layers, where, 'layers', 'a list of layer descriptors', (d, f) => descriptorAt(d, where, f));
  if (o.subject !== undefined) descriptorAt(o.subject, where, 'subject');
  return o as unknown as ImageManifest;
}

/** An OCI index or Docker manifest list: every entry a valid descriptor. */
export function validateIndex(doc: unknown, where: string): ImageIndex {
  checkNesting(doc, where);
  const o = documentHeader(doc, where);
  list(o.manifests, where, 'manifests', 'a list of descriptors', (d, f) => descriptorAt(d, where, f));
  return o as unknown as ImageIndex;
}

function historyEntry(v: unknown, where: string, field: string): void {
  const o = object(v, where, field, 'a history entry (an object)');
  for (const key of ['created', 'created_by', 'author', 'comment']) {
    if (o[key] !== undefined) string(o[key], where, `${field}.${key}`);
  }
  if (o.empty_layer !== undefined && typeof o.empty_layer !== 'boolean') throw notA(where, `${field}.empty_layer`, o.empty_layer, 'true or false');
}

function nullOr(v: unknown, check: (v: unknown) => unknown): void {
  if (v !== null) check(v);
}

/**
 * The container settings (config.config). Go writes a nil list or map as null, so Docker images
 * carry "Env": null, "Volumes": null and the like: null is accepted wherever Docker may write it.
 */
function containerConfig(o: Obj, where: string): void {
  const at = (key: string) => `config.${key}`;
  if (o.Env !== undefined) nullOr(o.Env, (v) => stringList(v, where, at('Env')));
  if (o.Entrypoint !== undefined) nullOr(o.Entrypoint, (v) => stringList(v, where, at('Entrypoint')));
  if (o.Cmd !== undefined) nullOr(o.Cmd, (v) => stringList(v, where, at('Cmd')));
  if (o.Labels !== undefined) nullOr(o.Labels, (v) => stringMap(v, where, at('Labels')));
  for (const key of ['ExposedPorts', 'Volumes']) {
    if (o[key] !== undefined) nullOr(o[key], (v) => object(v, where, at(key), 'an object'));
  }
  for (const key of ['WorkingDir', 'User']) {
    if (o[key] !== undefined) string(o[key], where, at(key));
  }
}

/**
 * An image config: platform fields, rootfs with valid diff_ids, well-typed history and container
 * settings. Whether history lines up with the layers is the planner's business: real images
 * sometimes disagree, and the planner warns rather than refuses.
 */
export function validateConfig(cfg: unknown, where: string): ImageConfig {
  checkNesting(cfg, where);
  const o = object(cfg, where, '', 'a JSON object');
  // The platform fields end up in the index entries we push, so they obey the same rules.
  platformFields(o, where, '');
  if (o.created !== undefined) string(o.created, where, 'created');
  if (o.author !== undefined) string(o.author, where, 'author');
  const rootfs = object(o.rootfs, where, 'rootfs', 'an object with type and diff_ids');
  string(rootfs.type, where, 'rootfs.type');
  list(rootfs.diff_ids, where, 'rootfs.diff_ids', 'a list of digests', (d, f) => digest(d, where, f));
  if (o.history !== undefined) list(o.history, where, 'history', 'a list of history entries', (h, f) => historyEntry(h, where, f));
  if (o.config !== undefined && o.config !== null) containerConfig(object(o.config, where, 'config', 'an object of container settings'), where);
  return o as unknown as ImageConfig;
}

function isTag(s: string): boolean {
  return grammar.tag.test(s);
}

function isRepositoryName(s: string): boolean {
  if (s.length === 0 || s.length > MAX_REPOSITORY_LENGTH) return false;
  for (const component of s.split('/')) if (!grammar.pathComponent.test(component)) return false;
  return true;
}

/**
 * A list of names that go into URL paths next: each must follow the reference grammar (which
 * every registry enforces on push), so nothing like "..", "/" or an escape can come back in one.
 */
function nameList(v: unknown, where: string, field: string, ok: (s: string) => boolean, one: string, rule: string): string[] {
  if (v === undefined || v === null) return [];
  return list(v, where, field, `a list of ${one}s`, (s, f) => {
    if (typeof s !== 'string' || !ok(s)) throw notA(where, f, s, `a ${one} (${rule})`);
  }) as string[];
}

/** The tags of a tag list page (GET /v2/NAME/tags/list); null or absent means none. */
export function validateTagList(body: unknown, where: string): string[] {
  const o = object(body, where, '', 'a JSON object with "tags"');
  return nameList(o.tags, where, 'tags', isTag, 'tag', 'up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"');
}

/** The repositories of a catalog page (GET /v2/_catalog); null or absent means none. */
export function validateCatalog(body: unknown, where: string): string[] {
  const o = object(body, where, '', 'a JSON object with "repositories"');
  return nameList(
    o.repositories,
    where,
    'repositories',
    isRepositoryName,
    'repository name',
    `up to ${MAX_REPOSITORY_LENGTH} lowercase letters, digits and separators, in components joined by "/"`,
  );
}
