/**
 * What each entry of a source index is (image, attestation, signature, other artifact, nested
 * index), and what becomes of the entries that are not images when the index is rebased.
 */
import { shortDigest } from '../digest';
import { Descriptor, ImageManifest } from '../manifest';
import { MediaTypes, isImageManifestType, isIndexType } from '../mediaTypes';
import type { ChildMatch } from './indexPlatforms';
import type { EntryKind, IndexEntryOutcome, IndexSource } from './planIndex';
import { formatPlatformLike } from './platformMatch';

/** Annotations buildx puts on attestation entries (platform unknown/unknown). */
const REFERENCE_TYPE = 'vnd.docker.reference.type';
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociConfig, MediaTypes.dockerConfig]);

/** An index entry is taken for an image (fetched with its config) unless it says otherwise. */
export function looksLikeImageEntry(d: Descriptor): boolean {
  if (!isImageManifestType(d.mediaType) || d.artifactType) return false;
  if (d.annotations?.[REFERENCE_TYPE]) return false;
  if (d.platform && (d.platform.os === 'unknown' || d.platform.architecture === 'unknown')) return false;
  return true;
}

/** A fetched image manifest is an image when its config is an image config and it claims no artifact type. */
export function isImageManifest(m: ImageManifest): boolean {
  return !m.artifactType && IMAGE_CONFIG_TYPES.has(m.config?.mediaType);
}

export interface Classified {
  kind: EntryKind;
  /** What this entry describes, when it says (attestations and artifacts with a subject). */
  refersTo?: string;
  what: string;
}

const SIGNATURE_LIKE = /signature|cosign|notary|sigstore|\.sig\b/i;
const ATTESTATION_LIKE = /attestation|in-toto|intoto|sbom|spdx|cyclonedx|provenance|vex/i;

export function classify(d: Descriptor, source: IndexSource): Classified {
  if (source.images.has(d.digest)) return { kind: 'image', what: 'image' };
  const fetched = source.others.get(d.digest);
  if (isIndexType(d.mediaType) || (fetched && isIndexType(fetched.mediaType))) return { kind: 'index', what: 'nested index' };
  const m = fetched && !isIndexType(fetched.mediaType) ? (fetched.manifest as ImageManifest) : undefined;
  const refersTo = d.annotations?.[REFERENCE_DIGEST] ?? m?.subject?.digest;
  const type = d.artifactType ?? m?.artifactType ?? (m && !IMAGE_CONFIG_TYPES.has(m.config?.mediaType) ? m.config?.mediaType : undefined);
  const refType = d.annotations?.[REFERENCE_TYPE];
  if (refType === 'attestation-manifest' || ATTESTATION_LIKE.test(`${refType ?? ''} ${type ?? ''}`)) {
    return { kind: 'attestation', refersTo, what: type ? `attestation (${type})` : 'attestation' };
  }
  if (SIGNATURE_LIKE.test(`${refType ?? ''} ${type ?? ''}`)) return { kind: 'signature', refersTo, what: `signature (${type ?? refType})` };
  if (type || refType) return { kind: 'artifact', refersTo, what: `artifact of type ${type ?? refType}` };
  if (isImageManifestType(d.mediaType)) return { kind: 'artifact', refersTo, what: 'manifest that is not an image for any platform' };
  return { kind: 'unknown', refersTo, what: `entry of type ${d.mediaType}` };
}

/**
 * Non-image entries are never rebased. One that describes an image of the index (an attestation,
 * a signature) no longer fits once that image is rebased and is dropped; one describing an image
 * kept unchanged still fits and is kept. Signatures and attestations that name nothing are
 * dropped too, as they were made for the source's content; other artifacts are kept as they are.
 */
export function nonImageDecision(c: Classified, d: Descriptor, source: IndexSource, matches: Map<Descriptor, ChildMatch>): Pick<IndexEntryOutcome, 'action' | 'reason' | 'descriptor'> {
  if (c.refersTo) {
    const described = source.index.manifest.manifests.find((x) => x.digest === c.refersTo);
    const m = described && matches.get(described);
    if (!described) return { action: 'dropped', reason: `dropped: it describes ${shortDigest(c.refersTo)}, which is not in the index`, descriptor: undefined };
    if (m && m.result.matched) {
      return { action: 'dropped', reason: `dropped: it describes the source image ${shortDigest(c.refersTo)} (${formatPlatformLike(m.platform)}), not the rebased one; attest or sign the new image again`, descriptor: undefined };
    }
    return { action: 'kept', reason: `kept: it describes ${shortDigest(c.refersTo)}, which is kept unchanged`, descriptor: d };
  }
  if (c.kind === 'attestation' || c.kind === 'signature') {
    return { action: 'dropped', reason: `dropped: a ${c.kind} made for the source's content does not describe the rebased images`, descriptor: undefined };
  }
  return { action: 'kept', reason: 'kept unchanged: it is not an image and names none of the rebased ones', descriptor: d };
}
