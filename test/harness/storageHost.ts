import * as http from 'node:http';
import { listenLoopback } from './loopbackServer';

export interface StorageRequest {
  method: string;
  /** Path + query. */
  path: string;
  /** The Authorization header it carried, if any: the thing that must never arrive here. */
  authorization?: string;
  /** Request body bytes received (uploads). */
  bodyBytes: number;
}

export interface StorageHost {
  /** "127.0.0.1:PORT", another origin than any registry of the test. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  log: StorageRequest[];
  /** What a GET answers (any path but a tags/catalog one). */
  setBlob(body: string | Buffer | undefined): void;
  /** What GET …/tags/list and …/_catalog answer, as a `Link` target on another host would. */
  setPage(page: unknown): void;
  stop(): Promise<void>;
}

// S3's own wording, so a client that reports it shows what a user would see.
const ONLY_ONE_AUTH =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; ' +
  'only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>';

function reply(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

/**
 * Stands in for where a registry sends clients elsewhere: a presigned blob URL (S3 behind ECR and
 * Quay), an upload Location or a pagination Link on another origin. It records who came with
 * credentials and, like S3, refuses them.
 */
export async function startStorageHost(opts: { blob?: string | Buffer; page?: unknown } = {}): Promise<StorageHost> {
  const log: StorageRequest[] = [];
  let blob = opts.blob;
  let page = opts.page;

  const respond = (req: http.IncomingMessage, res: http.ServerResponse, entry: StorageRequest): void => {
    const head = req.method === 'HEAD';
    if (entry.authorization !== undefined) return reply(res, 400, { 'content-type': 'application/xml' }, ONLY_ONE_AUTH, head);
    const path = entry.path.split('?')[0];
    switch (req.method) {
      case 'PUT':
        return reply(res, 201, { location: entry.path }, '', false);
      case 'POST':
      case 'PATCH':
        return reply(res, 202, { location: entry.path, range: `0-${Math.max(0, entry.bodyBytes - 1)}` }, '', false);
      case 'GET':
      case 'HEAD':
        if (/\/tags\/list$|\/_catalog$/.test(path)) {
          const fallback = path.endsWith('/_catalog') ? { repositories: ['from-storage-host'] } : { name: 'elsewhere', tags: ['from-storage-host'] };
          return reply(res, 200, { 'content-type': 'application/json' }, JSON.stringify(page ?? fallback), head);
        }
        if (blob === undefined) return reply(res, 404, { 'content-type': 'application/xml' }, '<Error><Code>NoSuchKey</Code></Error>', head);
        return reply(res, 200, { 'content-type': 'application/octet-stream' }, blob, head);
      default:
        return reply(res, 405, {}, '', head);
    }
  };

  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    const entry: StorageRequest = { method: req.method ?? '', path: req.url ?? '', bodyBytes: 0, ...(auth === undefined ? {} : { authorization: auth }) };
    log.push(entry);
    // Answer only once the body is in, so bodyBytes is final when the client sees the answer.
    req.on('data', (c: Buffer) => (entry.bodyBytes += c.length));
    req.on('end', () => respond(req, res, entry));
  });
  const listening = await listenLoopback(server);

  return {
    host: listening.host,
    url: listening.url,
    log,
    setBlob: (b) => void (blob = b),
    setPage: (p) => void (page = p),
    stop: () => listening.close(),
  };
}
