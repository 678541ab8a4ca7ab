/** What a RegistryClient can be given: credentials, plain-HTTP registries, logging, stats, retry and timeout settings. */
import type { CredentialStore } from '../auth/credentials';
import type { RetryPolicy } from './retryPolicy';
import type { RequestStats } from './stats';
import type { Timeouts } from './transport';

export interface RegistryClientOptions {
  credentials?: CredentialStore;
  /** Non-loopback registries that speak plain HTTP (loopback ones always do, as with Docker). */
  insecureRegistries?: string[];
  /** Every request (-v, the output channel at debug level). */
  log?: (line: string) => void;
  /** Retries and rate-limit warnings, which a user sees without -v. Defaults to `log`. */
  notice?: (line: string) => void;
  stats?: RequestStats;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<Timeouts>;
  /**
   * Told the size of every chunk of a layer streamed through this process. A shell that owns its
   * process (the CLI) uses it to keep peak memory flat during gigabyte copies.
   */
  onLayerChunk?: (bytes: number) => void;
}
