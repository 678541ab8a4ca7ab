/**
 * The field checks every document validator is made of: each takes the value, the document it
 * came from and the field's path, and returns the value typed or throws one UserError naming them.
 */
import { UserError } from '../errors';
import { oneLine } from '../../shared/sanitize';
import { isObject } from '../../shared/isObject';

export type Obj = Record<string, unknown>;

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

/** A value as the message shows it: registry strings pass through oneLine, never raw. */
function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `"${oneLine(v, 80)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function malformed(where: string, field: string, problem: string): UserError {
  const place = oneLine(where, 500);
  const sentence = field ? `In ${place}, ${field} ${problem}` : `${place.charAt(0).toUpperCase()}${place.slice(1)} ${problem}`;
  return new UserError('unsupported', `${sentence}; ${AFTERWARDS}.`);
}

/** "is missing", or "is VALUE, not EXPECTED". */
export function notA(where: string, field: string, v: unknown, expected: string): UserError {
  return malformed(where, field, v === undefined ? 'is missing' : `is ${shown(v)}, not ${expected}`);
}

export function sub(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

export function object(v: unknown, where: string, field: string, expected: string): Obj {
  if (!isObject(v)) throw notA(where, field, v, expected);
  return v;
}

export function string(v: unknown, where: string, field: string): string {
  if (typeof v !== 'string') throw notA(where, field, v, 'a string');
  return v;
}

/** Walks a list by index: a page of 130,000 tags must not be spread onto the stack. */
export function list(v: unknown, where: string, field: string, expected: string, each: (item: unknown, field: string) => void): unknown[] {
  if (!Array.isArray(v)) throw notA(where, field, v, expected);
  for (let i = 0; i < v.length; i++) each(v[i], `${field}[${i}]`);
  return v;
}

export function stringList(v: unknown, where: string, field: string): string[] {
  return list(v, where, field, 'a list of strings', (s, f) => string(s, where, f)) as string[];
}

export function stringMap(v: unknown, where: string, field: string): Record<string, string> {
  const o = object(v, where, field, 'an object of strings');
  for (const key of Object.keys(o)) {
    if (typeof o[key] !== 'string') throw notA(where, `${field}["${oneLine(key, 80)}"]`, o[key], 'a string');
  }
  return o as Record<string, string>;
}

export function mediaType(v: unknown, where: string, field: string): string {
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

export function digest(v: unknown, where: string, field: string): string {
  const s = string(v, where, field);
  const issue = digestIssue(s);
  if (issue) throw malformed(where, field, `is ${shown(s)}, but ${issue}`);
  return s;
}

export function size(v: unknown, where: string, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw notA(where, field, v, 'a size in bytes (a whole number from 0 to 2^53 - 1)');
  }
  return v;
}

export function httpUrl(v: unknown, where: string, field: string): void {
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
