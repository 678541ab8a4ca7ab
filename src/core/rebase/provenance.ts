/**
 * Reading the base image out of BuildKit's provenance attestations, without any I/O.
 *
 * BuildKit writes no base annotations, but `--provenance` (the default of `docker buildx build
 * --push`) stores an in-toto statement per image in the image's index: an entry with platform
 * unknown/unknown and `vnd.docker.reference.type: attestation-manifest`, whose layers are the
 * statements. SLSA provenance v0.2 lists the images the build pulled in `predicate.materials`, v1
 * in `predicate.buildDefinition.resolvedDependencies`, each as a `pkg:docker/…` package URL with
 * the digest it resolved to. The statement comes from a registry, so nothing in it is trusted:
 * anything malformed is skipped, never thrown, and discovery goes on to the layer search.
 */
import { isDigest } from '../digest';
import { Descriptor, ImageIndex, ImageManifest } from '../manifest';
import { ImageReference, parseReference } from '../reference';
import { isObject } from '../../shared/isObject';

export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST = 'attestation-manifest';
export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';
export const SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_V1 = 'https://slsa.dev/provenance/v1';

/** Far above real statements (a build lists tens of materials); bounds the work on hostile ones. */
const MAX_ENTRIES = 1000;
const MAX_URI = 4096;
/** Statements read per attestation manifest: BuildKit writes one provenance and one SBOM. */
const MAX_STATEMENTS = 4;

/** An image named in a provenance statement. */
export interface ProvenanceImage {
  /** The package URL as written, for messages. */
  uri: string;
  /** Registry, repository and tag (or digest) the build used. */
  reference: ImageReference;
  /** What the reference resolved to during the build: `sha256:…` (index or platform image). */
  digest?: string;
  /** `os/arch[/variant]` from the `platform` qualifier. */
  platform?: string;
}

export interface ProvenanceReading {
  version: 'v0.2' | 'v1';
  images: ProvenanceImage[];
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * `pkg:docker/[namespace/]name[@version][?qualifiers][#subpath]` to an image reference, the way
 * BuildKit writes it: the name is Docker's familiar name (`alpine`, `user/app`,
 * `ghcr.io/org/app`, `localhost:5000/base`), the version a tag or a digest, and the qualifiers
 * `digest` and `platform`. Undefined for anything else.
 */
export function parseDockerPurl(uri: string): { reference: ImageReference; platform?: string } | undefined {
  if (typeof uri !== 'string' || uri.length > MAX_URI || !/^pkg:docker\//i.test(uri)) return undefined;
  let rest = uri.slice('pkg:docker/'.length).split('#', 1)[0];
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  // The version follows the last "@": names never hold one, percent-encoded or not.
  const at = rest.lastIndexOf('@');
  const version = at < 0 ? undefined : decode(rest.slice(at + 1));
  const segments = (at < 0 ? rest : rest.slice(0, at)).split('/').filter(Boolean).map(decode);
  if (version === undefined && at >= 0) return undefined;
  if (segments.length === 0 || segments.some((s) => s === undefined || s.includes('/'))) return undefined;

  const qualifiers = new Map<string, string>();
  for (const pair of query ? query.split('&') : []) {
    const eq = pair.indexOf('=');
    const value = decode(pair.slice(eq + 1));
    if (eq <= 0 || value === undefined) return undefined;
    qualifiers.set(pair.slice(0, eq).toLowerCase(), value);
  }
  const versionIsDigest = version !== undefined && isDigest(version);
  const digest = versionIsDigest ? version : qualifiers.get('digest');
  if (digest !== undefined && (!isDigest(digest) || (versionIsDigest && qualifiers.has('digest') && qualifiers.get('digest') !== version))) return undefined;
  const tag = !versionIsDigest && version ? version : undefined;

  let text = segments.join('/');
  if (tag) text += `:${tag}`;
  if (digest) text += `@${digest}`;
  else if (!tag) text += ':latest';
  let reference: ImageReference;
  try {
    reference = parseReference(text);
  } catch {
    return undefined;
  }
  const platform = qualifiers.get('platform');
  return { reference, ...(platform && /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*){1,2}$/i.test(platform) ? { platform } : {}) };
}

function sha256Of(digest: unknown): string | undefined {
  if (!isObject(digest)) return undefined;
  const hex = digest.sha256;
  return typeof hex === 'string' && /^[a-f0-9]{64}$/.test(hex) ? `sha256:${hex}` : undefined;
}

/** False only when the statement names its subjects and `imageDigest` is not one of them. */
function aboutImage(subject: unknown, imageDigest: string | undefined): boolean {
  if (!imageDigest || !Array.isArray(subject)) return true;
  const named = subject.slice(0, MAX_ENTRIES).map((s) => (isObject(s) ? sha256Of(s.digest) : undefined)).filter(Boolean);
  return named.length === 0 || named.includes(imageDigest);
}

/**
 * The images a SLSA provenance statement (v0.2 or v1) says the build used, or undefined when the
 * document is not such a statement or describes another image than `imageDigest`.
 */
export function readProvenance(doc: unknown, imageDigest?: string): ProvenanceReading | undefined {
  if (!isObject(doc) || typeof doc._type !== 'string' || !doc._type.startsWith('https://in-toto.io/Statement/')) return undefined;
  const version = doc.predicateType === SLSA_V02 ? 'v0.2' : doc.predicateType === SLSA_V1 ? 'v1' : undefined;
  if (!version || !isObject(doc.predicate) || !aboutImage(doc.subject, imageDigest)) return undefined;
  const p = doc.predicate;
  const list = version === 'v0.2' ? p.materials : isObject(p.buildDefinition) ? p.buildDefinition.resolvedDependencies : undefined;
  const images: ProvenanceImage[] = [];
  const seen = new Set<string>();
  for (const entry of Array.isArray(list) ? list.slice(0, MAX_ENTRIES) : []) {
    if (!isObject(entry) || typeof entry.uri !== 'string') continue;
    const parsed = parseDockerPurl(entry.uri);
    if (!parsed) continue;
    const digest = sha256Of(entry.digest) ?? parsed.reference.digest;
    const key = `${parsed.reference.registry}/${parsed.reference.repository}:${parsed.reference.tag ?? ''}@${digest ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    images.push({ uri: entry.uri, reference: parsed.reference, ...(digest ? { digest } : {}), ...(parsed.platform ? { platform: parsed.platform } : {}) });
  }
  return { version, images };
}

/**
 * The Dockerfile frontend (`# syntax=docker/dockerfile:1`) is pulled by every such build and
 * listed among the materials, but it runs the build: it is never the base.
 */
export function isBuildFrontend(ref: ImageReference): boolean {
  return ref.registry === 'docker.io' && /^docker\/dockerfile(-upstream)?$/.test(ref.repository);
}

/** Attestation manifests the index holds for the image `imageDigest`. */
export function attestationEntries(index: ImageIndex, imageDigest: string): Descriptor[] {
  return (index.manifests ?? []).filter((d) => d.annotations?.[REFERENCE_TYPE] === ATTESTATION_MANIFEST && d.annotations?.[REFERENCE_DIGEST] === imageDigest);
}

/**
 * The statements of an attestation manifest worth reading: in-toto layers that say they are
 * SLSA provenance, or say nothing. SBOMs, which can be large, are left alone.
 */
export function provenanceLayers(m: ImageManifest): Descriptor[] {
  return (m.layers ?? [])
    .filter((l) => l.mediaType === IN_TOTO_MEDIA_TYPE)
    .filter((l) => {
      const type = l.annotations?.[PREDICATE_TYPE_ANNOTATION];
      return type === undefined || type === SLSA_V02 || type === SLSA_V1;
    })
    .slice(0, MAX_STATEMENTS);
}
