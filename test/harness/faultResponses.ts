/**
 * How the fault proxy shapes what the client receives: the registry's answer relayed whole, cut
 * short with an RST or a FIN, trickled, or replaced by an answer of the proxy's own.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';

/** How long an RST waits after the last bytes left, so a client that reads does receive them. */
const RST_GRACE_MS = 30;

/** One client request in flight; `entry` is its log line, where the status sent is recorded. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  socket: Socket;
  entry: { status?: number };
  /** setTimeout that stop() clears. */
  later(fn: () => void, ms: number): void;
}

/** An RST rather than a FIN: what a client sees when a connection is lost, not closed. */
export function reset(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

/** Sends the registry's status line and headers on; connection-level ones describe the upstream hop. */
function relayHead(ex: Exchange, upRes: http.IncomingMessage): void {
  const headers: http.OutgoingHttpHeaders = { ...upRes.headers };
  delete headers.connection;
  delete headers['keep-alive'];
  ex.entry.status = upRes.statusCode;
  ex.res.writeHead(upRes.statusCode ?? 502, headers);
}

export function passThrough(ex: Exchange, upRes: http.IncomingMessage): void {
  relayHead(ex, upRes);
  pipeline(upRes, ex.res, () => {});
}

/** Relays the first `afterBytes` of the body, then cuts the connection with an RST or a FIN. */
export function cutBody(ex: Exchange, upRes: http.IncomingMessage, afterBytes: number | undefined, how: 'rst' | 'fin'): void {
  relayHead(ex, upRes);
  const length = Number(upRes.headers['content-length']);
  let limit = afterBytes ?? (Number.isFinite(length) ? Math.max(1, Math.floor(length / 2)) : undefined);
  let sent = 0;
  let done = false;
  const cut = (): void => {
    if (done) return;
    done = true;
    upRes.destroy();
    ex.res.flushHeaders();
    // The response corks the socket until the next tick; once its buffer is empty the bytes are
    // with the kernel. A FIN queues behind them; an RST discards what the kernel has not yet
    // delivered, so it waits a moment for a reading client to take the bytes.
    const kill = (): void => void (how === 'rst' ? ex.later(() => reset(ex.socket), RST_GRACE_MS) : ex.socket.end());
    setImmediate(() => (ex.socket.writableLength === 0 ? kill() : ex.socket.once('drain', kill)));
  };
  upRes.on('error', cut);
  upRes.on('end', cut);
  if (limit === 0) return cut();
  upRes.on('data', (chunk: Buffer) => {
    if (done) return;
    // Without a Content-Length, "half" can only mean half of what arrives first.
    limit ??= Math.max(1, Math.floor(chunk.length / 2));
    const part = chunk.subarray(0, limit - sent);
    sent += part.length;
    if (part.length > 0) ex.res.write(part);
    if (sent >= limit) cut();
  });
}

/** The answer one byte per interval, holding one chunk at a time: backpressure keeps the registry waiting. */
export function trickle(ex: Exchange, upRes: http.IncomingMessage, intervalMs: number): void {
  relayHead(ex, upRes);
  ex.res.flushHeaders();
  let ended = false;
  let pending: Buffer | undefined;
  const drip = (): void => {
    if (ex.socket.destroyed) return;
    if (!pending || pending.length === 0) {
      pending = undefined;
      return void (ended ? ex.res.end() : upRes.resume());
    }
    ex.res.write(pending.subarray(0, 1));
    pending = pending.subarray(1);
    ex.later(drip, intervalMs);
  };
  upRes.on('data', (chunk: Buffer) => {
    upRes.pause();
    pending = chunk;
    ex.later(drip, intervalMs);
  });
  upRes.on('end', () => {
    ended = true;
    if (!pending) ex.res.end();
  });
  upRes.on('error', () => ex.socket.destroy());
  ex.res.on('close', () => upRes.destroy());
}

export function answer(ex: Exchange, status: number, headers: Record<string, string>, body?: string): void {
  ex.req.resume();
  ex.entry.status = status;
  ex.res.writeHead(status, headers);
  ex.res.end(body);
}
