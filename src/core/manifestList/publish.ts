import { setMaxListeners } from 'node:events';
import { UserError, cancelledError, isUserError } from '../errors';
import { FetchedManifest, ImageManifest } from '../manifest';
import { isIndexType } from '../mediaTypes';
import { formatReference, parseReferenceWithDefaultTag, validateTag, withTag } from '../reference';
import { RegistryClient } from '../registry/client';
import { mapLimit } from '../util/concurrency';
import { throwIfCancelled } from '../util/abort';
import { FetchMemo, imageDocuments, repoOf } from '../rebase/fetchImage';
import { ProgressListener } from '../rebase/progress';
import { CopyResult, copyManifest } from '../rebase/push';
import { ManifestListPlan, planManifestList } from './build';
import { ManifestListRequest } from './spec';

export interface ManifestListOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface ManifestListResult {
  reference: string;
  digest: string;
  /** Every tag that now points to the list. */
  tags: string[];
  copied: CopyResult[];
}

/** Fetches every image of the request and plans the list. Writes nothing (the dry run). */
export async function prepareManifestList(client: RegistryClient, req: ManifestListRequest, opts: ManifestListOptions = {}): Promise<ManifestListPlan> {
  const target = parseReferenceWithDefaultTag(req.target);
  if (target.digest) {
    throw new UserError('usage', `The manifest list's name "${req.target}" has a digest; give a tag to push it to, e.g. ${formatReference({ ...target, digest: undefined, tag: 'latest' })}.`);
  }
  for (const t of req.tags ?? []) {
    try {
      validateTag(t);
    } catch {
      throw new UserError('usage', `"${t}" is not a valid tag; tags are up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.`);
    }
  }
  client.preparePush(repoOf(target));
  const memo = new FetchMemo();
  const children = await mapLimit(req.manifests, 8, async (entry) => {
    const ref = parseReferenceWithDefaultTag(entry.image);
    opts.onProgress?.({ message: `Retrieving information about ${formatReference(ref)}` });
    const m = await memo.manifest(client, repoOf(ref), ref.digest ?? ref.tag ?? 'latest', opts.signal);
    if (isIndexType(m.mediaType)) {
      throw new UserError('usage', `${formatReference(ref)} is already a multi-platform image; name the single-platform images to put in the list (by tag or digest).`);
    }
    const docs = await imageDocuments(client, ref, m as FetchedManifest<ImageManifest>, opts.signal, memo);
    return { reference: docs.reference, repo: docs.repo, manifest: docs.manifest, config: docs.config, platform: entry.platform };
  });
  return planManifestList({ reference: formatReference(target), repo: repoOf(target), tag: target.tag! }, req.tags ?? [], children);
}

/**
 * Pushes a planned list: images from other repositories are copied in first (blobs mounted,
 * manifest PUT by digest), then the list to its tag, then to the extra tags. A failure before
 * the list is pushed leaves every tag as it was.
 */
export async function pushManifestList(client: RegistryClient, plan: ManifestListPlan, opts: ManifestListOptions = {}): Promise<ManifestListResult> {
  const target = plan.target.repo;
  client.preparePush(target);
  const copies = plan.children.filter((c) => c.copy);
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort();
  opts.signal?.addEventListener('abort', onAbort);
  let copied: CopyResult[];
  try {
    copied = await mapLimit(copies, 8, async (c) => {
      try {
        opts.onProgress?.({ message: `Copying ${c.reference} into ${target.repository}` });
        return await copyManifest(client, target, c.copy!, { signal: inner.signal });
      } catch (e) {
        inner.abort();
        if (isUserError(e) && e.code === 'cancelled') throw opts.signal?.aborted ? cancelledError() : e;
        const message = isUserError(e) ? e.message : String((e as Error)?.message ?? e);
        throw new UserError(isUserError(e) ? e.code : 'registry', `Copying ${c.reference} into ${target.repository} failed, so ${plan.target.reference} was not changed: ${message}`);
      }
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  throwIfCancelled(opts.signal);
  opts.onProgress?.({ message: `Pushing manifest list ${plan.digest}` });
  const digest = await client.putManifest(target, plan.target.tag, plan.bytes, plan.mediaType, opts.signal);
  const done = [plan.target.tag];
  for (const tag of plan.tags) {
    try {
      await client.putManifest(target, tag, plan.bytes, plan.mediaType, opts.signal);
    } catch (e) {
      const message = isUserError(e) ? e.message : String((e as Error)?.message ?? e);
      throw new UserError(isUserError(e) ? e.code : 'registry', `The list was pushed to ${done.join(', ')} but tagging it ${tag} failed: ${message}`);
    }
    done.push(tag);
  }
  return { reference: plan.target.reference, digest, tags: done.map((t) => formatReference(withTag(parseReferenceWithDefaultTag(plan.target.reference), t))), copied };
}
