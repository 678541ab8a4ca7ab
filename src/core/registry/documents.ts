/**
 * Turning the bytes a registry sent into documents the engine may trust: parsed, typed, digest
 * verified and every descriptor validated, or one sentence saying which document is wrong.
 */
import { UserError } from '../errors';
import { digestLike, isDigest } from '../digest';
import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isImageManifestType, isIndexType, isSchema1Type } from '../mediaTypes';
import { oneLine } from '../../shared/sanitize';
import { validateImageManifest, validateIndex } from './validate';

/** Tags as the distribution spec allows them; anything else never reaches a URL path. */
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A manifest reference (tag or digest) safe to put in a URL path, or a UserError. */
export function checkedReference(reference: string, where: string): string {
  if (TAG_RE.test(reference) || isDigest(reference)) return reference;
  throw new UserError('unsupported', `${where} names "${oneLine(reference, 80)}", which is neither a tag nor a digest; the registry sent a malformed name, so it was not requested.`);
}

export function checkedDigest(digest: string, where: string): string {
  if (typeof digest === 'string' && isDigest(digest)) return digest;
  throw new UserError('unsupported', `${where} names "${oneLine(String(digest), 80)}", which is not a valid digest; the registry sent a malformed document, so it was not requested.`);
}

export function parseJson(bytes: Buffer, what: string, hint: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UserError('unsupported', `${what} is not valid JSON; ${hint}`);
  }
}

/**
 * A fetched manifest or index: JSON, a supported type (schema 1 named as such), digest checked
 * against the reference or the registry's Docker-Content-Digest, and validated.
 */
export function parseManifest(bytes: Buffer, contentTypeHeader: string | null, digestHeader: string | null, label: string, reference: string): FetchedManifest {
  const doc = parseJson(bytes, `The manifest of ${label}`, 'the registry returned something that is not an image.') as Record<string, unknown>;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError('unsupported', `The manifest of ${label} is not a JSON object; the registry returned something that is not an image.`);
  }
  if (doc.mediaType !== undefined && typeof doc.mediaType !== 'string') {
    throw new UserError('unsupported', `The manifest of ${label} has a mediaType that is not a string; the registry sent a malformed document, so nothing was written.`);
  }
  const contentType = (contentTypeHeader ?? '').split(';')[0].trim();
  const mediaType = (doc.mediaType as string | undefined) ?? inferMediaType(doc, contentType);
  // Checked before the digest: a signed schema 1 manifest's digest covers only its unsigned
  // part, so verifying first would blame the registry for corruption instead.
  if (doc.schemaVersion === 1 || isSchema1Type(mediaType) || isSchema1Type(contentType)) {
    throw new UserError(
      'unsupported',
      `${label} uses the deprecated Docker schema 1 manifest format, which cannot be rebased; push it again with a current Docker or buildx to get a schema 2 or OCI manifest.`,
    );
  }
  const expected = isDigest(reference) ? reference : (digestHeader ?? undefined);
  const digest = verifiedDigest(bytes, expected, `${label} manifest`);
  if (!isImageManifestType(mediaType) && !isIndexType(mediaType)) {
    throw new UserError(
      'unsupported',
      `${label} has the unsupported manifest media type "${oneLine(mediaType || 'none', 100)}"; only Docker schema 2 and OCI images and indexes can be rebased.`,
    );
  }
  const where = `the manifest of ${label}`;
  const manifest = isIndexType(mediaType) ? (validateIndex(doc, where) as ImageIndex) : (validateImageManifest(doc, where) as ImageManifest);
  return { mediaType, digest, bytes, manifest };
}

/** Checks `bytes` against `expected` (when given and checkable); returns the digest to use. */
export function verifiedDigest(bytes: Buffer, expected: string | undefined, what: string): string {
  const ours = digestLike('sha256:', bytes)!;
  if (!expected || !isDigest(expected)) return ours;
  const computed = digestLike(expected, bytes);
  if (computed !== undefined && computed !== expected) {
    throw new UserError('digest-mismatch', `The ${what} does not match its digest (got ${computed}); the registry returned corrupt or altered data.`);
  }
  return expected.startsWith('sha256:') ? expected : ours;
}

function inferMediaType(doc: { manifests?: unknown; config?: unknown }, contentType: string): string {
  if (isImageManifestType(contentType) || isIndexType(contentType) || isSchema1Type(contentType)) return contentType;
  // OCI allows omitting mediaType; the shape tells which document it is.
  if (Array.isArray(doc.manifests)) return 'application/vnd.oci.image.index.v1+json';
  if (doc.config) return 'application/vnd.oci.image.manifest.v1+json';
  return contentType;
}
