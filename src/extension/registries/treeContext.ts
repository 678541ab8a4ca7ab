/** The one dependency of the Registries view's nodes: what the tree provider offers them. */
import type { RegistryClient } from '../../core/registry/client';
import type { ImageCache } from './imageCache';
import type { RegistryNode } from './registryNode';

/** What nodes need from their surroundings; an interface so nodes stay free of wiring. */
export interface TreeContext {
  client(): RegistryClient;
  cache(): ImageCache;
  pageSize(): number;
  configuredRepositories(registry: string): string[];
  /** Where layer scans are cached (shared with the Rebase Preview). */
  packageCacheDir(): string;
  /** Readies the package engine (sql.js's WASM) before the first read. */
  preparePackages(): void;
  /** Aborted when the whole tree reloads: reads for rows that are gone stop. */
  packageSignal(): AbortSignal;
  /** A registry row's state changed (a catalog answer): redraw it, collapsed or not. */
  healthChanged(node: RegistryNode): void;
}
