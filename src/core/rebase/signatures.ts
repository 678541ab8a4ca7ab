import { isUserError } from '../errors';
import { RegistryClient, RepositoryName } from '../registry/client';

/**
 * Signatures, attestations and SBOMs made for the source image point at its digest; the rebased
 * image gets a new one, so they do not follow. Finds cosign-style tags (sha256-HEX.sig/.att/.sbom)
 * in the source repository. Best effort: a registry that will not list tags yields nothing.
 */
export async function findDetachedArtifacts(client: RegistryClient, repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<string[]> {
  const prefix = digest.replace(':', '-');
  try {
    const tags = await client.allTags(repo, 5000, signal);
    return tags.filter((t) => t.startsWith(prefix + '.'));
  } catch (e) {
    if (isUserError(e) && e.code === 'cancelled') throw e;
    return [];
  }
}

export function detachedArtifactsWarning(tags: string[]): string | undefined {
  if (!tags.length) return undefined;
  return `The source image has ${tags.length} signature/attestation artifact(s) (${tags.join(', ')}) that will not follow the new digest; sign or attest the rebased image again.`;
}
