import { UserError, isUserError } from '../errors';
import { sha256Digest, shortDigest } from '../digest';
import { ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME, Descriptor, FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { MediaTypes, isForeignLayerType, isIndexType } from '../mediaTypes';
import { RepositoryName } from '../registry/client';
import type { OldBaseSource } from './discover';
import { classify, nonImageDecision } from './indexEntries';
import { matchIndexChildren, refreshedPlatform, refuseUnmatched } from './indexPlatforms';
import { ImageDocuments, RebasePlan, RequiredBlob, planRebase } from './plan';
import { MatchHow, formatPlatformLike } from './platformMatch';

/**
 * The pure half of rebasing an index (OCI image index or Docker manifest list): from fetched
 * documents alone it decides, entry by entry, what happens (rebased onto the new base's image of
 * the same platform, kept unchanged, or dropped), plans every child with planRebase and writes
 * the new index document. No I/O, so every rule here is testable without a registry.
 * What the entries are is decided in indexEntries.ts, which new base image each image goes onto
 * in indexPlatforms.ts.
 */

/** A source index as fetched. */
export interface IndexSource {
  /** The source as the user named it. */
  reference: string;
  repo: RepositoryName;
  index: FetchedManifest<ImageIndex>;
  /** Entries that are images, by digest, with their configs. */
  images: Map<string, ImageDocuments>;
  /** Manifests of the other entries, by digest, as far as they could be fetched. */
  others: Map<string, FetchedManifest>;
}

/** The new base: the images of an index, or one image. */
export interface BaseImages {
  reference: string;
  repo: RepositoryName;
  digest: string;
  isIndex: boolean;
  images: Array<{ descriptor?: Descriptor; docs: ImageDocuments }>;
}

export interface ChildOldBase {
  docs: ImageDocuments;
  foundBy: OldBaseSource;
  note: string;
}

export interface IndexPlanInput {
  source: IndexSource;
  newBase: BaseImages;
  /** Old base of each matched image entry, by its digest in the source index. */
  oldBases: Map<string, ChildOldBase>;
  target: { reference: string; repo: RepositoryName; tag: string };
  /** Keep images without a matching new base unchanged instead of refusing. */
  keepUnmatched?: boolean;
  /** Keep each image's container settings as they are instead of merging them (`--keep-config`). */
  keepConfig?: boolean;
}

export type EntryKind = 'image' | 'attestation' | 'signature' | 'artifact' | 'index' | 'unknown';
export type EntryAction = 'rebased' | 'kept' | 'dropped';

export interface IndexChildPlan {
  /** "linux/arm64/v8", "windows/amd64 (10.0.14393.2068)": the platform of the new image. */
  platform: string;
  plan: RebasePlan;
  oldBase: { foundBy: OldBaseSource; note: string };
  match: MatchHow;
  /** The child's entry in the new index. */
  descriptor: Descriptor;
}

export interface IndexEntryOutcome {
  /** The entry as the source index lists it. */
  source: Descriptor;
  kind: EntryKind;
  /** Platform of the source entry (images), formatted. */
  platform?: string;
  action: EntryAction;
  /** Why, in words, for the user. */
  reason: string;
  /** The entry in the new index (rebased and kept entries). */
  descriptor?: Descriptor;
  child?: IndexChildPlan;
}

/** A manifest the target repository must hold because the new index lists it. */
export interface ManifestCopy {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  from: RepositoryName;
  /** Config and layers (never foreign ones) to make present first. */
  blobs: RequiredBlob[];
  /** For messages: "linux/s390x image", "attestation". */
  label: string;
}

export interface IndexRebasePlan {
  source: { reference: string; digest: string; repo: RepositoryName; mediaType: string };
  newBase: { reference: string; digest: string; repo: RepositoryName; isIndex: boolean };
  target: { reference: string; repo: RepositoryName; tag: string };
  /** Every entry of the source index, in order, with what happens to it. */
  entries: IndexEntryOutcome[];
  /** The rebased children (the same objects as in `entries`). */
  children: IndexChildPlan[];
  /** Kept entries that live in another repository than the target: copied there before the index. */
  copies: ManifestCopy[];
  oldIndex: ImageIndex;
  newIndex: ImageIndex;
  newIndexBytes: Buffer;
  newIndexDigest: string;
  newIndexMediaType: string;
  warnings: string[];
}

function sameRepository(a: RepositoryName, b: RepositoryName): boolean {
  return a.registry === b.registry && a.repository === b.repository;
}

/** Config and layers of a manifest to copy, foreign layers left out: they stay references to their urls. */
function blobsOf(m: ImageManifest, from: RepositoryName): RequiredBlob[] {
  const all = [m.config, ...(m.layers ?? [])].filter((d): d is Descriptor => Boolean(d?.digest));
  const seen = new Set<string>();
  return all
    .filter((d) => !isForeignLayerType(d.mediaType) && !(seen.has(d.digest) || !seen.add(d.digest)))
    .map((d) => ({ descriptor: d, from }));
}

/** The same warning for several platforms is said once, naming them. */
function groupWarnings(items: Array<{ platform: string; warning: string }>): string[] {
  const byText = new Map<string, string[]>();
  for (const { platform, warning } of items) byText.set(warning, [...(byText.get(warning) ?? []), platform]);
  return [...byText.entries()].map(([w, ps]) => `${ps.join(', ')}: ${w}`);
}

/**
 * Plans the rebase of every image of an index, and the index that lists them. Throws UserError
 * when a platform has no new base and `keepUnmatched` is not set, and when nothing would be
 * rebased at all.
 */
export function planIndexRebase(input: IndexPlanInput): IndexRebasePlan {
  const { source, newBase, oldBases, target } = input;
  const srcIndex = source.index.manifest;
  const matches = new Map(matchIndexChildren(source, newBase).map((m) => [m.descriptor, m]));
  const warnings: string[] = [];
  const childWarnings: Array<{ platform: string; warning: string }> = [];

  if (!input.keepUnmatched) refuseUnmatched(source.reference, [...matches.values()]);

  const entries: IndexEntryOutcome[] = [];
  const children: IndexChildPlan[] = [];
  for (const d of srcIndex.manifests) {
    const c = classify(d, source);
    const match = matches.get(d);
    if (c.kind === 'image' && match) {
      const platform = formatPlatformLike(match.platform);
      if (!match.result.matched) {
        entries.push({ source: d, kind: 'image', platform, action: 'kept', reason: `kept unchanged (--keep-unmatched): ${match.result.reason}`, descriptor: d });
        continue;
      }
      const oldBase = oldBases.get(d.digest);
      if (!oldBase) throw new Error(`planIndexRebase: no old base for ${d.digest}`);
      const base = match.result.base;
      let plan: RebasePlan;
      try {
        plan = planRebase({ source: match.docs, oldBase: oldBase.docs, newBase: base.docs, target, keepConfig: input.keepConfig });
      } catch (e) {
        if (isUserError(e)) throw new UserError(e.code, `${platform}: ${e.message}`, e.detail);
        throw e;
      }
      const descriptor: Descriptor = {
        mediaType: plan.newManifestMediaType,
        digest: plan.newManifestDigest,
        size: plan.newManifestBytes.length,
        platform: refreshedPlatform(plan.newConfig, d.platform, base.descriptor?.platform),
        ...(d.annotations ? { annotations: { ...d.annotations } } : {}),
      };
      plan.target = { ...target, reference: `${target.repo.registry}/${target.repo.repository}@${plan.newManifestDigest}` };
      const newPlatform = formatPlatformLike(descriptor.platform!);
      if (match.result.warning) childWarnings.push({ platform, warning: match.result.warning });
      for (const w of plan.warnings) childWarnings.push({ platform, warning: w });
      const child: IndexChildPlan = { platform: newPlatform, plan, oldBase: { foundBy: oldBase.foundBy, note: oldBase.note }, match: match.result.how, descriptor };
      children.push(child);
      entries.push({ source: d, kind: 'image', platform, action: 'rebased', reason: `rebased onto ${base.docs.reference}`, descriptor, child });
      continue;
    }
    entries.push({ source: d, kind: c.kind, ...nonImageDecision(c, d, source, matches) });
  }
  // Entries describing an image that is dropped go too (an attestation of an attestation…).
  for (const e of entries) {
    if (e.kind === 'image' || e.action !== 'kept') continue;
    const refersTo = classify(e.source, source).refersTo;
    const described = refersTo && entries.find((x) => x.source.digest === refersTo);
    if (described && described.action === 'dropped') {
      Object.assign(e, { action: 'dropped', reason: `dropped: it describes ${shortDigest(refersTo)}, which is dropped`, descriptor: undefined });
    }
  }

  if (children.length === 0) {
    throw new UserError('platform', `None of the images of ${source.reference} has a matching new base in ${newBase.reference}, so nothing would be rebased; choose a new base built for its platforms.`);
  }

  // The target repository must hold every manifest the index lists (registries check it).
  const copies: ManifestCopy[] = [];
  if (!sameRepository(source.repo, target.repo)) {
    for (const e of entries) {
      if (e.action !== 'kept') continue;
      const docs = source.images.get(e.source.digest);
      const fetched = docs ? docs.manifest : source.others.get(e.source.digest);
      const nestedIndex = isIndexType(e.source.mediaType) || (fetched !== undefined && isIndexType(fetched.mediaType));
      if (!fetched || nestedIndex) {
        Object.assign(e, {
          action: 'dropped',
          reason: `dropped: ${nestedIndex ? 'a nested index' : 'its manifest could not be read, so it'} cannot be copied into ${target.repo.repository}`,
          descriptor: undefined,
        });
        continue;
      }
      copies.push({
        digest: e.source.digest,
        mediaType: fetched.mediaType,
        bytes: fetched.bytes,
        from: source.repo,
        blobs: blobsOf(fetched.manifest as ImageManifest, source.repo),
        label: e.platform ? `${e.platform} image` : e.kind,
      });
    }
  }

  for (const e of entries) {
    if (e.kind === 'image' && e.action === 'kept') warnings.push(`${e.platform} is ${e.reason}.`);
    else if (e.kind !== 'image') warnings.push(`Index entry ${shortDigest(e.source.digest)} (${classify(e.source, source).what}) is ${e.reason}.`);
  }
  warnings.push(...groupWarnings(childWarnings));

  const mediaType = source.index.mediaType;
  const newIndex: ImageIndex = {
    schemaVersion: 2,
    ...(srcIndex.mediaType !== undefined || mediaType === MediaTypes.dockerManifestList ? { mediaType } : {}),
    ...((srcIndex as { artifactType?: string }).artifactType ? { artifactType: (srcIndex as { artifactType?: string }).artifactType } : {}),
    manifests: entries.filter((e) => e.action !== 'dropped').map((e) => e.descriptor!),
  } as ImageIndex;
  if (srcIndex.annotations) {
    newIndex.annotations = { ...srcIndex.annotations };
    if (newIndex.annotations[ANNOTATION_BASE_NAME] !== undefined || newIndex.annotations[ANNOTATION_BASE_DIGEST] !== undefined) {
      newIndex.annotations[ANNOTATION_BASE_NAME] = newBase.reference;
      newIndex.annotations[ANNOTATION_BASE_DIGEST] = newBase.digest;
    }
  }
  // `subject` is not carried over, as for images: what it tied to the source does not describe this index.
  const newIndexBytes = Buffer.from(JSON.stringify(newIndex), 'utf8');

  return {
    source: { reference: source.reference, digest: source.index.digest, repo: source.repo, mediaType },
    newBase: { reference: newBase.reference, digest: newBase.digest, repo: newBase.repo, isIndex: newBase.isIndex },
    target,
    entries,
    children,
    copies,
    oldIndex: srcIndex,
    newIndex,
    newIndexBytes,
    newIndexDigest: sha256Digest(newIndexBytes),
    newIndexMediaType: mediaType,
    warnings,
  };
}
