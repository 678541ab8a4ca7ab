/**
 * The in-memory cache of Bearer tokens, per registry and scope set, that lets one token serve
 * every request whose scopes it covers until shortly before it expires.
 */
import { Scope, ScopeSet, formatScopes, parseScopes, scopesCover } from './scopes';

interface TokenEntry {
  token: string;
  scopes: ScopeSet;
  key: string;
  expiresAt: number;
}

const MAX_ENTRIES_PER_REGISTRY = 100;

/**
 * Bearer tokens per registry, each remembered with the scope set it was requested for. A token
 * is reused for any request whose scopes it covers, until shortly before it expires.
 */
export class TokenCache {
  private readonly byRegistry = new Map<string, TokenEntry[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A live token covering all of `scopes` (an exact scope-set match preferred), if any. */
  get(registry: string, scopes: Iterable<Scope>): string | undefined {
    const entries = this.live(registry);
    const wanted = parseScopes(scopes);
    const key = formatScopes(wanted).join(' ');
    const exact = entries.find((e) => e.key === key);
    if (exact) return exact.token;
    return entries.find((e) => scopesCover(e.scopes, wanted))?.token;
  }

  /** Remembers `token` for `scopes` until `expiresAt` (ms since the epoch). */
  set(registry: string, scopes: Iterable<Scope>, token: string, expiresAt: number): void {
    const set = parseScopes(scopes);
    const key = formatScopes(set).join(' ');
    const entries = this.live(registry).filter((e) => e.key !== key);
    entries.push({ token, scopes: set, key, expiresAt });
    while (entries.length > MAX_ENTRIES_PER_REGISTRY) entries.shift();
    this.byRegistry.set(registry, entries);
  }

  /** Drops the tokens that would be used for `scopes` (all of the registry's when none given). */
  invalidate(registry: string, scopes?: Iterable<Scope>): void {
    const wanted = scopes ? parseScopes(scopes) : new Map();
    if (wanted.size === 0) {
      this.byRegistry.delete(registry);
      return;
    }
    const keep = this.live(registry).filter((e) => !scopesCover(e.scopes, wanted));
    this.byRegistry.set(registry, keep);
  }

  clear(): void {
    this.byRegistry.clear();
  }

  private live(registry: string): TokenEntry[] {
    const now = this.now();
    const entries = (this.byRegistry.get(registry) ?? []).filter((e) => e.expiresAt > now);
    if (entries.length) this.byRegistry.set(registry, entries);
    else this.byRegistry.delete(registry);
    return entries;
  }
}
