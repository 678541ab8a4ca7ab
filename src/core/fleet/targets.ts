import { UserError, isUserError } from '../errors';
import { ImageReference, formatReference, grammar, parseReference } from '../reference';
import { RegistryClient, RepositoryName, display } from '../registry/client';
import { collectPages } from '../registry/paging';
import { mapLimit } from '../util/concurrency';
import { memoized } from '../util/memo';

/** What a scan TARGET names. */
export type ScanTarget =
  | { kind: 'registry'; registry: string }
  | { kind: 'namespace'; registry: string; prefix: string }
  | { kind: 'repository'; repo: RepositoryName }
  | { kind: 'image'; ref: ImageReference };

/** One tag (or digest) to read, or a repository that could not be listed. */
export type TagWork =
  | { repo: RepositoryName; reference: string; image: string; tag?: string }
  | { repo: RepositoryName; failure: string };

const CATALOG_LIMIT = 10_000;
const TAG_LIMIT = 10_000;

function usage(text: string, why: string): UserError {
  return new UserError('usage', `"${text}" is not a scan target: ${why}; give a registry (host:port), a namespace (host/team/), a repository or an image.`);
}

/** A name that can only be a registry: localhost, a dotted host or one with a port. */
function isRegistryName(s: string): boolean {
  return grammar.domainAndPort.test(s) && (s === 'localhost' || s.includes('.') || /:\d+$/.test(s) || s.startsWith('['));
}

/**
 * Reads a TARGET. A trailing slash marks a registry or namespace; a bare host is a registry (as
 * Docker reads a first element with a dot or port as a host, "ubuntu:22.04" stays an image).
 */
export function parseTarget(text: string): ScanTarget {
  const t = text.trim();
  if (t.endsWith('/')) {
    const body = t.slice(0, -1);
    const slash = body.indexOf('/');
    const registry = slash < 0 ? body : body.slice(0, slash);
    if (!isRegistryName(registry)) throw usage(text, `${registry || 'an empty name'} is not a registry host`);
    if (slash < 0) return { kind: 'registry', registry };
    const prefix = body.slice(slash + 1);
    if (!prefix.split('/').every((c) => grammar.pathComponent.test(c))) throw usage(text, `"${prefix}" is not a repository path`);
    return { kind: 'namespace', registry, prefix: `${prefix}/` };
  }
  if (!t.includes('/') && isRegistryName(t)) return { kind: 'registry', registry: t };
  let ref: ImageReference;
  try {
    ref = parseReference(t);
  } catch (e) {
    if (isUserError(e)) throw new UserError('usage', e.message);
    throw e;
  }
  if (ref.tag || ref.digest) return { kind: 'image', ref };
  return { kind: 'repository', repo: { registry: ref.registry, repository: ref.repository } };
}

/** `*` any run of characters, `?` one; everything else literal. */
export function tagGlob(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export interface ExpandOptions {
  tags?: string;
  maxTags?: number;
  concurrency: number;
  /** Repositories left out of registry and namespace targets (the bases themselves). */
  exclude?: (repo: RepositoryName) => boolean;
  signal?: AbortSignal;
  notice: (line: string) => void;
}

/**
 * Every tag the targets name, in catalog and tag-list order, each once. A registry's catalog is
 * read once however many namespaces of it are named.
 */
export async function expandTargets(client: RegistryClient, targets: ScanTarget[], o: ExpandOptions): Promise<TagWork[]> {
  const catalogs = new Map<string, Promise<string[]>>();
  const catalog = (registry: string) =>
    memoized(catalogs, registry, () => collectPages((cursor) => client.catalog(registry, { cursor, pageSize: cursor ? undefined : 1000, signal: o.signal }), CATALOG_LIMIT));
  const repos: RepositoryName[] = [];
  const images: TagWork[] = [];
  let excluded = 0;
  for (const t of targets) {
    if (t.kind === 'image') {
      const reference = t.ref.digest ?? t.ref.tag!;
      images.push({ repo: { registry: t.ref.registry, repository: t.ref.repository }, reference, image: formatReference(t.ref), tag: t.ref.digest ? undefined : t.ref.tag });
    } else if (t.kind === 'repository') {
      repos.push(t.repo);
    } else {
      const names = await catalog(t.registry);
      for (const repository of names) {
        if (t.kind === 'namespace' && !repository.startsWith(t.prefix)) continue;
        const repo = { registry: t.registry, repository };
        if (o.exclude?.(repo)) excluded++;
        else repos.push(repo);
      }
    }
  }
  if (excluded) o.notice(`${excluded} base ${excluded === 1 ? 'repository was' : 'repositories were'} left out of the scan (named with --base).`);
  const seen = new Set<string>();
  const unique = repos.filter((r) => !seen.has(display(r)) && seen.add(display(r)));
  const glob = o.tags ? tagGlob(o.tags) : undefined;
  const listed = await mapLimit(unique, o.concurrency, async (repo): Promise<TagWork[]> => {
    let tags: string[];
    try {
      // Without a glob, --max-tags bounds the listing itself: fewer pages on huge repositories.
      tags = await client.allTags(repo, glob || o.maxTags === undefined ? TAG_LIMIT : o.maxTags + 1, o.signal);
    } catch (e) {
      if (isUserError(e) && e.code !== 'cancelled') return [{ repo, failure: e.message }];
      throw e;
    }
    const matching = glob ? tags.filter((tag) => glob.test(tag)) : tags;
    const kept = o.maxTags !== undefined ? matching.slice(0, o.maxTags) : matching;
    if (kept.length < matching.length) o.notice(`${display(repo)}: only the first ${kept.length} ${glob ? 'matching ' : ''}tags were scanned (--max-tags).`);
    return kept.map((tag) => ({ repo, reference: tag, tag, image: `${display(repo)}:${tag}` }));
  });
  const all = [...images, ...listed.flat()];
  const once = new Set<string>();
  return all.filter((w) => {
    const id = 'failure' in w ? `${display(w.repo)}!` : `${display(w.repo)}@${w.reference}`;
    return !once.has(id) && once.add(id);
  });
}
