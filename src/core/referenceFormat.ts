/** Image references written back out, fully qualified or as Docker shows them, and re-pointed at another tag or digest. */
import type { ImageReference } from './reference';
import { DEFAULT_REGISTRY, OFFICIAL_REPOSITORY_PREFIX } from './referenceDefaults';
import { validateDigest, validateTag } from './referenceTagAndDigest';

function suffix(ref: ImageReference): string {
  return (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Fully qualified: "docker.io/library/ubuntu:latest", "host:5000/repo:tag@sha256:...". */
export function formatReference(ref: ImageReference): string {
  return repositoryName(ref) + suffix(ref);
}

/** Registry and repository: "docker.io/library/ubuntu". */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The name as Docker shows it (FamiliarName): "ubuntu", "user/app", "ghcr.io/org/app". */
export function familiarName(ref: ImageReference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return repositoryName(ref);
  if (ref.repository.startsWith(OFFICIAL_REPOSITORY_PREFIX)) {
    const rest = ref.repository.slice(OFFICIAL_REPOSITORY_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.repository;
}

/** The reference as Docker shows it (FamiliarString): "ubuntu:latest", "user/app:1", "ghcr.io/org/app:1". */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + suffix(ref);
}

/** The same repository with `tag` (validated) and no digest. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  validateTag(tag);
  return { registry: ref.registry, repository: ref.repository, tag };
}

/** The same repository pinned to `digest` (validated), without a tag. */
export function withDigest(ref: ImageReference, digest: string): ImageReference {
  validateDigest(digest);
  return { registry: ref.registry, repository: ref.repository, digest };
}
