/**
 * When and how long to wait before sending a registry request again. Pure: the clock and the
 * random source are parameters, so the rules are unit-tested without waiting.
 *
 * Shaped after what mature clients do (see shared/notes/real-registries.md): retry network
 * errors and 408/429/5xx gateway statuses with exponential backoff and jitter, honour
 * `Retry-After` in both its forms up to a cap, and share a per-host "not before" time so that one
 * 429 slows every concurrent request to that registry instead of each discovering it alone.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (0 turns retrying off). */
  retries: number;
  /** First backoff; each later one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A request, retries included, gives up once this much time has passed. */
  budgetMs: number;
  /** The longest `Retry-After` waited for; a longer one fails at once and says when to come back. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 60_000,
  retryAfterCapMs: 60_000,
};

/** Statuses that say "not now" rather than "no": request timeout, rate limit, gateway trouble. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * `Retry-After` as milliseconds to wait from `now`: delta-seconds or an HTTP date. Undefined when
 * absent or unreadable; a date in the past means "now" (0), as containers/image treats it.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only an HTTP date (IMF-fixdate and its obsolete forms) may stand here; Date.parse accepts
  // much more, so insist on a weekday or month name before trusting it.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff for retry number `attempt` (1-based), with ±20 % jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return Math.max(0, Math.round(exp * jitter));
}

/**
 * Per-host wait state shared by every request to that host: a `Retry-After` pushes the host's
 * "not before" time forward, and it lapses by itself once passed.
 */
export class HostBackoff {
  private readonly notBefore = new Map<string, number>();
  private readonly closed = new Map<string, { until: number; message: string }>();

  /**
   * A host that asked for a wait past the cap: until then its requests fail at once with the
   * sentence it was refused with, instead of each meeting its own 429 and prolonging the limit.
   */
  closeUntil(host: string, until: number, message: string): void {
    const c = this.closed.get(host);
    if (!c || until > c.until) this.closed.set(host, { until, message });
  }

  /** The sentence a closed host was refused with, or undefined once it may be asked again. */
  closedMessage(host: string, now: number): string | undefined {
    const c = this.closed.get(host);
    if (c && c.until <= now) this.closed.delete(host);
    return c && c.until > now ? c.message : undefined;
  }

  /** Milliseconds to wait before the next request to `host` may go out. */
  waitFor(host: string, now: number): number {
    const t = this.notBefore.get(host);
    if (t === undefined) return 0;
    if (t <= now) {
      this.notBefore.delete(host);
      return 0;
    }
    return t - now;
  }

  /** Holds every request to `host` until `until` (never moves the time backwards). */
  holdUntil(host: string, until: number): void {
    const t = this.notBefore.get(host) ?? 0;
    if (until > t) this.notBefore.set(host, until);
  }
}

/** What the request loop should do after a failed attempt. */
export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; why: 'attempts' | 'budget' | 'retry-after-too-long'; retryAfterMs?: number };

export interface AttemptOutcome {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** HTTP status, or undefined for a network error or timeout. */
  status?: number;
  retryAfterMs?: number;
  /** When the request's first attempt started. */
  startedAt: number;
  now: number;
}

/** Decides whether a failed attempt is tried again, and after how long. */
export function decideRetry(policy: RetryPolicy, o: AttemptOutcome, random: () => number = Math.random): RetryDecision {
  if (o.retryAfterMs !== undefined && o.retryAfterMs > policy.retryAfterCapMs) {
    return { retry: false, why: 'retry-after-too-long', retryAfterMs: o.retryAfterMs };
  }
  if (o.attempt > policy.retries) return { retry: false, why: 'attempts' };
  const delayMs = o.retryAfterMs ?? backoffDelay(policy, o.attempt, random);
  if (o.now + delayMs - o.startedAt > policy.budgetMs) return { retry: false, why: 'budget' };
  const reason = o.status === undefined ? 'network error' : `HTTP ${o.status}`;
  return { retry: true, delayMs, reason };
}

/**
 * Docker Hub style `ratelimit-remaining: 12;w=21600` (and `ratelimit-limit`): the remaining count
 * and the window, for a warning when few pulls are left.
 */
export function parseRateLimit(remaining: string | null, limit: string | null): { remaining: number; limit?: number; windowS?: number } | undefined {
  const r = remaining ? /^\s*(\d+)(?:\s*;\s*w=(\d+))?/.exec(remaining) : null;
  if (!r) return undefined;
  const l = limit ? /^\s*(\d+)/.exec(limit) : null;
  return { remaining: Number(r[1]), limit: l ? Number(l[1]) : undefined, windowS: r[2] ? Number(r[2]) : undefined };
}

/** Low means under 10 % of the limit, or under 10 when the limit is unknown. */
export function isRateLimitLow(rl: { remaining: number; limit?: number }): boolean {
  return rl.limit ? rl.remaining < rl.limit * 0.1 : rl.remaining < 10;
}
