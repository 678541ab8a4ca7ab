// Fills a test registry with thousands of repositories or tags in seconds, by writing the link
// files of Distribution's filesystem storage directly (the layout its path mapper uses), all
// pointing at one manifest that was pushed for real. Pushing each through the API would take
// minutes and test nothing more: the registry serves these exactly like pushed ones.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function v2(storageDir: string): string {
  return join(storageDir, 'docker', 'registry', 'v2');
}

async function put(path: string, content: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
}

/** Links `manifestDigest` (already in the registry's blob store) as `repo:tag`, with its blobs. */
export async function linkTag(storageDir: string, repo: string, tag: string, manifestDigest: string, blobDigests: string[]): Promise<void> {
  const hex = manifestDigest.slice('sha256:'.length);
  const manifests = join(v2(storageDir), 'repositories', repo, '_manifests');
  await put(join(manifests, 'revisions', 'sha256', hex, 'link'), manifestDigest);
  await put(join(manifests, 'tags', tag, 'current', 'link'), manifestDigest);
  await put(join(manifests, 'tags', tag, 'index', 'sha256', hex, 'link'), manifestDigest);
  for (const b of blobDigests) await put(join(v2(storageDir), 'repositories', repo, '_layers', 'sha256', b.slice(7), 'link'), b);
}

/** Runs `fn` over `items`, `limit` at a time (file writes; thousands at once would hit EMFILE). */
export async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(fn));
}
