/**
 * The standard image set most integration tests start from: base:1, base:2 and app:1, pushed
 * both as OCI and as Docker schema 2.
 */
import { buildImage } from './imageBuild';
import { pushImage } from './imagePush';
import type { ImageConfig, LayerInfo, OciLayoutImage } from './ociLayout';
import { fetchBlob, fetchManifest, type Creds } from './rawRegistry';

export interface PushedImage {
  /** "HOST/repo:tag" */
  ref: string;
  repo: string;
  tag: string;
  digest: string;
  mediaType: string;
  configDigest: string;
  layers: LayerInfo[];
  config: ImageConfig;
}

export interface StandardImages {
  /** The local builds, to build further images on. */
  built: { base1: OciLayoutImage; base2: OciLayoutImage; app1: OciLayoutImage };
  oci: { base1: PushedImage; base2: PushedImage; app1: PushedImage };
  docker: { base1: PushedImage; base2: PushedImage; app1: PushedImage };
  cleanup(): Promise<void>;
}

/**
 * base:1, base:2 and app:1 (on base:1), pushed as OCI to repos base/app and as Docker schema 2 to
 * dbase/dapp. app:1's history interleaves empty_layer entries between its layers, as a Dockerfile
 * with WORKDIR/ENV between COPY lines does, and ends with LABEL and CMD.
 */
export async function seedStandardImages(registryHost: string, opts: { creds?: Creds } = {}): Promise<StandardImages> {
  // One after the other: base:2 is built (its config's `created`) after base:1, as a newer
  // release is, and the Dockerfile CodeLens offers moving a pin only to a newer image.
  const base1 = await buildImage({
    layers: [{ files: { '/etc/base-version': '1', '/base1-only.txt': 'only in base 1\n' }, createdBy: 'ADD base1 /' }],
    config: { env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], cmd: ['/bin/sh'] },
  });
  const base2 = await buildImage({
    layers: [
      { files: { '/etc/base-version': '2', '/base2-only.txt': 'only in base 2\n' }, createdBy: 'ADD base2 /' },
      { files: { '/etc/base2-extra.conf': 'extra=1\n' }, createdBy: 'RUN configure base2' },
    ],
    config: { env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'BASE=2'], cmd: ['/bin/sh'] },
  });
  const app1 = await buildImage({
    base: base1,
    layers: [
      { emptyLayer: 'WORKDIR /app', config: { workingDir: '/app' } },
      { files: { '/app/hello.txt': 'hello from app 1\n' }, createdBy: 'COPY hello.txt /app/' },
      { emptyLayer: 'ENV APP_MODE=test', config: { env: ['APP_MODE=test'] } },
      { files: { '/app/config.json': '{"app":1}\n' }, createdBy: 'COPY config.json /app/' },
    ],
    config: { labels: { 'org.example.app': 'app1' }, cmd: ['cat', '/app/hello.txt'] },
  });

  const push = async (img: OciLayoutImage, repo: string, tag: string, format: 'oci' | 'v2s2'): Promise<PushedImage> => {
    const ref = `${registryHost}/${repo}:${tag}`;
    const digest = await pushImage(img, ref, { format, creds: opts.creds });
    const m = await fetchManifest(registryHost, repo, digest, opts.creds);
    const config = JSON.parse((await fetchBlob(registryHost, repo, m.json.config.digest, opts.creds)).toString()) as ImageConfig;
    return {
      ref,
      repo,
      tag,
      digest,
      mediaType: m.mediaType,
      configDigest: m.json.config.digest,
      config,
      layers: m.json.layers.map((l, i) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, diffId: config.rootfs.diff_ids[i] })),
    };
  };
  // Bases first, so the app push finds (and can mount) their blobs, as in real life.
  const [ob1, ob2, db1, db2] = await Promise.all([
    push(base1, 'base', '1', 'oci'),
    push(base2, 'base', '2', 'oci'),
    push(base1, 'dbase', '1', 'v2s2'),
    push(base2, 'dbase', '2', 'v2s2'),
  ]);
  const [oa1, da1] = await Promise.all([push(app1, 'app', '1', 'oci'), push(app1, 'dapp', '1', 'v2s2')]);
  return {
    built: { base1, base2, app1 },
    oci: { base1: ob1, base2: ob2, app1: oa1 },
    docker: { base1: db1, base2: db2, app1: da1 },
    async cleanup() {
      await Promise.all([base1.cleanup(), base2.cleanup(), app1.cleanup()]);
    },
  };
}
