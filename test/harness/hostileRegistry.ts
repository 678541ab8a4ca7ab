import * as http from 'node:http';
import { listenLoopback } from './loopbackServer';
import { pipeline, Readable } from 'node:stream';

export interface HostileResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A stream factory is called once per request, so a huge body never has to exist in memory. */
  body?: string | Buffer | (() => NodeJS.ReadableStream);
}

export interface HostileRoute {
  /** Any method when omitted; a route for GET also answers HEAD (without the body). */
  method?: string;
  /** A string matches the path + query exactly; a RegExp is tested against it. */
  path: string | RegExp;
  respond: HostileResponse | ((req: http.IncomingMessage) => HostileResponse | Promise<HostileResponse>);
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface HostileRegistry {
  /** "127.0.0.1:PORT" */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  log: HostileRequest[];
  /** The newest route that matches wins, so a test can override an earlier one (or `/v2/`). */
  route(r: HostileRoute): void;
  /** Forgets routes and the log. */
  reset(): void;
  stop(): Promise<void>;
}

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

/** The distribution-spec error body. */
export function errorBody(code: string, message: string, detail?: unknown): string {
  return JSON.stringify({ errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] });
}

function routeMatches(r: HostileRoute, req: http.IncomingMessage): boolean {
  const method = r.method?.toUpperCase();
  if (method && method !== req.method && !(method === 'GET' && req.method === 'HEAD')) return false;
  const url = req.url ?? '';
  if (typeof r.path === 'string') return r.path === url;
  r.path.lastIndex = 0;
  return r.path.test(url);
}

// What a registry answers when the test has not said otherwise.
function defaultResponse(req: http.IncomingMessage): HostileResponse {
  if (req.url === '/v2/' || req.url === '/v2') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  }
  return {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: errorBody('NAME_UNKNOWN', 'repository name not known to registry', { path: req.url }),
  };
}

async function send(req: http.IncomingMessage, res: http.ServerResponse, answer: HostileResponse): Promise<void> {
  const headers: Record<string, string> = { ...API_VERSION, ...answer.headers };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  const body = answer.body ?? '';
  if (typeof body === 'function') {
    res.writeHead(answer.status ?? 200, headers);
    if (req.method === 'HEAD') return void res.end();
    // Without a Content-Length Node sends it chunked, which is the point of a stream here.
    const stream = body();
    const readable = stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<Buffer>);
    pipeline(readable, res, () => {});
    return;
  }
  if (!hasLength) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(answer.status ?? 200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A fake registry whose every answer is scripted by the test, for documents no real registry would store. */
export async function startHostileRegistry(): Promise<HostileRegistry> {
  let routes: HostileRoute[] = [];
  const log: HostileRequest[] = [];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    log.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    // Request bodies (uploads) are not looked at; reading them keeps the client from blocking.
    req.resume();
    const r = [...routes].reverse().find((x) => routeMatches(x, req));
    const answer = !r ? defaultResponse(req) : typeof r.respond === 'function' ? await r.respond(req) : r.respond;
    await send(req, res, answer);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`hostile registry: route failed: ${String(err)}`);
    });
  });
  const listening = await listenLoopback(server);

  return {
    host: listening.host,
    url: listening.url,
    log,
    route: (r) => void routes.push(r),
    reset() {
      routes = [];
      log.splice(0);
    },
    stop: () => listening.close(),
  };
}
