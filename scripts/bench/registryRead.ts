/** Reads straight from a registry (never through the client under test or a fault proxy). */
import { MANIFEST_ACCEPT, sha256, type ImageManifest } from '../../test/harness/rawRegistry';

/** What `repo:tag` holds now: undefined when the tag does not exist (404); other failures throw. */
export async function readTag(host: string, repo: string, tag: string): Promise<{ digest: string; json: ImageManifest } | undefined> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { Accept: MANIFEST_ACCEPT } });
  const body = await res.text();
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET manifest ${repo}:${tag} → ${res.status}: ${body.slice(0, 200)}`);
  return { digest: sha256(body), json: JSON.parse(body) as ImageManifest };
}

/** The size the registry reports for a blob of `repo`, or undefined when it does not hold it. */
export async function blobSize(host: string, repo: string, digest: string): Promise<number | undefined> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await res.arrayBuffer();
  return res.ok ? Number(res.headers.get('content-length')) : undefined;
}
