/**
 * An app and two bases that differ in PATH, a label and USER under it, pushed as PREFIXbase:1,
 * PREFIXbase:2 and PREFIXapp:1 (app built on base:1): rebased, they give a preview with removed,
 * added and kept layers, a config merge with a conflict, and warnings.
 */
import { buildImage, pushImage, type OciLayoutImage } from '../harness/fixtures';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nbase1:x:1001:1001::/:/bin/sh\nbase2:x:1002:1002::/:/bin/sh\napp:x:2000:2000::/app:/bin/sh\n';

/** Pushes the three images to `host`; the caller removes their build folders with cleanup(). */
export async function pushConflictImages(host: string, prefix: string): Promise<{ cleanup(): Promise<void> }> {
  const built: OciLayoutImage[] = [];
  const cleanup = async () => void (await Promise.all(built.map((b) => b.cleanup())));
  try {
    const [base1, base2] = await Promise.all([
      buildImage({
        layers: [{ files: { '/etc/base-version': '1', '/etc/passwd': PASSWD }, createdBy: 'ADD base1 /' }],
        config: { env: ['PATH=/usr/bin:/bin', 'BASE_VERSION=1'], labels: { 'org.example.base': 'base1' }, user: 'base1', cmd: ['/bin/sh'] },
      }),
      buildImage({
        layers: [{ files: { '/etc/base-version': '2', '/etc/passwd': PASSWD }, createdBy: 'ADD base2 /' }],
        config: { env: ['PATH=/opt/base2/bin:/usr/bin:/bin', 'BASE_VERSION=2'], labels: { 'org.example.base': 'base2' }, user: 'base2', cmd: ['/bin/bash'] },
      }),
    ]);
    built.push(base1, base2);
    const app = await buildImage({
      base: base1,
      layers: [{ files: { '/app/run': 'run\n' }, createdBy: 'COPY run /app/' }],
      config: { env: ['PATH=/app/bin:/usr/bin:/bin'], user: 'app', labels: { 'org.example.app': 'ui' } },
    });
    built.push(app);
    await Promise.all([pushImage(base1, `${host}/${prefix}base:1`), pushImage(base2, `${host}/${prefix}base:2`)]);
    await pushImage(app, `${host}/${prefix}app:1`);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { cleanup };
}
