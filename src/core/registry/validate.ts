/**
 * Validation at the door: every document a registry sends is checked here, before anything reads
 * it, because a registry may be hostile. A size of -1 or 1e30 would corrupt byte counts and
 * uploads, a digest such as "sha256:../../v2/_catalog" would walk out of the blob path of the
 * next URL we build, a `null` where a list belongs would crash the planner, and strings go on to
 * terminals and into the manifests we push. Pure functions, no I/O; each failure is one
 * UserError('unsupported') naming the document, the field and what is wrong, with any value the
 * registry sent shown through oneLine().
 */
import { UserError } from '../errors';
import { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../manifest';
import { MAX_REPOSITORY_LENGTH, grammar } from '../reference';
import { oneLine } from '../../shared/sanitize';

type Obj = Record<string, unknown>;

const AFTERWARDS = 'the registry sent a malformed document, so nothing was written';

/** RFC 6838 type/subtype (a "+suffix" is part of the subtype); parameters are not allowed in descriptors. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const MEDIA_TYPE_MAX = 255;
/** The OCI image spec's digest grammar, in its two halves. */
const DIGEST_ALGORITHM = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const DIGEST_ENCODED = /^[a-zA-Z0-9=_-]+$/;
/** Algorithms whose encoding we know exactly: lowercase hex of a fixed length. */
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** No real digest comes near this; it keeps the URL paths we build from them short. */
const DIGEST_MAX = 256;
/** os, architecture, variant, os.version and features: words, never paths or escape sequences. */
const PLATFORM_WORD = /^[A-Za-z0-9._-]*$/;
const PLATFORM_WORD_MAX = 64;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as the message shows it: registry strings pass through oneLine, never raw. */
function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `"${oneLine(v, 80)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function malformed(where: string, field: string, problem: string): UserError {
  const place = oneLine(where, 500);
  const sentence = field ? `In ${place}, ${field} ${problem}` : `${place.charAt(0).toUpperCase()}${place.slice(1)} ${problem}`;
  return new UserError('unsupported', `${sentence}; ${AFTERWARDS}.`);
}

/** "is missing", or "is VALUE, not EXPECTED". */
function notA(where: string, field: string, v: unknown, expected: string): UserError {
  return malformed(where, field, v === undefined ? 'is missing' : `is ${shown(v)}, not ${expected}`);
}

function sub(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

function object(v: unknown, where: string, field: string, expected: string): Obj {
  if (!isObject(v)) throw notA(where, field, v, expected);
  return v;
}

function string(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string') throw notA(where, field, v, 'a string');
  return v;
}

/** Walks a list by index: a page of 130,000 tags must not be spread onto the stack. */
function list(v: unknown, where: string, field: string, expected: string, each: (item: unknown, field: string) => void): unknown[] {
  if (!Array.isArray(v)) throw notA(where, field, v, expected);
  for (let i = 0; i < v.length; i++) each(v[i], `${field}[${i}]`);
  return v;
}

function stringList(v: unknown, where: string, field: string): string[] {
  return list(v, where, field, 'a list of strings', (s, f) => string(s, where, f)) as string[];
}

function stringMap(v: unknown, where: string, field: string): Record<string, string> {
  const o = object(v, where, field, 'an object of strings');
  for (const key of Object.keys(o)) {
    if (typeof o[key] !== 'string') throw notA(where, `${field}["${oneLine(key, 80)}"]`, o[key], 'a string');
  }
  return o as Record<string, string>;
}

function mediaType(v: unknown, where: string, field: string): string {
  const s = string(v, where, field);
  if (s.length > MEDIA_TYPE_MAX) throw malformed(where, field, `is ${s.length} characters long, but a media type has at most ${MEDIA_TYPE_MAX}`);
  if (!MEDIA_TYPE.test(s)) throw notA(where, field, s, 'a media type such as application/vnd.oci.image.manifest.v1+json');
  return s;
}

/** Why `s` is not a digest we may put in a URL, or undefined when it is one. */
export function digestIssue(s: string): string | undefined {
  if (s.length > DIGEST_MAX) return `a digest has at most ${DIGEST_MAX} characters, and this one has ${s.length}`;
  const colon = s.indexOf(':');
  const algorithm = s.slice(0, Math.max(colon, 0));
  const encoded = s.slice(colon + 1);
  if (colon <= 0 || !DIGEST_ALGORITHM.test(algorithm) || !DIGEST_ENCODED.test(encoded)) {
    return 'a digest is ALGORITHM:ENCODED, e.g. sha256: followed by 64 lowercase hex digits';
  }
  // hasOwn: an algorithm named "constructor" must not find Object.prototype's.
  if (Object.hasOwn(HEX_LENGTH, algorithm)) {
    const length = HEX_LENGTH[algorithm];
    if (encoded.length !== length) return `a ${algorithm} digest has ${length} hex digits, and this one has ${encoded.length} characters`;
    if (!/^[a-f0-9]+$/.test(encoded)) return `a ${algorithm} digest is ${length} lowercase hex digits (0-9, a-f)`;
  }
  return undefined;
}

function digest(v: unknown, where: string, field: string): string {
  const s = string(v, where, field);
  const issue = digestIssue(s);
  if (issue) throw malformed(where, field, `is ${shown(s)}, but ${issue}`);
  return s;
}

function size(v: unknown, where: string, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw notA(where, field, v, 'a size in bytes (a whole number from 0 to 2^53 - 1)');
  }
  return v;
}

function httpUrl(v: unknown, where: string, field: string): void {
  const s = string(v, where, field);
  let ok = false;
  // The URL parser silently drops tabs and newlines; a URL that holds any control is not one.
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0020\u007f-\u009f]/.test(s)) {
    try {
      const url = new URL(s);
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw notA(where, field, s, 'an http or https URL');
}

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
