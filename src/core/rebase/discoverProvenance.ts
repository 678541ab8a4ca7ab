import { isUserError } from '../errors';
import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { ImageReference, parseReference } from '../reference';
import { RegistryClient } from '../registry/client';
import { SIZE_LIMITS } from '../registry/limits';
import { mapLimit } from '../util/concurrency';
import { basePrefixLength } from './baseIdentity';
import { FetchMemo, PlatformSpec, repoOf } from './fetchImage';
import { NamedBase, resolveNamedBase } from './namedBase';
import { ImageDocuments } from './plan';
import { ProvenanceImage, attestationEntries, isBuildFrontend, provenanceLayers, readProvenance } from './provenance';

/** Images of the statements tried as the base; a build pulls a handful. */
const MAX_CANDIDATES = 16;

export interface ProvenanceFound {
  base: NamedBase;
  version: 'v0.2' | 'v1';
  /** The package URL that named it. */
  uri: string;
}

/** What provenance discovery reads of the image: never its config (a fleet scan has none). */
export type ProvenanceSubject = Pick<ImageDocuments, 'reference' | 'repo' | 'manifest'>;

/** Failures that make one piece of evidence unusable without making discovery impossible. */
function skippable(e: unknown): boolean {
  return isUserError(e) && e.code !== 'cancelled' && e.code !== 'unreachable';
}

/**
 * The index `source` was taken from, when it was named by a tag or digest of an index that
 * still lists it: that is where BuildKit keeps the image's attestations.
 */
async function indexOf(client: RegistryClient, source: ProvenanceSubject, memo: FetchMemo, signal?: AbortSignal): Promise<FetchedManifest<ImageIndex> | undefined> {
  let ref: ImageReference;
  try {
    ref = parseReference(source.reference);
  } catch {
    return undefined;
  }
  const top = ref.digest ?? ref.tag;
  if (!top || top === source.manifest.digest) return undefined;
  try {
    const m = await memo.manifest(client, repoOf(ref), top, signal);
    if (!isIndexType(m.mediaType)) return undefined;
    const index = m as FetchedManifest<ImageIndex>;
    return index.manifest.manifests.some((d) => d.digest === source.manifest.digest) ? index : undefined;
  } catch (e) {
    if (skippable(e)) return undefined;
    throw e;
  }
}

/** Every SLSA provenance statement the index holds about `source`, as the images they name. */
async function statedImages(client: RegistryClient, source: ProvenanceSubject, index: FetchedManifest<ImageIndex>, memo: FetchMemo, signal?: AbortSignal) {
  const out: Array<ProvenanceImage & { version: 'v0.2' | 'v1' }> = [];
  for (const entry of attestationEntries(index.manifest, source.manifest.digest).slice(0, 2)) {
    let m: FetchedManifest;
    try {
      m = await memo.manifest(client, source.repo, entry.digest, signal);
    } catch (e) {
      if (skippable(e)) continue;
      throw e;
    }
    if (!isImageManifestType(m.mediaType)) continue;
    for (const layer of provenanceLayers(m.manifest as ImageManifest)) {
      if (layer.size > SIZE_LIMITS.config) continue;
      let doc: unknown;
      try {
        // getBlob reads at most the config limit and checks the digest.
        doc = JSON.parse((await memo.blob(client, source.repo, layer.digest, signal)).toString('utf8'));
      } catch (e) {
        if (e instanceof SyntaxError || skippable(e)) continue;
        throw e;
      }
      const reading = readProvenance(doc, source.manifest.digest);
      for (const image of reading?.images ?? []) out.push({ ...image, version: reading!.version });
    }
  }
  return out;
}

/**
 * The base named by the image's provenance attestation: of the images the build pulled, the one
 * whose layers are the longest prefix of the image's (the frontend and build stages are not);
 * on a tie, one the statement pins by digest, which cannot have moved since the build.
 */
export async function fromProvenance(
  client: RegistryClient,
  source: ProvenanceSubject,
  platform: PlatformSpec,
  opts: { signal?: AbortSignal; memo: FetchMemo; sourceIndex?: FetchedManifest<ImageIndex> },
): Promise<ProvenanceFound | undefined> {
  const { signal, memo } = opts;
  const index = opts.sourceIndex ?? (await indexOf(client, source, memo, signal));
  if (!index) return undefined;
  const candidates = (await statedImages(client, source, index, memo, signal)).filter((i) => !isBuildFrontend(i.reference)).slice(0, MAX_CANDIDATES);
  if (candidates.length === 0) return undefined;

  const tried = await mapLimit(candidates, 4, async (c) => {
    try {
      const base = await resolveNamedBase(client, c.reference, c.digest, platform, signal, memo);
      return { c, base, length: basePrefixLength(source.manifest.manifest, base.docs.manifest.manifest) };
    } catch (e) {
      // A material on a registry we cannot read (a build stage, a private mirror) is no evidence.
      if (isUserError(e) && e.code !== 'cancelled') return undefined;
      throw e;
    }
  });
  let best: (typeof tried)[number];
  for (const t of tried) {
    if (!t || t.length === 0) continue;
    if (!best || t.length > best.length || (t.length === best.length && t.c.digest && !best.c.digest)) best = t;
  }
  if (!best) return undefined;
  return { base: best.base, version: best.c.version, uri: best.c.uri };
}
