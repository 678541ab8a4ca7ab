/**
 * The request loop every registry, token-service and storage-host request goes through: retries
 * with backoff (per host, honouring Retry-After), redirects followed here so credentials never
 * leave their origin, bounded body reads inside the attempt (so a truncated body is retried too),
 * and one-sentence errors for whatever finally goes wrong.
 */
import { Readable } from 'node:stream';
import { UserError, cancelledError } from '../errors';
import { oneLine } from '../../shared/sanitize';
import { SIZE_LIMITS, LimitedKind, formatLimit } from './limits';
import { checkFollow } from './origin';
import { HostBackoff, RetryPolicy, decideRetry, isRateLimitLow, isRetryableStatus, parseRateLimit, parseRetryAfter } from './retryPolicy';
import { RequestKind, RequestStats } from './stats';
import { ExchangeResponse, Timeouts, TransportError, exchange, isTransportError } from './transport';
import { registryErrorSummary, unreachableError } from './registryErrors';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export interface SendRequest {
  /** Who is being talked to, for messages: "registry 127.0.0.1:5000", "the token service for …". */
  peer: string;
  url: URL;
  method: string;
  kind: RequestKind;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Sent only while the request stays on `credentialOrigin`. */
  authorization?: string;
  credentialOrigin: string;
  signal?: AbortSignal;
  /** Read the whole body within the attempt, bounded by this kind's limit. */
  read?: LimitedKind;
  /** Safe to send again. Streamed bodies never are. */
  idempotent: boolean;
  /** Statuses handed back to the caller instead of being retried or treated as errors. */
  accept?: number[];
}

export interface Sent {
  res: ExchangeResponse;
  /** Where the final answer came from (after redirects). */
  url: URL;
  /** The body, when `read` was asked for. */
  bytes?: Buffer;
  attempts: number;
}

export interface RegistryHttpOptions {
  stats: RequestStats;
  policy: RetryPolicy;
  timeouts: Timeouts;
  userAgent: string;
  /** Every request, for -v and the output channel. */
  log: (line: string) => void;
  /** Things a user should see even without -v: retries, rate limits running low. */
  notice: (line: string) => void;
  now?: () => number;
  random?: () => number;
}

export class RegistryHttp {
  private readonly hosts = new HostBackoff();
  private readonly warned = new Set<string>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: RegistryHttpOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  get timeouts(): Timeouts {
    return this.o.timeouts;
  }

  /** One logical request: attempts, waits and redirects until an answer or a final error. */
  async send(r: SendRequest): Promise<Sent> {
    const startedAt = this.now();
    const replayable = !r.body || Buffer.isBuffer(r.body);
    const retries = r.idempotent && replayable;
    for (let attempt = 1; ; attempt++) {
      const closed = this.hosts.closedMessage(r.url.host, this.now());
      if (closed) throw new UserError('unreachable', closed, 'rate-limited');
      await this.waitForHost(r.url.host, r.signal);
      let sent: Sent;
      try {
        sent = await this.follow(r, attempt);
        if (r.read && !isRetryableStatus(sent.res.status) && sent.res.status < 300) sent.bytes = await this.readBody(r, sent);
      } catch (e) {
        if (!isTransportError(e)) throw e;
        if (e.failure === 'aborted' || r.signal?.aborted) throw cancelledError();
        if (e.failure === 'too-large') throw this.tooLarge(r);
        const d = retries ? decideRetry(this.o.policy, { attempt, startedAt, now: this.now() }, this.random) : undefined;
        if (d?.retry) {
          await this.pause(r, attempt, d.delayMs, transportReason(e));
          continue;
        }
        throw this.transportFailure(r, e, attempt);
      }
      const { res } = sent;
      if (sent.url.origin === r.credentialOrigin) this.checkRateLimit(r.peer, res);
      if (!isRetryableStatus(res.status) || r.accept?.includes(res.status)) return sent;
      const retryAfterMs = parseRetryAfter(res.header('retry-after'), this.now());
      if (retryAfterMs !== undefined && retryAfterMs <= this.o.policy.retryAfterCapMs) this.hosts.holdUntil(r.url.host, this.now() + retryAfterMs);
      const d = retries ? decideRetry(this.o.policy, { attempt, startedAt, now: this.now(), status: res.status, retryAfterMs }, this.random) : undefined;
      if (d?.retry) {
        res.discard();
        await this.pause(r, attempt, d.delayMs, `HTTP ${res.status}`);
        continue;
      }
      if (d && d.why === 'retry-after-too-long') {
        const text = await readErrorText(res);
        const until = this.now() + d.retryAfterMs!;
        const message = `${cap(r.peer)} asks to wait ${humanDuration(d.retryAfterMs!)} before it accepts more requests (HTTP ${res.status}${text ? `: ${registryErrorSummary(text)}` : ''}); try again after ${new Date(until).toISOString()}.`;
        this.hosts.closeUntil(r.url.host, until, message);
        throw new UserError('unreachable', message, 'rate-limited');
      }
      return { ...sent, attempts: attempt };
    }
  }

  /** Sends, following redirects itself: credentials only on their origin, never https → http. */
  private async follow(r: SendRequest, attempt: number): Promise<Sent> {
    let url = r.url;
    let method = r.method;
    let body = r.body;
    let headers: Record<string, string> = { 'User-Agent': this.o.userAgent, ...r.headers };
    for (let hop = 0; ; hop++) {
      const own = url.origin === r.credentialOrigin;
      const h: Record<string, string> = { ...headers };
      if (r.authorization && own) h.Authorization = r.authorization;
      this.o.stats.count(r.kind);
      const prefix = r.kind === 'token' ? 'auth: ' : '';
      this.o.log(`${prefix}${method} ${url.origin}${redactUrl(url)}${own ? '' : ' (other origin: sent without credentials)'}${attempt > 1 && hop === 0 ? ` (attempt ${attempt})` : ''}`);
      const res = await exchange({ url, method, headers: h, body, signal: r.signal, timeouts: this.o.timeouts });
      if (!REDIRECTS.has(res.status) || r.accept?.includes(res.status)) return { res, url, attempts: attempt };
      const location = res.header('location');
      res.discard();
      if (!location) throw new UserError('registry', `${cap(r.peer)} answered ${method} ${redactUrl(url)} with a redirect (HTTP ${res.status}) but no Location; it does not follow the HTTP rules.`);
      if (hop + 1 >= MAX_REDIRECTS) throw new UserError('registry', `${cap(r.peer)} redirected ${method} ${redactUrl(r.url)} more than ${MAX_REDIRECTS} times; check the registry's configuration.`);
      const next = checkFollow(url, location);
      if (!next.ok) {
        throw new UserError('registry', `${cap(r.peer)} redirected ${method} ${redactUrl(url)} to ${oneLine(location, 120)}, which is not followed because ${next.why}.`);
      }
      if (res.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
        headers = withoutBodyHeaders(headers);
      } else if (body && !Buffer.isBuffer(body)) {
        throw new UserError('registry', `${cap(r.peer)} redirected an upload (${method} ${redactUrl(url)}), which cannot be replayed; try again.`);
      }
      url = next.url;
    }
  }

  private async readBody(r: SendRequest, sent: Sent): Promise<Buffer> {
    const bytes = await sent.res.read(SIZE_LIMITS[r.read!]);
    this.o.stats.bytesReceived += bytes.length;
    return bytes;
  }

  private tooLarge(r: SendRequest): UserError {
    return new UserError(
      'unsupported',
      `${cap(r.peer)} answered ${r.method} ${redactUrl(r.url)} with more than ${formatLimit(SIZE_LIMITS[r.read ?? 'errorBody'])}, the limit for ${LIMIT_NAMES[r.read ?? 'errorBody']}; it is not a valid answer, so nothing was written.`,
    );
  }

  private async waitForHost(host: string, signal?: AbortSignal): Promise<void> {
    const ms = this.hosts.waitFor(host, this.now());
    if (ms > 0) await sleep(ms, signal);
  }

  private async pause(r: SendRequest, attempt: number, delayMs: number, reason: string): Promise<void> {
    this.o.stats.retries++;
    this.o.notice(
      `${cap(r.peer)}: ${r.method} ${redactUrl(r.url)} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.o.policy.retries + 1}).`,
    );
    await sleep(delayMs, r.signal);
  }

  private checkRateLimit(peer: string, res: ExchangeResponse): void {
    const rl = parseRateLimit(res.header('ratelimit-remaining'), res.header('ratelimit-limit'));
    if (!rl || !isRateLimitLow(rl) || this.warned.has(peer)) return;
    this.warned.add(peer);
    const window = rl.windowS ? ` (counted over ${humanDuration(rl.windowS * 1000)})` : '';
    this.o.notice(`Warning: ${peer} allows only ${rl.remaining}${rl.limit ? ` of ${rl.limit}` : ''} more pulls${window}; further requests may be refused with HTTP 429.`);
  }

  private transportFailure(r: SendRequest, e: TransportError, attempts: number): UserError {
    const tries = attempts > 1 ? ` (tried ${attempts} times)` : '';
    const what = `${r.method} ${redactUrl(r.url)}`;
    const t = this.o.timeouts;
    switch (e.failure) {
      case 'connect-timeout':
        return new UserError('unreachable', `${cap(r.peer)} did not accept a connection within ${seconds(t.connectMs)}${tries}; check that it is running and that the address is right.`, 'connect-timeout');
      case 'idle-timeout':
        return new UserError('unreachable', `${cap(r.peer)} sent nothing for ${seconds(t.idleMs)} while answering ${what}${tries}; it may be overloaded, so try again later or allow a longer timeout.`, 'idle-timeout');
      case 'truncated':
        return new UserError('unreachable', `${cap(r.peer)} broke off its answer to ${what} (${e.message})${tries}; try again.`, 'truncated');
      default:
        return unreachableError(r.peer, { code: e.code, message: e.message }, attempts);
    }
  }
}

const LIMIT_NAMES: Record<LimitedKind, string> = {
  manifest: 'a manifest',
  config: 'an image config',
  token: 'a token answer',
  listPage: 'a page of names',
  errorBody: 'an error answer',
};

/** The start of an error body (enough for a one-line summary); the rest is never read. */
export async function readErrorText(res: ExchangeResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= SIZE_LIMITS.errorBody) break;
    }
  } catch {
    // A broken error body still leaves the status to report.
  }
  res.discard();
  return Buffer.concat(chunks).subarray(0, SIZE_LIMITS.errorBody).toString('utf8');
}

function transportReason(e: TransportError): string {
  switch (e.failure) {
    case 'connect-timeout':
      return 'no connection';
    case 'idle-timeout':
      return 'no answer';
    case 'truncated':
      return 'answer cut off';
    default:
      return e.code ?? 'network error';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function withoutBodyHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!/^content-(type|length)$/i.test(k)) out[k] = v;
  return out;
}

/** Upload URLs carry session state (and some registries put signed tokens there): keep logs clean. */
export function redactUrl(url: URL | string): string {
  const u = typeof url === 'string' ? url : url.pathname + url.search;
  const path = u.replace(/\?.*$/, (q) => (/_state=|signature|token|X-Amz-|sig=/i.test(q) ? '?…' : q));
  return oneLine(path, 200);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} second${s === 1 ? '' : 's'}`;
}

export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} seconds`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  return `${Math.round(s / 3600)} hours`;
}
