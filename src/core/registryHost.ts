/** What a registry name says about the host behind it: where its API is served, and whether it is this machine. */
import { DEFAULT_REGISTRY, DOCKER_HUB_API_HOST } from './referenceDefaults';

/** The host that serves the registry's /v2/ API: Docker Hub's is registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry.toLowerCase() === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

/** True for localhost, 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopbackHost(registry: string): boolean {
  if (typeof registry !== 'string') return false;
  const value = registry.toLowerCase();
  let hostPart: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || !/^(?::[0-9]+)?$/.test(value.slice(close + 1))) return false;
    hostPart = value.slice(0, close + 1);
    try {
      return new URL(`http://${hostPart}/`).hostname === '[::1]';
    } catch {
      return false;
    }
  }
  const m = /^([^:]+)(?::[0-9]+)?$/.exec(value);
  if (!m) return false;
  hostPart = m[1];
  if (hostPart === 'localhost') return true;
  const v4 = /^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(hostPart);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}
