import { isUserError } from '../errors';
import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isImageManifestType, isIndexType } from '../mediaTypes';
import { ImageReference, formatReference } from '../reference';
import { RegistryClient } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { FetchMemo, PlatformSpec, fetchImage, imageDocuments, repoOf } from './fetchImage';
import { isImageManifest, looksLikeImageEntry } from './indexEntries';
import { ImageDocuments } from './plan';
import { BaseImages, IndexSource } from './planIndex';
import { PlatformLike } from './platformMatch';

/** Reading what a rebase works on: the entries of a source index, and the images of a base. */

const FETCH_CONCURRENCY = 8;

/**
 * Reads every entry of a source index into `source`: images with their configs, the others'
 * manifests when readable. An entry that cannot be read and does not claim to be an image (an
 * unknown artifact format) is skipped: it is never rebased, and the planner reports it.
 */
export async function fetchIndexEntries(client: RegistryClient, source: IndexSource, memo: FetchMemo, signal?: AbortSignal): Promise<void> {
  const { repo } = source;
  await mapLimit(source.index.manifest.manifests ?? [], FETCH_CONCURRENCY, async (d) => {
    let m: FetchedManifest;
    try {
      m = await memo.manifest(client, repo, d.digest, signal);
    } catch (e) {
      if (!looksLikeImageEntry(d) && isUserError(e) && (e.code === 'unsupported' || e.code === 'not-found')) return;
      throw e;
    }
    if (looksLikeImageEntry(d) && isImageManifestType(m.mediaType) && isImageManifest(m.manifest as ImageManifest)) {
      const ref: ImageReference = { registry: repo.registry, repository: repo.repository, digest: d.digest };
      source.images.set(d.digest, await imageDocuments(client, ref, m as FetchedManifest<ImageManifest>, signal, memo));
    } else {
      source.others.set(d.digest, m);
    }
  });
}

/** The new (or old) base's images: those of an index for the given platforms, or the one image. */
export async function fetchBaseImages(client: RegistryClient, ref: ImageReference, platforms: PlatformLike[] | undefined, memo: FetchMemo, signal?: AbortSignal): Promise<BaseImages> {
  const repo = repoOf(ref);
  const top = await memo.manifest(client, repo, ref.digest ?? ref.tag ?? 'latest', signal);
  const reference = formatReference(ref);
  if (!isIndexType(top.mediaType)) {
    const docs = await imageDocuments(client, ref, top as FetchedManifest<ImageManifest>, signal, memo);
    return { reference, repo, digest: top.digest, isIndex: false, images: [{ docs }] };
  }
  const entries = (top.manifest as ImageIndex).manifests.filter(
    (d) => looksLikeImageEntry(d) && (!d.platform || !platforms || platforms.some((c) => c.os === d.platform!.os && c.architecture === d.platform!.architecture)),
  );
  const images: BaseImages['images'] = [];
  await mapLimit(entries, FETCH_CONCURRENCY, async (d) => {
    const m = await memo.manifest(client, repo, d.digest, signal);
    if (!isImageManifestType(m.mediaType) || !isImageManifest(m.manifest as ImageManifest)) return;
    images.push({ descriptor: d, docs: await imageDocuments(client, { ...ref, tag: undefined, digest: d.digest }, m as FetchedManifest<ImageManifest>, signal, memo) });
  });
  // Keep the index order (fetches finish in any order): first match wins on duplicates.
  const order = new Map(entries.map((d, i) => [d.digest, i]));
  images.sort((a, b) => order.get(a.descriptor!.digest)! - order.get(b.descriptor!.digest)!);
  // Named as the user named the base, and recorded by the digest that name resolved to (the
  // index's), as for one image: "is my base outdated?" is then one HEAD of the tag.
  for (const i of images) Object.assign(i.docs, { reference, resolvedDigest: top.digest });
  return { reference, repo, digest: top.digest, isIndex: true, images };
}

/** One image of the new base, remembering the index digest its reference resolved to. */
export async function fetchNewBase(client: RegistryClient, ref: ImageReference, platform: PlatformSpec, signal: AbortSignal | undefined, memo: FetchMemo): Promise<ImageDocuments> {
  const docs = await fetchImage(client, ref, platform, signal, memo);
  const top = await memo.manifest(client, repoOf(ref), ref.digest ?? ref.tag ?? 'latest', signal);
  if (top.digest !== docs.manifest.digest) docs.resolvedDigest = top.digest;
  return docs;
}

