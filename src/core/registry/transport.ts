/**
 * One HTTP exchange with a registry (or a token service, or a storage host it redirects to), on
 * Node's http/https, which VS Code patches for its `http.proxy` setting. No redirects are
 * followed and nothing is decompressed here: the caller decides where a request may go and what
 * it reads. What this layer guarantees:
 * - a connect timeout, and an idle timeout (no byte either way for N ms) on every exchange;
 * - a body that ends short of its Content-Length, or is cut mid-chunk, is an error, never an end;
 * - a request body stream that fails aborts the request (an upload never outlives its source);
 * - whole-body reads are bounded.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough, Readable } from 'node:stream';

// An index rebase pushes up to 8 images at once with 8 blob requests each: 64 connections per
// registry keep them all in flight (requests are small; the round trips are what cost).
const keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 64 });
const keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 64 });

/** Bytes that must move in each idle window for a connection to count as alive. */
const MIN_PROGRESS = 1024;

export interface Timeouts {
  connectMs: number;
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, idleMs: 30_000 };

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
  timeouts: Timeouts;
}

export type TransportFailure = 'connect-timeout' | 'idle-timeout' | 'network' | 'truncated' | 'too-large' | 'aborted';

/** A failed exchange. `mayHaveArrived`: the whole request was sent, so the server may have acted on it. */
export class TransportError extends Error {
  constructor(
    readonly failure: TransportFailure,
    message: string,
    readonly mayHaveArrived: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export function isTransportError(e: unknown): e is TransportError {
  return e instanceof TransportError;
}

export interface ExchangeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  header(name: string): string | null;
  /** The body, guarded: it errors (TransportError) on truncation, idle timeout or abort. */
  body: Readable;
  /** Content-Length, when the server gave one. */
  length?: number;
  /** The whole body, or a 'too-large' TransportError past `limit` bytes (the rest is not read). */
  read(limit: number): Promise<Buffer>;
  /** Throws the body away without reading it (the connection is dropped if much is left). */
  discard(): void;
}

/** Sends one request and resolves when the response headers arrive. */
export function exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise<ExchangeResponse>((resolve, reject) => {
    const { url, signal, timeouts } = req;
    if (signal?.aborted) return reject(new TransportError('aborted', 'cancelled', false));
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? keepAliveHttps : keepAliveHttp;
    const headers = { 'Accept-Encoding': 'identity', ...req.headers };
    const cr = mod.request(url, { method: req.method, headers, agent });
    let sent = false;
    let settled = false;
    let finished = false;
    let body: PassThrough | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;

    const fail = (err: TransportError): void => {
      if (finished) return;
      finished = true;
      clearTimeout(connectTimer);
      clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
      if (!settled) {
        settled = true;
        reject(err);
      } else if (body && !body.destroyed) {
        // An unread body nobody listens to is dropped quietly, not thrown at the process.
        if (body.listenerCount('error') > 0) body.destroy(err);
        else body.destroy();
      }
      cr.destroy();
      if (req.body && !Buffer.isBuffer(req.body)) {
        req.body.unpipe(cr);
        req.body.destroy();
      }
    };
    const onAbort = (): void => fail(new TransportError('aborted', 'cancelled', sent));
    signal?.addEventListener('abort', onAbort, { once: true });

    // Idle: less than MIN_PROGRESS bytes received or sent in a whole idleMs window. A server
    // that trickles a byte a second is as stuck as a silent one. A reader that holds the body
    // back (a slow upload on the other end of a copy) is not idleness of this connection.
    let moved = 0;
    const armIdle = (): void => {
      if (finished || idleTimer) return;
      moved = 0;
      idleTimer = setTimeout(() => {
        idleTimer = undefined;
        if (finished) return;
        const heldBack = body !== undefined && body.readableLength >= body.readableHighWaterMark;
        if (moved >= MIN_PROGRESS || heldBack) return armIdle();
        fail(new TransportError('idle-timeout', `less than ${MIN_PROGRESS} bytes in ${timeouts.idleMs} ms`, sent));
      }, timeouts.idleMs);
    };
    const progress = (n: number): void => {
      armIdle();
      moved += n;
    };
    // The request going out and the answer's headers arriving start a fresh window: the next
    // one must bring body bytes (or the whole answer) on its own.
    const restartIdle = (): void => {
      clearTimeout(idleTimer);
      idleTimer = undefined;
      armIdle();
    };

    cr.on('socket', (socket) => {
      const connecting = (socket as { connecting?: boolean }).connecting;
      if (!connecting) return armIdle();
      connectTimer = setTimeout(() => fail(new TransportError('connect-timeout', `no connection within ${timeouts.connectMs} ms`, false)), timeouts.connectMs);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        armIdle();
      });
    });
    cr.on('finish', () => {
      sent = true;
      restartIdle();
    });
    cr.on('error', (e: NodeJS.ErrnoException) => fail(new TransportError('network', e.message, sent, e.code)));

    cr.on('response', (res) => {
      restartIdle();
      const lengthHeader = res.headers['content-length'];
      // A HEAD answer, 204 and 304 announce a length they never send.
      const bodyless = req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      const length = !bodyless && lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
      let received = 0;
      body = new PassThrough();
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        progress(chunk.length);
      });
      res.on('end', () => {
        if (!res.complete || (length !== undefined && received !== length)) {
          return fail(new TransportError('truncated', `the body ended after ${received} of ${length ?? '?'} bytes`, true));
        }
        finished = true;
        clearTimeout(idleTimer);
        signal?.removeEventListener('abort', onAbort);
      });
      res.on('close', () => {
        if (!res.complete) fail(new TransportError('truncated', `the connection closed after ${received}${length !== undefined ? ` of ${length}` : ''} bytes of the body`, true));
      });
      res.on('error', (e: NodeJS.ErrnoException) => fail(new TransportError('truncated', e.message, true, e.code)));
      // A reader that stops early (a failed upload on the other side of a copy) must not leave
      // this connection half-read in the pool.
      body.on('close', () => fail(new TransportError('aborted', 'the reader stopped', true)));
      res.pipe(body);
      settled = true;
      const out = body;
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        header: (name) => headerValue(res.headers, name),
        body: out,
        length,
        read: (limit) => readLimited(out, limit, length, () => fail(new TransportError('too-large', `the body is larger than ${limit} bytes`, true))),
        discard: () => {
          // A short remainder is read off so the connection can be reused; otherwise drop it.
          if (length !== undefined && length - received <= 64 * 1024) out.resume();
          else fail(new TransportError('aborted', 'discarded', true));
          out.on('error', () => undefined);
        },
      });
    });

    if (!req.body) cr.end();
    else if (Buffer.isBuffer(req.body)) cr.end(req.body);
    else {
      const src = req.body;
      src.on('error', (e: Error) => fail(new TransportError('network', `the data to upload failed: ${e.message}`, false)));
      src.on('data', (chunk: Buffer) => progress(chunk.length));
      src.pipe(cr);
    }
  });
}

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | null {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

async function readLimited(body: Readable, limit: number, length: number | undefined, tooLarge: () => void): Promise<Buffer> {
  if (length !== undefined && length > limit) {
    body.on('error', () => undefined); // nobody reads it: its teardown error goes nowhere
    tooLarge();
    throw new TransportError('too-large', `the body is ${length} bytes, over the limit of ${limit}`, true);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      body.on('error', () => undefined);
      tooLarge();
      throw new TransportError('too-large', `the body is over the limit of ${limit} bytes`, true);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
