/**
 * One image's verdict: which base it is on (recorded in annotations, else in provenance, else
 * the longest layer-prefix match among the --base candidates) and whether the base tag still
 * points to that image for its platform.
 */
import { isDigest } from '../digest';
import { isUserError } from '../errors';
import { ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME, Descriptor, FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { isIndexType } from '../mediaTypes';
import { ImageReference, formatReference, parseReference } from '../reference';
import { RegistryClient, RepositoryName } from '../registry/client';
import { basePrefixLength, identityOf, sameBase } from '../rebase/baseIdentity';
import { fromProvenance } from '../rebase/discoverProvenance';
import { PlatformSpec } from '../rebase/fetchImage';
import { PlatformLike } from '../rebase/platformMatch';
import { attestationEntries } from '../rebase/provenance';
import { BaseCandidates } from './candidates';
import { PlatformImage, ScanMemo, configPlatform, platformString, sharedLeadingLayers } from './memo';
import { BaseFoundBy, ScanResult } from './types';

export interface Subject {
  image: string;
  repo: RepositoryName;
  tag?: string;
  manifest: FetchedManifest<ImageManifest>;
  /** The index entry, for an image of a multi-platform tag. */
  descriptor?: Descriptor;
  index?: FetchedManifest<ImageIndex>;
}

export interface JudgeContext {
  client: RegistryClient;
  memo: ScanMemo;
  bases: BaseCandidates;
  signal?: AbortSignal;
}

type Verdict = Pick<ScanResult, 'platform' | 'base' | 'current' | 'status' | 'note'> & { shared: number };

/** The image of a recorded base digest this image is on; 'gone' when the registry no longer has it. */
async function recordedImage(ctx: JudgeContext, s: Subject, repo: RepositoryName, digest: string): Promise<PlatformImage | 'gone' | 'no-match'> {
  let top: FetchedManifest;
  try {
    top = await ctx.memo.manifest(ctx.client, repo, digest, ctx.signal);
  } catch (e) {
    if (isUserError(e) && e.code === 'not-found') return 'gone';
    throw e;
  }
  let best: { image: PlatformImage; length: number } | undefined;
  for (const image of await ctx.memo.images(ctx.client, repo, top, ctx.signal)) {
    const length = basePrefixLength(s.manifest.manifest, image.manifest.manifest);
    if (length > 0 && (!best || length > best.length)) best = { image, length };
  }
  return best?.image ?? 'no-match';
}

/**
 * The platform to ask a multi-platform base tag for: stated by an index entry when there is one
 * (the base's, which carries its Windows os.version, else the image's), else read from a config.
 */
async function wantedPlatform(ctx: JudgeContext, s: Subject, baseRepo: RepositoryName, recorded: PlatformImage | undefined): Promise<PlatformLike> {
  const stated = recorded?.descriptor?.platform ?? s.descriptor?.platform;
  if (stated) return stated;
  if (recorded) return configPlatform(await ctx.memo.config(ctx.client, baseRepo, recorded.manifest, ctx.signal));
  return configPlatform(await ctx.memo.config(ctx.client, s.repo, s.manifest, ctx.signal));
}

/** Judges the image against `repo:tag`, given what it was recorded (or found) to be built on. */
async function againstTag(ctx: JudgeContext, s: Subject, repo: RepositoryName, tag: string, recorded: PlatformImage | undefined, recordedDigest: string | undefined, foundBy: BaseFoundBy): Promise<Verdict> {
  const name = formatReference({ ...repo, tag });
  const base = { name, digest: recorded?.manifest.digest ?? recordedDigest ?? null, foundBy };
  const stated = platformString(recorded?.descriptor?.platform ?? s.descriptor?.platform);
  let now: FetchedManifest;
  try {
    now = await ctx.memo.manifest(ctx.client, repo, tag, ctx.signal);
  } catch (e) {
    if (!isUserError(e) || e.code !== 'not-found') throw e;
    // The base is known and no name leads to a newer one: a gate should flag it (see README).
    const platform = stated ?? (recorded ? platformString(configPlatform(await ctx.memo.config(ctx.client, repo, recorded.manifest, ctx.signal))) : null);
    return { platform, base, current: null, status: 'outdated', note: `The base tag ${name} no longer exists; choose another base.`, shared: 0 };
  }
  const want = isIndexType(now.mediaType) ? await wantedPlatform(ctx, s, repo, recorded) : undefined;
  const current = await ctx.memo.imageFor(ctx.client, repo, now, want, ctx.signal);
  if (!current) {
    const note = `${name} no longer has an image for ${platformString(want) ?? 'this platform'}.`;
    return { platform: stated ?? platformString(want), base, current: null, status: 'outdated', note, shared: 0 };
  }
  const m = current.manifest;
  let upToDate: boolean;
  if (recorded) upToDate = recorded.manifest.digest === m.digest;
  else if (recordedDigest) upToDate = sameBase({ digest: recordedDigest }, identityOf(now));
  else upToDate = basePrefixLength(s.manifest.manifest, m.manifest) > 0;
  const config = await ctx.memo.config(ctx.client, repo, m, ctx.signal);
  if (upToDate && !base.digest) base.digest = m.digest;
  const note = recordedDigest && !recorded ? `The recorded base ${recordedDigest} is no longer in the registry.` : null;
  return {
    platform: stated ?? platformString(want ?? configPlatform(config)),
    base,
    current: { digest: m.digest, created: config.created ?? null },
    status: upToDate ? 'up-to-date' : 'outdated',
    note,
    shared: sharedLeadingLayers(s.manifest.manifest, m.manifest),
  };
}

/** A base recorded by digest alone has no tag that could move. */
function pinned(ref: ImageReference, digest: string, foundBy: BaseFoundBy, platform: string | null): Verdict {
  return { platform, base: { name: formatReference(ref), digest, foundBy }, current: null, status: 'up-to-date', note: 'The base is recorded by digest alone, so there is no tag to follow.', shared: 0 };
}

async function byAnnotation(ctx: JudgeContext, s: Subject): Promise<Verdict | undefined> {
  const own = s.manifest.manifest.annotations ?? {};
  const ann = own[ANNOTATION_BASE_NAME] ? own : (s.index?.manifest.annotations ?? {});
  const text = ann[ANNOTATION_BASE_NAME];
  if (!text) return undefined;
  let ref: ImageReference;
  try {
    ref = parseReference(text);
  } catch {
    return undefined; // someone else's malformed annotation: search instead
  }
  const digest = ann[ANNOTATION_BASE_DIGEST] ?? ref.digest;
  if (digest !== undefined && !isDigest(digest)) return undefined;
  const repo = { registry: ref.registry, repository: ref.repository };
  let recorded: PlatformImage | undefined;
  if (digest) {
    const found = await recordedImage(ctx, s, repo, digest);
    // An annotation whose base does not hold the image's lower layers describes something else.
    if (found === 'no-match') return undefined;
    recorded = found === 'gone' ? undefined : found;
  }
  if (!ref.tag && digest) return pinned(ref, recorded?.manifest.digest ?? digest, 'annotation', platformString(s.descriptor?.platform));
  return againstTag(ctx, s, repo, ref.tag ?? 'latest', recorded, digest, 'annotation');
}

async function byProvenance(ctx: JudgeContext, s: Subject): Promise<Verdict | undefined> {
  const p = s.descriptor?.platform;
  if (!s.index || !p || attestationEntries(s.index.manifest, s.manifest.digest).length === 0) return undefined;
  const platform: PlatformSpec = { ...p };
  const found = await fromProvenance(ctx.client, { reference: s.image, repo: s.repo, manifest: s.manifest }, platform, { signal: ctx.signal, memo: ctx.memo, sourceIndex: s.index });
  if (!found) return undefined;
  const ref = parseReference(found.base.docs.reference);
  const recorded: PlatformImage = { manifest: found.base.docs.manifest };
  const repo = { registry: ref.registry, repository: ref.repository };
  if (!ref.tag) return pinned(ref, recorded.manifest.digest, 'provenance', platformString(p));
  return againstTag(ctx, s, repo, ref.tag, recorded, recorded.manifest.digest, 'provenance');
}

/**
 * The longest layer-prefix match among the --base candidates. It is judged against the tags
 * named with --base for its repository: up to date when one of them still points to it, else
 * outdated against the one whose image shares most lower layers with it (the first on a tie).
 * With a repository alone there is no tag to follow: a base some tag still names is current.
 */
async function bySearch(ctx: JudgeContext, s: Subject): Promise<Verdict | undefined> {
  const match = ctx.bases.best(s.manifest.manifest);
  if (!match) return undefined;
  const { candidate } = match;
  const named = ctx.bases.namedTags(candidate.repo);
  const tags = named.length ? named : ctx.bases.tagsOf(candidate.repo, candidate.image.manifest.digest).slice(0, 1);
  let chosen: Verdict | undefined;
  for (const tag of tags) {
    const v = await againstTag(ctx, s, candidate.repo, tag, candidate.image, candidate.image.manifest.digest, 'search');
    if (v.status === 'up-to-date') return v;
    if (!chosen || v.shared > chosen.shared) chosen = v;
  }
  if (!chosen) return undefined;
  const found = formatReference({ ...candidate.repo, tag: candidate.tag });
  if (found !== chosen.base?.name) chosen.note ??= `Its lower layers are those of ${found}, found by layer search, which ${chosen.base!.name} no longer points to.`;
  return chosen;
}

/** The scan's answer for one image; registry failures become an `error` row, Ctrl-C stops all. */
export async function judge(ctx: JudgeContext, s: Subject): Promise<ScanResult> {
  const row = { image: s.image, digest: s.manifest.digest, source: { repo: s.repo, tag: s.tag, indexDigest: s.index?.digest } };
  try {
    const v = (await byAnnotation(ctx, s)) ?? (await byProvenance(ctx, s)) ?? (await bySearch(ctx, s));
    if (v) return { ...row, platform: v.platform, base: v.base, current: v.current, status: v.status, error: null, note: v.note };
    const note = ctx.bases.size
      ? 'It records no base, and no tag of the --base repositories holds its lower layers.'
      : 'It records no base (annotation or provenance); name candidate bases with --base to search by layers.';
    return { ...row, platform: platformString(s.descriptor?.platform), base: null, current: null, status: 'unknown-base', error: null, note };
  } catch (e) {
    if (isUserError(e) && e.code === 'cancelled') throw e;
    const message = isUserError(e) ? e.message : `Unexpected failure (${String((e as Error)?.message ?? e).split('\n')[0]}); please report it.`;
    return { ...row, platform: platformString(s.descriptor?.platform), base: null, current: null, status: 'error', error: message, note: null };
  }
}
