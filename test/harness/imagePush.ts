/**
 * Pushes built images to a registry with skopeo, alone or as one multi-platform index, isolated
 * from the machine's containers configuration and stored logins.
 */
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYOUT_TAG as TAG, readLayoutBlob, umoci, type OciLayoutImage } from './ociLayout';
import type { Creds } from './rawRegistry';
import { makeTempDir, removeTempDir, run } from './tools';

export interface PushOptions {
  /** 'oci' keeps OCI media types; 'v2s2' converts to Docker schema 2. Default 'oci'. */
  format?: 'oci' | 'v2s2';
  creds?: Creds;
}

let skopeoDir: string | undefined;

/**
 * skopeo reads /etc/containers/policy.json and registries.conf; give it our own permissive policy
 * and an empty registries.conf so the tests do not depend on the machine's files.
 */
async function skopeoEnv(): Promise<{ env: NodeJS.ProcessEnv; policy: string }> {
  if (!skopeoDir) {
    const d = makeTempDir('skopeo');
    await writeFile(join(d, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(d, 'registries.conf'), '');
    skopeoDir = d;
  }
  return {
    policy: join(skopeoDir, 'policy.json'),
    env: {
      ...process.env,
      CONTAINERS_REGISTRIES_CONF: join(skopeoDir, 'registries.conf'),
      // No stored logins: credentials come only from the test.
      REGISTRY_AUTH_FILE: join(skopeoDir, 'auth.json'),
    },
  };
}

function credArgs(flag: 'dest' | 'src', creds?: Creds): string[] {
  return creds ? [`--${flag}-creds`, `${creds.username}:${creds.password}`] : [`--${flag}-no-creds`];
}

/** Pushes an image to "HOST:PORT/repo:tag" over plain HTTP; returns the pushed manifest digest. */
export async function pushImage(img: OciLayoutImage, ref: string, opts: PushOptions = {}): Promise<string> {
  return skopeoCopy(img.ref, ref, opts, []);
}

async function skopeoCopy(src: string, ref: string, opts: PushOptions, extra: string[]): Promise<string> {
  const { env, policy } = await skopeoEnv();
  const tmp = makeTempDir('push');
  try {
    const digestFile = join(tmp, 'digest');
    const args = ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, '--tmpdir', tmp];
    if (opts.format) args.push('--format', opts.format);
    args.push(...credArgs('dest', opts.creds), ...extra, src, `docker://${ref}`);
    await run('skopeo', args, { env });
    return (await readFile(digestFile, 'utf8')).trim();
  } finally {
    await removeTempDir(tmp);
  }
}

/**
 * Pushes several single-platform images as one multi-platform index (OCI) or manifest list
 * (v2s2). Platforms come from each image's config (build them with `os`/`arch`).
 */
export async function pushIndex(images: OciLayoutImage[], ref: string, opts: PushOptions = {}): Promise<string> {
  const dir = makeTempDir('index');
  try {
    const layout = join(dir, 'layout');
    await umoci('init', '--layout', layout);
    for (const img of images) {
      await cp(join(img.layout, 'blobs'), join(layout, 'blobs'), { recursive: true, force: false, errorOnExist: false });
    }
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: await Promise.all(
        images.map(async (img) => ({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: img.manifestDigest,
          size: Buffer.byteLength(await readLayoutBlob(img.layout, img.manifestDigest)),
          platform: { architecture: img.config.architecture, os: img.config.os },
        })),
      ),
    };
    const body = JSON.stringify(index);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), body);
    const top = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: index.mediaType,
          digest,
          size: Buffer.byteLength(body),
          annotations: { 'org.opencontainers.image.ref.name': TAG },
        },
      ],
    };
    await writeFile(join(layout, 'index.json'), JSON.stringify(top));
    return await skopeoCopy(`oci:${layout}:${TAG}`, ref, opts, ['--all']);
  } finally {
    await removeTempDir(dir);
  }
}
