import type * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Listening {
  /** "127.0.0.1:PORT" */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** Ends every connection, stalled or not, and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts a test server on a free loopback port, keeping track of its connections so close()
 * never waits on a client that stalls or a socket a fault left open. A client's RST is expected
 * traffic in these tests, not a server failure.
 */
export async function listenLoopback(server: http.Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, s: Socket) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
