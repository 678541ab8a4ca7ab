import * as vscode from 'vscode';
import { isUserError } from '../../core/errors';
import { shortDigest } from '../../core/digest';
import { ANNOTATION_BASE_NAME, FetchedManifest, ImageIndex } from '../../core/manifest';
import { discoverOldBase, DiscoveredBase } from '../../core/rebase/discover';
import { PlatformSpec, fetchImage, formatPlatform, imageChildren, parsePlatform, repoOf } from '../../core/rebase/fetchImage';
import { ImageDocuments } from '../../core/rebase/plan';
import { RebaseRequest } from '../../core/rebase/rebase';
import { ImageReference, formatReference, parseReference, parseReferenceWithDefaultTag, withTag } from '../../core/reference';
import { isIndexType } from '../../core/mediaTypes';
import { mapLimit } from '../../core/util/concurrency';
import { Services } from '../services';
import { checkIndexNewBase } from './indexCheck';
import { pickOrType, PickItem } from './pickers';
import { RecentImages } from './recent';

/** What callers may fill in ahead: the tree (source), the CodeLens (new base), tests (all). */
export interface RebaseArgs {
  source?: string;
  newBase?: string;
  oldBase?: string;
  target?: string;
  /**
   * For a multi-platform source: 'all' rebases every platform into a new index, 'os/arch[/variant]'
   * one of them (the target is then a single-platform image). Asked for when absent.
   */
  platform?: 'all' | (string & {});
  /** With 'all': keep the platforms the new base has no image for unchanged instead of refusing. */
  keepUnmatched?: boolean;
  /**
   * Keep the app's container settings as they are instead of merging them onto the new base;
   * when absent, the imageRebase.keepConfig setting decides.
   */
  keepConfig?: boolean;
  /** Programmatic callers only: replace an existing target tag without asking. */
  confirmOverwrite?: boolean;
}

export interface CollectedRequest {
  request: RebaseRequest;
  /** How the old base was found, when it was detected rather than given (one image only). */
  discovery?: Pick<DiscoveredBase, 'foundBy' | 'note'>;
  existingTargetDigest?: string;
  /** Every platform of an index is rebased: request.platform is unset and the engine plans a new index. */
  allPlatforms: boolean;
}

const TOTAL_STEPS = 4;
const FOUND_BY: Record<DiscoveredBase['foundBy'], string> = { argument: 'argument', annotation: 'annotation', provenance: 'provenance attestation', search: 'layer search' };
const TAG_SAMPLE = 40;

/**
 * Asks for whatever `args` leaves open, in order: source, new base, old base, target. The new
 * base comes before the old one because detecting the old base searches the new base's
 * repository. A multi-platform source first asks "all platforms or one": for all, the new base is
 * checked for every platform (the engine's rules and sentence; platforms it lacks can be kept
 * unchanged) and the old base is not asked, as the engine finds each platform's own. Returns
 * undefined when the user backs out; shows problems and asks again.
 */
export async function collectRequest(services: Services, recent: { images: RecentImages; bases: RecentImages }, args: RebaseArgs): Promise<CollectedRequest | undefined> {
  const client = services.client;

  // 1. Source image; for an index, all of its platforms or one
  let source: ImageDocuments | undefined;
  let sourceRef: ImageReference | undefined;
  /** Set when every platform of this index is rebased. */
  let sourceIndex: FetchedManifest<ImageIndex> | undefined;
  const givenPlatform: PlatformSpec | undefined = args.platform && args.platform !== 'all' ? parsePlatform(args.platform) : undefined;
  let platform: PlatformSpec | undefined;
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
      const choice = givenPlatform ? { platform: givenPlatform } : await choosePlatform(services, sourceRef, args.platform === 'all');
      platform = choice.platform;
      sourceIndex = choice.index;
      // For a whole index, its first image stands for it where one image is needed (new base suggestions).
      source = await fetchImage(client, sourceRef, platform ?? (sourceIndex ? imageChildren(sourceIndex.manifest)[0]?.platform : undefined), undefined);
    } catch (e) {
      if (!reportAndRetry(services, e, args.source)) return undefined;
      sourceText = undefined;
    }
  }
  const sourcePlatform: PlatformSpec = platform ?? { os: source.config.os, architecture: source.config.architecture, variant: source.config.variant };
  const sourceName = sourceIndex ? formatReference(sourceRef!) : source.reference;
  await recent.images.add(sourceName);

  // 2. New base, checked for the source's platform (every platform, for a whole index) before going on
  let newBaseText = args.newBase;
  let newBaseRef: ImageReference | undefined;
  let keepUnmatched = Boolean(args.keepUnmatched);
  while (!newBaseRef) {
    newBaseText ??= await pickNewBase(services, recent.bases, source, sourcePlatform);
    if (!newBaseText) return undefined;
    try {
      const ref = parseReferenceWithDefaultTag(newBaseText);
      if (sourceIndex) {
        const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Matching the platforms of the new base…' }, () =>
          checkIndexNewBase(client, sourceRef!, sourceIndex!, ref),
        );
        if (check.problem && !keepUnmatched) {
          // The engine's own sentence, then: another new base, or keep what it lacks unchanged.
          services.showError(check.problem);
          if (args.newBase !== undefined) return undefined;
          const answer = check.matched > 0 ? await askUnmatched(check.unmatched) : 'retry';
          if (!answer) return undefined;
          if (answer === 'retry') {
            newBaseText = undefined;
            continue;
          }
          keepUnmatched = true;
        }
      } else {
        await fetchImage(client, ref, sourcePlatform);
      }
      newBaseRef = ref;
    } catch (e) {
      if (!reportAndRetry(services, e, args.newBase)) return undefined;
      newBaseText = undefined;
    }
  }
  await recent.bases.add(formatReference(newBaseRef));

  // 3. Old base: given, or detected and offered for confirmation
  //    (for a whole index the engine finds each platform's own; the preview says how)
  let oldBase = args.oldBase;
  let discovery: CollectedRequest['discovery'];
  if (oldBase === undefined && !sourceIndex) {
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
      ? [{ label: detected.docs.reference, description: `$(search) found by ${FOUND_BY[detected.foundBy]}`, detail: detected.note }]
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
    request: {
      source: sourceName,
      target,
      newBase: formatReference(newBaseRef),
      oldBase,
      platform: sourceIndex || !platform ? undefined : formatPlatform(platform),
      ...(sourceIndex ? { keepUnmatched } : {}),
      ...((args.keepConfig ?? services.settings.keepConfig) ? { keepConfig: true } : {}),
    },
    discovery,
    existingTargetDigest: existing?.digest,
    allPlatforms: Boolean(sourceIndex),
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

/**
 * A multi-platform source: every platform (the first and default choice) or one of them. Returns
 * the index for "all", the platform for one, neither for a single image; throws
 * CancellationError when the user backs out.
 */
async function choosePlatform(services: Services, ref: ImageReference, all: boolean): Promise<{ platform?: PlatformSpec; index?: FetchedManifest<ImageIndex> }> {
  const m = await services.client.getManifest(repoOf(ref), ref.digest ?? ref.tag ?? 'latest');
  if (!isIndexType(m.mediaType)) return {};
  const index = m as FetchedManifest<ImageIndex>;
  const children = imageChildren(index.manifest);
  // Without any image in it, fetching the source says what is wrong.
  if (all || children.length === 0) return all ? { index } : {};
  const n = children.length;
  type Item = vscode.QuickPickItem & { platform?: PlatformSpec; all?: boolean };
  const items: Item[] = [
    {
      label: n === 1 ? 'The whole index (1 platform)' : `All ${n} platforms`,
      description: children.map((c) => formatPlatform(c.platform!)).join(', '),
      detail: 'Rebase every image onto the new base of its platform and push a new index to the target tag',
      all: true,
    },
    { label: 'One platform (the target is a single-platform image)', kind: vscode.QuickPickItemKind.Separator },
    ...children.map((c) => ({
      label: formatPlatform(c.platform!),
      description: [c.platform!['os.version'], shortDigest(c.digest)].filter(Boolean).join(' · '),
      platform: c.platform!,
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Rebase Image: ${formatReference(ref)} is multi-platform: rebase all platforms or one?`, ignoreFocusOut: true });
  if (!pick) throw new vscode.CancellationError();
  return pick.all ? { index } : { platform: pick.platform };
}

/** After the engine's message about platforms the new base lacks: choose again, or keep them unchanged. */
async function askUnmatched(unmatched: string[]): Promise<'retry' | 'keep' | undefined> {
  const them = unmatched.length === 1 ? 'it' : 'them';
  const items: Array<vscode.QuickPickItem & { value: 'retry' | 'keep' }> = [
    { label: 'Choose another new base', value: 'retry' },
    {
      label: `Keep ${unmatched.join(', ')} unchanged`,
      detail: `Rebase the other platforms; the new index lists ${them} as ${unmatched.length === 1 ? 'it is' : 'they are'} now`,
      value: 'keep',
    },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: `Rebase Image: the new base has no image for ${unmatched.join(', ')}`,
    ignoreFocusOut: true,
  });
  return pick?.value;
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
