import { shortDigest } from '../../core/digest';
import { isUserError } from '../../core/errors';
import { FetchedManifest, ImageIndex, ImageManifest } from '../../core/manifest';
import { isIndexType } from '../../core/mediaTypes';
import { basePrefixLength } from '../../core/rebase/baseIdentity';
import { FetchMemo, PlatformSpec, imageDocuments, resolveManifest } from '../../core/rebase/fetchImage';
import { ImageDocuments } from '../../core/rebase/plan';
import { ImageReference, parseReference } from '../../core/reference';
import { RegistryClient, RepositoryName } from '../../core/registry/client';
import { mapLimit } from '../../core/util/concurrency';
import { Services } from '../services';
import { normaliseRegistry } from '../registries/treeProvider';
import { PickItem } from './flowInput';

/** What every step reads through: one memo, so picking, planning and pushing fetch each document once. */
export interface FlowContext {
  services: Services;
  client: RegistryClient;
  memo: FetchMemo;
}

/** The tag list size old-base discovery asks for (its limit + 1), so both share one memo entry. */
export const TAG_LIST_LIMIT = 201;
/** Tags whose manifests are read to sort them by date and mark the current base. */
const TAG_SAMPLE = 40;

export interface TagRow {
  tag: string;
  reference: string;
  digest: string;
  created: string;
  /** Layers of it that are the source's lower layers (0: not a base of the source). */
  prefix: number;
  multiPlatform: boolean;
}

export function recentItems(list: string[], description: string): PickItem[] {
  return list.map((r) => ({ label: r, description: `$(history) ${description}` }));
}

/**
 * The repositories of the Registries view (catalog first page and configured repositories) as
 * items that open into their tags when chosen.
 */
export async function repositoryItems(ctx: FlowContext, signal: AbortSignal, tags: (repo: RepositoryName, signal: AbortSignal) => Promise<PickItem[]>): Promise<PickItem[]> {
  const { settings } = ctx.services;
  const registries = settings.registries.map(normaliseRegistry);
  const perRegistry = await Promise.all(
    registries.map(async (registry) => {
      const configured = settings.repositories.flatMap((entry) => {
        try {
          const ref = parseReference(entry);
          return ref.registry === registry ? [ref.repository] : [];
        } catch {
          return [];
        }
      });
      let listed: string[] = [];
      let problem: PickItem[] = [];
      try {
        listed = (await ctx.client.catalog(registry, { pageSize: Math.max(settings.pageSize, 100), signal })).items;
      } catch (e) {
        if (signal.aborted) throw e;
        // Registries without a catalog (Docker Hub) still offer their configured repositories.
        if (configured.length === 0) problem = [{ label: `$(info) ${registry}: ${isUserError(e) ? e.message : 'its repositories could not be listed'}`, alwaysShow: true, inert: true }];
      }
      const repos = [...new Set([...configured, ...listed])];
      return [
        ...problem,
        ...repos.map((repository): PickItem => ({
          label: `$(repo) ${registry}/${repository}`,
          value: `${registry}/${repository}:`,
          description: 'repository: choose to see its tags',
          expand: (s) => tags({ registry, repository }, s),
        })),
      ];
    }),
  );
  return perRegistry.flat();
}

/**
 * Tags of a repository, newest first, each with its digest and date, and how many of its layers
 * are the source's lower layers (what marks the current base). Only the first TAG_SAMPLE tags of
 * the list are read, through the memo (old-base discovery reads the same ones).
 */
export async function readTags(ctx: FlowContext, repo: RepositoryName, platform: PlatformSpec | undefined, source: ImageDocuments | undefined, signal: AbortSignal): Promise<TagRow[]> {
  const tags = (await ctx.memo.tags(ctx.client, repo, TAG_LIST_LIMIT, signal)).slice(0, TAG_SAMPLE);
  const exact = platform ? { ...platform, osVersionRule: 'exact' as const } : undefined;
  const rows = await mapLimit(tags, 6, async (tag): Promise<TagRow> => {
    const ref: ImageReference = { registry: repo.registry, repository: repo.repository, tag };
    const reference = `${repo.registry}/${repo.repository}:${tag}`;
    try {
      const top = await ctx.memo.manifest(ctx.client, repo, tag, signal);
      const multiPlatform = isIndexType(top.mediaType);
      if (multiPlatform && !exact) return { tag, reference, digest: top.digest, created: '', prefix: 0, multiPlatform };
      const m: FetchedManifest<ImageManifest> = multiPlatform ? await resolveManifest(ctx.client, ref, exact, signal, ctx.memo) : (top as FetchedManifest<ImageManifest>);
      const docs = await imageDocuments(ctx.client, ref, m, signal, ctx.memo);
      const prefix = source ? basePrefixLength(source.manifest.manifest, m.manifest) : 0;
      return { tag, reference, digest: top.digest, created: docs.config.created ?? '', prefix, multiPlatform };
    } catch (e) {
      if (signal.aborted) throw e;
      // Artifacts and images of other platforms are listed without details, never as bases.
      return { tag, reference, digest: '', created: '', prefix: 0, multiPlatform: false };
    }
  });
  // Images built together share a date: then 2 comes before 1, 10 before 9.
  return rows.sort((a, b) => b.created.localeCompare(a.created) || b.tag.localeCompare(a.tag, undefined, { numeric: true }));
}

/** The tag that is the source's current base: the longest prefix of its layers. */
export function currentBase(rows: TagRow[]): TagRow | undefined {
  return rows.reduce<TagRow | undefined>((best, r) => (r.prefix > (best?.prefix ?? 0) ? r : best), undefined);
}

export function tagItem(row: TagRow, mark?: string): PickItem {
  const when = row.created && row.created.slice(0, 16).replace('T', ' ');
  const parts = [mark, row.multiPlatform ? 'multi-platform' : undefined, row.digest && shortDigest(row.digest), when].filter(Boolean);
  return { label: row.reference, description: parts.join(' · ') };
}

/** Tag items of a repository, newest first, the current base of `source` marked. */
export async function tagItems(ctx: FlowContext, repo: RepositoryName, platform: PlatformSpec | undefined, source: ImageDocuments | undefined, signal: AbortSignal): Promise<PickItem[]> {
  const rows = await readTags(ctx, repo, platform, source, signal);
  const current = currentBase(rows);
  return rows.map((r) => tagItem(r, current && r.digest === current.digest ? '$(star-full) current base' : undefined));
}

/** The index an image reference names, when it names one (read through the memo). */
export async function indexOf(ctx: FlowContext, ref: ImageReference, signal: AbortSignal): Promise<FetchedManifest<ImageIndex> | undefined> {
  const m = await ctx.memo.manifest(ctx.client, { registry: ref.registry, repository: ref.repository }, ref.digest ?? ref.tag ?? 'latest', signal);
  return isIndexType(m.mediaType) ? (m as FetchedManifest<ImageIndex>) : undefined;
}
