import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  /** "127.0.0.1:PORT": use it as the registry host. */
  host: string;
  stop(): Promise<void>;
}

/**
 * A plain HTTP proxy in front of a local registry that holds every request for `rttMs` before
 * passing it on: a local registry answers in a millisecond, a real one across a network in tens,
 * and what concurrency buys depends on that. The Host header is passed through, so upload
 * Locations the registry builds point back at the proxy.
 */
export async function startLatencyProxy(target: string, rttMs: number): Promise<LatencyProxy> {
  const [targetHost, targetPort] = target.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const up = http.request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        });
        up.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        up.end(Buffer.concat(chunks));
      }, rttMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
