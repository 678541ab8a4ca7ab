import { createServer } from 'node:net';

/**
 * Asks the kernel for a free loopback port. There is a small race between closing the probe and the
 * caller binding it; on a test machine that is acceptable, and it lets us hand a fixed address to
 * programs (the registry) that cannot report the port they picked.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not read the probe port'));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
