import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { shortDigest } from '../../core/digest';
import { ANNOTATION_BASE_NAME, ImageIndex } from '../../core/manifest';
import { discoverOldBase, DiscoveredBase } from '../../core/rebase/discover';
import { PlatformSpec, fetchImage, formatPlatform, imageChildren, parsePlatform, repoOf } from '../../core/rebase/fetchImage';
import { ImageDocuments } from '../../core/rebase/plan';
import { RebaseRequest } from '../../core/rebase/rebase';
import { ImageReference, formatReference, parseReference, parseReferenceWithDefaultTag, withTag } from '../../core/reference';
import { isIndexType } from '../../core/mediaTypes';
import { mapLimit } from '../../core/util/concurrency';
import { Services } from '../services';
import { pickOrType, PickItem } from './pickers';
import { RecentImages } from './recent';

/** What callers may fill in ahead: the tree (source), the CodeLens (new base), tests (all). */
export interface RebaseArgs {
  source?: string;
  newBase?: string;
  oldBase?: string;
  target?: string;
  platform?: string;
  /** Programmatic callers only: replace an existing target tag without asking. */
  confirmOverwrite?: boolean;
}

export interface CollectedRequest {
  request: RebaseRequest;
  /** How the old base was found, when it was detected rather than given. */
  discovery?: Pick<DiscoveredBase, 'foundBy' | 'note'>;
  existingTargetDigest?: string;
}

const TOTAL_STEPS = 4;
const TAG_SAMPLE = 40;

/**
 * Asks for whatever `args` leaves open, in order: source, new base, old base, target. The new
 * base comes before the old one because detecting the old base searches the new base's
 * repository. Returns undefined when the user backs out; shows problems and asks again.
 */
export async function collectRequest(services: Services, recent: { images: RecentImages; bases: RecentImages }, args: RebaseArgs): Promise<CollectedRequest | undefined> {
  const client = services.client;

  // 1. Source image
  let source: ImageDocuments | undefined;
  let sourceRef: ImageReference | undefined;
  let platform: PlatformSpec | undefined = args.platform ? parsePlatform(args.platform) : undefined;
  let sourceText = args.source;
  while (!source) {
    sourceText ??= await pickOrType({
      title: 'Rebase Image: image to rebase',
      placeholder: 'Image reference, e.g. localhost:5000/app:1 or ghcr.io/org/app:2.3',
      items: recent.images.list().map((r) => ({ label: r, description: 'recent' })),
      validate: referenceProblem,
      step: 1,
      totalSteps: TOTAL_STEPS,
    });
    if (!sourceText) return undefined;
    try {
      sourceRef = parseReferenceWithDefaultTag(sourceText);
      platform ??= await choosePlatform(services, sourceRef);
      source = await fetchImage(client, sourceRef, platform ?? undefined, undefined);
    } catch (e) {
      if (!reportAndRetry(services, e, args.source)) return undefined;
      sourceText = undefined;
    }
  }
  const sourcePlatform: PlatformSpec = platform ?? { os: source.config.os, architecture: source.config.architecture, variant: source.config.variant };
  await recent.images.add(source.reference);

  // 2. New base, checked for the source's platform before going on
  let newBaseText = args.newBase;
  let newBaseRef: ImageReference | undefined;
  while (!newBaseRef) {
    newBaseText ??= await pickNewBase(services, recent.bases, source, sourcePlatform);
    if (!newBaseText) return undefined;
    try {
      const ref = parseReferenceWithDefaultTag(newBaseText);
      await fetchImage(client, ref, sourcePlatform);
      newBaseRef = ref;
    } catch (e) {
      if (!reportAndRetry(services, e, args.newBase)) return undefined;
      newBaseText = undefined;
    }
  }
  await recent.bases.add(formatReference(newBaseRef));

  // 3. Old base: given, or detected and offered for confirmation
  let oldBase = args.oldBase;
  let discovery: CollectedRequest['discovery'];
  if (oldBase === undefined) {
    let detected: DiscoveredBase | undefined;
    let problem: string | undefined;
    try {
      detected = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Looking for the old base image…' }, () =>
        discoverOldBase(client, source!, newBaseRef!, sourcePlatform),
      );
    } catch (e) {
      if (!isUserError(e) || e.code === 'cancelled') throw e;
      problem = e.message;
    }
    const items: PickItem[] = detected
      ? [{ label: detected.docs.reference, description: `$(search) found by ${detected.foundBy === 'annotation' ? 'annotation' : 'layer search'}`, detail: detected.note }]
      : [];
    oldBase = await pickOrType({
      title: 'Rebase Image: old base the image was built on',
      placeholder: problem ?? 'Confirm the detected base, or type the image the source was built FROM',
      items,
      validate: referenceProblem,
      step: 3,
      totalSteps: TOTAL_STEPS,
    });
    if (!oldBase) return undefined;
    if (detected && oldBase === detected.docs.reference) discovery = { foundBy: detected.foundBy, note: detected.note };
  }

  // 4. Target, with an explicit confirmation before replacing an existing tag
  const suggested = formatReference(withTag({ ...sourceRef!, digest: undefined }, `${sourceRef!.tag ?? 'latest'}-rebased`.slice(0, 128)));
  const target =
    args.target ??
    (await vscode.window.showInputBox({
      title: 'Rebase Image: target tag to push',
      prompt: 'Where the rebased image goes. Nothing is pushed before you confirm in the preview.',
      value: suggested,
      ignoreFocusOut: true,
      validateInput: targetProblem,
    }));
  if (!target) return undefined;
  const targetRef = parseReferenceWithDefaultTag(target);
  const existing = await client.headManifest(repoOf(targetRef), targetRef.tag ?? 'latest');
  if (existing?.digest && !args.confirmOverwrite) {
    const replace = `Replace ${shortDigest(existing.digest)}`;
    const answer = await vscode.window.showWarningMessage(
      `${formatReference(targetRef)} already exists (${existing.digest}). Replace it with the rebased image?`,
      { modal: true, detail: 'The tag will point to the new image; the old one stays in the registry under its digest.' },
      replace,
    );
    if (answer !== replace) return undefined;
  }

  return {
    request: { source: source.reference, target, newBase: formatReference(newBaseRef), oldBase, platform: args.platform ?? (platform ? formatPlatform(platform) : undefined) },
    discovery,
    existingTargetDigest: existing?.digest,
  };
}

function referenceProblem(value: string): string | undefined {
  try {
    parseReferenceWithDefaultTag(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function targetProblem(value: string): string | undefined {
  const problem = referenceProblem(value.trim());
  if (problem) return problem;
  return parseReferenceWithDefaultTag(value.trim()).digest ? 'The target must be a tag, not a digest.' : undefined;
}

/** Shows the problem; for prompted values the loop asks again, for given ones it stops. */
function reportAndRetry(services: Services, e: unknown, given: string | undefined): boolean {
  if (!isUserError(e) || e.code === 'cancelled') throw e;
  services.showError(e);
  return given === undefined;
}

/** A multi-platform source needs one platform: asks which (null when the user backs out). */
async function choosePlatform(services: Services, ref: ImageReference): Promise<PlatformSpec | undefined> {
  const m = await services.client.getManifest(repoOf(ref), ref.digest ?? ref.tag ?? 'latest');
  if (!isIndexType(m.mediaType)) return undefined;
  const children = imageChildren(m.manifest as ImageIndex);
  if (children.length === 1) return children[0].platform;
  const pick = await vscode.window.showQuickPick(
    children.map((c) => ({ label: formatPlatform(c.platform!), description: shortDigest(c.digest), platform: c.platform! })),
    { title: `${formatReference(ref)} is multi-platform: which image to rebase?` },
  );
  if (!pick) throw new vscode.CancellationError();
  return pick.platform;
}

/**
 * New base candidates: tags of the repository the source was based on (from its annotation, or
 * the most recent base used), newest first with digest and date, plus free text.
 */
async function pickNewBase(services: Services, recentBases: RecentImages, source: ImageDocuments, platform: PlatformSpec): Promise<string | undefined> {
  const annotated = source.manifest.manifest.annotations?.[ANNOTATION_BASE_NAME];
  let repo: ImageReference | undefined;
  for (const candidate of [annotated, recentBases.list()[0]]) {
    if (!candidate) continue;
    try {
      repo = parseReference(candidate);
      break;
    } catch {
      // not a usable suggestion
    }
  }
  const recentItems: PickItem[] = recentBases.list().map((r) => ({ label: r, description: 'recent base' }));
  return pickOrType({
    title: 'Rebase Image: new base image',
    placeholder: repo ? `Tags of ${repo.registry}/${repo.repository}, newest first; or type any image` : 'Image reference of the new base, e.g. localhost:5000/base:2',
    items: repo ? tagItems(services, repo, platform).then((t) => [...t, ...recentItems.filter((r) => !t.some((x) => x.label === r.label))]) : recentItems,
    validate: referenceProblem,
    step: 2,
    totalSteps: TOTAL_STEPS,
  });
}

async function tagItems(services: Services, repo: ImageReference, platform: PlatformSpec): Promise<PickItem[]> {
  const tags = (await services.client.listTags(repoOf(repo), { pageSize: 200 })).items.slice(0, TAG_SAMPLE);
  const rows = await mapLimit(tags, 6, async (tag) => {
    try {
      const ref = { registry: repo.registry, repository: repo.repository, reference: tag };
      let image = await services.cache.image(ref);
      if (!image) {
        const index = await services.cache.index(ref);
        const child = index && imageChildren(index.manifest).find((c) => c.platform?.os === platform.os && c.platform?.architecture === platform.architecture);
        if (child) image = await services.cache.image({ ...ref, reference: child.digest });
      }
      const digest = (await services.cache.manifest(ref)).digest;
      return { tag, digest, created: image?.config.created ?? '' };
    } catch {
      return { tag, digest: '', created: '' };
    }
  });
  rows.sort((a, b) => b.created.localeCompare(a.created));
  return rows.map((r) => ({
    label: `${repo.registry}/${repo.repository}:${r.tag}`,
    description: [r.digest && shortDigest(r.digest), r.created && r.created.slice(0, 16).replace('T', ' ')].filter(Boolean).join(' · '),
  }));
}
