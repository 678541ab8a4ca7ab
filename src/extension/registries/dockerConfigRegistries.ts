import { promises as fs } from 'node:fs';
import { registryHostname } from '../../core/auth/registryKeys';

/** Registries the user has logged in to with Docker: offered when adding a registry. */
export async function dockerConfigRegistries(configFile: string): Promise<string[]> {
  try {
    const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as { auths?: Record<string, unknown>; credHelpers?: Record<string, string> };
    const keys = [...Object.keys(config.auths ?? {}), ...Object.keys(config.credHelpers ?? {})];
    return [...new Set(keys.map(registryHostname).map((h) => (h === 'index.docker.io' ? 'docker.io' : h)))];
  } catch {
    return []; // no Docker config, or one we cannot read: nothing to offer
  }
}
