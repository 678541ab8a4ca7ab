/**
 * Registry credentials: what they are, the store interface every source implements (Docker's
 * config.json in ./dockerConfigStore, stores the shells add such as VS Code SecretStorage), and
 * the simple stores that hold them in memory or chain other stores.
 *
 * Nothing in here logs or puts a secret into an error message.
 */
import { lookupRegistryKey } from './registryKeys';

export interface Credentials {
  username?: string;
  password?: string;
  /** Identity (refresh) token, exchanged at the token endpoint with an OAuth2 refresh_token grant. */
  identityToken?: string;
  /** A ready bearer token, sent to the registry as is. */
  registryToken?: string;
}

export interface CredentialStore {
  /** `registry` is the normalised domain, e.g. "docker.io", "ghcr.io", "127.0.0.1:5000". */
  get(registry: string): Promise<Credentials | undefined>;
}

/** True when `c` holds anything to sign in with. */
export function hasAnyCredentials(c: Credentials): boolean {
  return !!(c.username || c.password || c.identityToken || c.registryToken);
}

/** The Authorization header value for Basic authentication. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export class StaticCredentialStore implements CredentialStore {
  private readonly map: Record<string, Credentials>;
  constructor(map: Record<string, Credentials>) {
    this.map = { ...map };
  }
  async get(registry: string): Promise<Credentials | undefined> {
    const hit = lookupRegistryKey(this.map, registry);
    return hit ? { ...hit.value } : undefined;
  }
}

/** Asks each store in turn; the first one that has credentials wins. */
export class ChainedCredentialStore implements CredentialStore {
  private readonly stores: CredentialStore[];
  constructor(stores: CredentialStore[]) {
    this.stores = [...stores];
  }
  async get(registry: string): Promise<Credentials | undefined> {
    for (const store of this.stores) {
      const c = await store.get(registry);
      if (c && hasAnyCredentials(c)) return c;
    }
    return undefined;
  }
}
