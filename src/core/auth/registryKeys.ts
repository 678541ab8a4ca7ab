/**
 * How a registry name is matched to Docker's names for it: config.json keys (with or without
 * scheme and path, and Docker Hub's many aliases) and the server URL a credential helper expects.
 */

/** The key Docker uses for Docker Hub in config.json and with credential helpers. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];

/** True for the names Docker Hub goes by. */
export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.includes(registryHostname(registry));
}

/**
 * Reduces a config.json key or a registry name to a lower-cased host[:port], like Docker's
 * `ConvertToHostname`: drops "http://" / "https://" and everything from the first "/".
 */
export function registryHostname(key: string): string {
  let k = key.trim();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

/**
 * The config.json keys that may hold credentials for `registry`, best first. For Docker Hub these
 * are Docker's own key and the usual aliases; for other registries, the host itself.
 */
function candidateKeys(registry: string): string[] {
  if (isDockerHub(registry)) {
    return [DOCKER_HUB_CONFIG_KEY, 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [registryHostname(registry)];
}

/**
 * Finds the entry of `map` for `registry`: an exact match of a preferred key first, then any key
 * that reduces to the same host (with or without scheme and path), then for Docker Hub any alias.
 */
export function lookupRegistryKey<T>(map: Record<string, T> | undefined, registry: string): { key: string; value: T } | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const keys = Object.keys(map);
  const candidates = candidateKeys(registry);
  for (const c of candidates) {
    if (Object.prototype.hasOwnProperty.call(map, c)) return { key: c, value: map[c] };
  }
  const hosts = new Set(candidates.map(registryHostname));
  for (const c of candidates) {
    for (const k of keys) {
      if (registryHostname(k) === registryHostname(c)) return { key: k, value: map[k] };
    }
  }
  for (const k of keys) {
    if (hosts.has(registryHostname(k))) return { key: k, value: map[k] };
  }
  return undefined;
}

/** The server URL a credential helper is asked about: Docker's Hub key, or the host. */
export function helperServerUrl(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_CONFIG_KEY : registryHostname(registry);
}
