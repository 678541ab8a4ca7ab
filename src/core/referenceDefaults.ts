/** The names Docker fills in when a reference leaves them out, and Docker Hub's other host names. */

export const DEFAULT_REGISTRY = 'docker.io';
/** The old name of Docker Hub's index; normalised to DEFAULT_REGISTRY. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** The host that actually serves Docker Hub's /v2/ API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
