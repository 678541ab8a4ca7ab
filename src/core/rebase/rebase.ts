import { UserError } from '../errors';
import { ImageReference, formatReference, parseReferenceWithDefaultTag } from '../reference';
import { RegistryClient } from '../registry/client';
import { throwIfCancelled } from '../util/abort';
import { DiscoveredBase, discoverOldBase } from './discover';
import { PlatformSpec, fetchImage, parsePlatform, repoOf } from './fetchImage';
import { RebasePlan, planRebase } from './plan';
import { ProgressListener } from './progress';
import { PushResult, pushPlan } from './push';

/** What a user asks for, as strings, exactly as the CLI and the extension receive it. */
export interface RebaseRequest {
  source: string;
  target: string;
  newBase: string;
  oldBase?: string;
  /** os/arch[/variant]: which image of a multi-platform source to rebase. */
  platform?: string;
}

export interface PreparedRebase {
  plan: RebasePlan;
  oldBase: Pick<DiscoveredBase, 'foundBy' | 'note'>;
}

export interface RebaseOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

interface ParsedRequest {
  source: ImageReference;
  target: ImageReference & { tag: string };
  newBase: ImageReference;
  oldBase?: ImageReference;
  platform?: PlatformSpec;
}

export function parseRequest(req: RebaseRequest): ParsedRequest {
  const target = parseReferenceWithDefaultTag(req.target);
  if (target.digest) {
    throw new UserError('usage', `The target "${req.target}" names a digest; give a tag to push to instead, e.g. ${formatReference({ ...target, digest: undefined, tag: 'rebased' })}.`);
  }
  return {
    source: parseReferenceWithDefaultTag(req.source),
    target: target as ImageReference & { tag: string },
    newBase: parseReferenceWithDefaultTag(req.newBase),
    oldBase: req.oldBase !== undefined ? parseReferenceWithDefaultTag(req.oldBase) : undefined,
    platform: req.platform ? parsePlatform(req.platform) : undefined,
  };
}

/**
 * Fetches the three images, finds the old base if needed and plans the rebase. Writes nothing:
 * this is the dry run, and the first half of every real run.
 */
export async function prepareRebase(client: RegistryClient, req: RebaseRequest, opts: RebaseOptions = {}): Promise<PreparedRebase> {
  const { signal, onProgress } = opts;
  const p = parseRequest(req);
  // Asking for push access up front makes the first token cover the whole run.
  client.preparePush(repoOf(p.target));

  onProgress?.({ message: `Retrieving information about source image ${formatReference(p.source)}` });
  const source = await fetchImage(client, p.source, p.platform, signal);
  const platform: PlatformSpec = p.platform ?? {
    os: source.config.os,
    architecture: source.config.architecture,
    variant: source.config.variant,
  };

  throwIfCancelled(signal);
  onProgress?.({ message: `Retrieving information about new base image ${formatReference(p.newBase)}` });
  const newBase = await fetchImage(client, p.newBase, platform, signal);

  throwIfCancelled(signal);
  let oldBase: DiscoveredBase;
  if (p.oldBase) {
    onProgress?.({ message: `Retrieving information about old base image ${formatReference(p.oldBase)}` });
    oldBase = { docs: await fetchImage(client, p.oldBase, platform, signal), foundBy: 'argument', note: `Old base ${formatReference(p.oldBase)} as given.` };
  } else {
    onProgress?.({ message: 'Looking for the old base image' });
    oldBase = await discoverOldBase(client, source, p.newBase, platform, { signal });
    onProgress?.({ message: oldBase.note });
  }

  onProgress?.({ message: 'Rebasing image' });
  const plan = planRebase({
    source,
    oldBase: oldBase.docs,
    newBase,
    target: { reference: formatReference(p.target), repo: repoOf(p.target), tag: p.target.tag },
  });
  return { plan, oldBase: { foundBy: oldBase.foundBy, note: oldBase.note } };
}

export async function executeRebase(client: RegistryClient, prepared: PreparedRebase, opts: RebaseOptions = {}): Promise<PushResult> {
  const result = await pushPlan(client, prepared.plan, opts);
  opts.onProgress?.({ message: 'Done.' });
  return result;
}
