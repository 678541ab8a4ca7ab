import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fetchBlob, fetchManifest, type Creds, type Descriptor, type ImageManifest } from './rawRegistry';
import { inheritedDockerSettings, patchLayoutConfig, type RawConfigPatch } from './configPatch';
import { makeTempDir, removeTempDir, run } from './tools';

export type { Creds, Descriptor, ImageManifest } from './rawRegistry';

// ---- types ------------------------------------------------------------------------------------

/** A layer that adds these files (path in the rootfs → content). */
export type FilesLayer = Record<string, string>;

/**
 * A fuller layer step: files to write, paths to remove (umoci turns removals into whiteouts), and
 * the history `created_by` text.
 */
export interface LayerStep {
  files?: Record<string, string>;
  delete?: string[];
  createdBy?: string;
}

/**
 * A history-only step (empty_layer: true), placed between layers as Dockerfile ENV/WORKDIR lines
 * are; `config` optionally changes the config at the same time, as the real instruction would.
 */
export interface EmptyLayerStep {
  emptyLayer: string;
  config?: ImageConfigPatch;
}

export type BuildStep = FilesLayer | { delete: string[] } | LayerStep | EmptyLayerStep;

export interface ImageConfigPatch {
  /** "KEY=value"; umoci replaces an existing KEY and appends new ones. */
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  workingDir?: string;
  user?: string;
  /** "80/tcp" */
  exposedPorts?: string[];
  volumes?: string[];
  stopSignal?: string;
}

export interface BuildOptions {
  /** Applied in order; each file/delete step becomes one layer. */
  layers: BuildStep[];
  /** Build on top of this image: its layers (same blobs, same digests) become the prefix. */
  base?: OciLayoutImage;
  /**
   * Applied after the layers. Each field gets its own empty_layer history entry in Dockerfile style
   * ("ENV A=1", "CMD [...]") unless `configHistory` is false.
   */
  config?: ImageConfigPatch;
  configHistory?: boolean;
  /** Extra history-only entries appended last (e.g. "HEALTHCHECK NONE"). */
  emptyLayerHistory?: string[];
  /**
   * Settings written straight into the config after every umoci step (Healthcheck, Shell, OnBuild;
   * `Cmd: null` for an ENTRYPOINT that reset CMD); null removes one. Settings umoci cannot keep
   * are inherited from `base` first, as a Dockerfile build would inherit them.
   */
  rawConfig?: RawConfigPatch;
  os?: string;
  arch?: string;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
}

export interface LayerInfo {
  mediaType: string;
  digest: string;
  size: number;
  diffId: string;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  created?: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
  [k: string]: unknown;
}

/** An image in an OCI layout on disk, with what tests usually need already read out. */
export interface OciLayoutImage {
  /** OCI layout directory. */
  layout: string;
  tag: string;
  /** "oci:LAYOUT:TAG", skopeo's name for it. */
  ref: string;
  manifestDigest: string;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
  layers: LayerInfo[];
  cleanup(): Promise<void>;
}

export interface PushOptions {
  /** 'oci' keeps OCI media types; 'v2s2' converts to Docker schema 2. Default 'oci'. */
  format?: 'oci' | 'v2s2';
  creds?: Creds;
}

// ---- building ---------------------------------------------------------------------------------

const TAG = 'img';

/**
 * Builds an image with umoci, no daemon. Layers are real gzip tarballs with timestamps, so digests
 * change from run to run; read them from the result instead of hard-coding them.
 */
export async function buildImage(opts: BuildOptions): Promise<OciLayoutImage> {
  const dir = makeTempDir('image');
  const layout = join(dir, 'layout');
  const image = `${layout}:${TAG}`;
  if (opts.base) {
    // Start from the base's own blobs so the base layers are a byte-identical prefix.
    await cp(opts.base.layout, layout, { recursive: true });
    if (opts.base.tag !== TAG) {
      await umoci('tag', '--image', `${layout}:${opts.base.tag}`, TAG);
      await umoci('rm', '--image', `${layout}:${opts.base.tag}`);
    }
  } else {
    await umoci('init', '--layout', layout);
    await umoci('new', '--image', image);
  }

  // umoci repack builds on the manifest recorded at unpack time, so a `umoci config` in between
  // would be silently dropped: unpack again after every config step before the next layer.
  let bundle: string | undefined;
  let bundleCount = 0;
  const ensureBundle = async (): Promise<string> => {
    if (bundle) return bundle;
    bundle = join(dir, `bundle${bundleCount++}`);
    await umoci('unpack', '--rootless', '--image', image, bundle);
    return bundle;
  };
  const dropBundle = async () => {
    if (bundle) await rm(bundle, { recursive: true, force: true });
    bundle = undefined;
  };

  for (const step of opts.layers) {
    const s = normaliseStep(step);
    if ('emptyLayer' in s) {
      await dropBundle();
      await umoci('config', '--image', image, ...configArgs(s.config ?? {}), '--history.created_by', s.emptyLayer);
      continue;
    }
    const b = await ensureBundle();
    const rootfs = join(b, 'rootfs');
    for (const p of s.delete ?? []) await rm(join(rootfs, p), { recursive: true, force: true });
    for (const [p, content] of Object.entries(s.files ?? {})) {
      const target = join(rootfs, p);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const createdBy = s.createdBy ?? describeLayer(s);
    await umoci('repack', '--refresh-bundle', '--history.created_by', createdBy, '--image', image, b);
  }
  await dropBundle();

  const cfg = opts.config ?? {};
  if (opts.configHistory === false) {
    const args = configArgs(cfg);
    if (args.length > 0) await umoci('config', '--image', image, '--no-history', ...args);
  } else {
    for (const [args, createdBy] of configSteps(cfg)) {
      await umoci('config', '--image', image, ...args, '--history.created_by', createdBy);
    }
  }
  for (const h of opts.emptyLayerHistory ?? []) {
    await umoci('config', '--image', image, '--history.created_by', h);
  }
  const platformArgs: string[] = [];
  if (opts.os) platformArgs.push('--os', opts.os);
  if (opts.arch) platformArgs.push('--architecture', opts.arch);
  for (const [k, v] of Object.entries(opts.annotations ?? {})) platformArgs.push('--manifest.annotation', `${k}=${v}`);
  if (platformArgs.length > 0) await umoci('config', '--image', image, '--no-history', ...platformArgs);
  await patchLayoutConfig(layout, TAG, { ...inheritedDockerSettings(opts.base?.config.config), ...(opts.rawConfig ?? {}) });

  // Drop the intermediate manifests/configs each step left behind, so layouts copied from this one
  // stay small.
  await umoci('gc', '--layout', layout);
  return readLayoutImage(layout, TAG, () => removeTempDir(dir));
}

function normaliseStep(step: BuildStep): LayerStep | EmptyLayerStep {
  if (typeof (step as EmptyLayerStep).emptyLayer === 'string') return step as EmptyLayerStep;
  const values = Object.values(step);
  // A plain files map has only string values; anything else is the structured form.
  if (values.every((v) => typeof v === 'string')) return { files: step as FilesLayer };
  return step as LayerStep;
}

function describeLayer(s: LayerStep): string {
  const parts = [...Object.keys(s.files ?? {}).map((p) => `+${p}`), ...(s.delete ?? []).map((p) => `-${p}`)];
  return `LAYER ${parts.join(' ')}`;
}

function configArgs(c: ImageConfigPatch): string[] {
  const a: string[] = [];
  for (const e of c.env ?? []) a.push('--config.env', e);
  for (const e of c.entrypoint ?? []) a.push('--config.entrypoint', e);
  for (const e of c.cmd ?? []) a.push('--config.cmd', e);
  for (const [k, v] of Object.entries(c.labels ?? {})) a.push('--config.label', `${k}=${v}`);
  if (c.workingDir !== undefined) a.push('--config.workingdir', c.workingDir);
  if (c.user !== undefined) a.push('--config.user', c.user);
  for (const p of c.exposedPorts ?? []) a.push('--config.exposedports', p);
  for (const v of c.volumes ?? []) a.push('--config.volume', v);
  if (c.stopSignal !== undefined) a.push('--config.stopsignal', c.stopSignal);
  return a;
}

/** One umoci call per field, with the Dockerfile line that would have produced it. */
function configSteps(c: ImageConfigPatch): Array<[string[], string]> {
  const steps: Array<[string[], string]> = [];
  const one = (patch: ImageConfigPatch, createdBy: string) => steps.push([configArgs(patch), createdBy]);
  if (c.workingDir !== undefined) one({ workingDir: c.workingDir }, `WORKDIR ${c.workingDir}`);
  if (c.env?.length) one({ env: c.env }, `ENV ${c.env.join(' ')}`);
  if (c.labels && Object.keys(c.labels).length) {
    one({ labels: c.labels }, `LABEL ${Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  if (c.user !== undefined) one({ user: c.user }, `USER ${c.user}`);
  if (c.exposedPorts?.length) one({ exposedPorts: c.exposedPorts }, `EXPOSE ${c.exposedPorts.join(' ')}`);
  if (c.volumes?.length) one({ volumes: c.volumes }, `VOLUME ${JSON.stringify(c.volumes)}`);
  if (c.stopSignal !== undefined) one({ stopSignal: c.stopSignal }, `STOPSIGNAL ${c.stopSignal}`);
  if (c.entrypoint?.length) one({ entrypoint: c.entrypoint }, `ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd?.length) one({ cmd: c.cmd }, `CMD ${JSON.stringify(c.cmd)}`);
  return steps;
}

function umoci(...args: string[]) {
  return run('umoci', args);
}

/** Reads manifest, config and layer list of a tag in an OCI layout. */
export async function readLayoutImage(layout: string, tag: string, cleanup: () => Promise<void> = async () => {}): Promise<OciLayoutImage> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`tag ${tag} not found in ${layout}`);
  const manifest = JSON.parse(await readBlob(layout, desc.digest)) as ImageManifest;
  const config = JSON.parse(await readBlob(layout, manifest.config.digest)) as ImageConfig;
  const layers = manifest.layers.map((l, i) => ({
    mediaType: l.mediaType,
    digest: l.digest,
    size: l.size,
    diffId: config.rootfs.diff_ids[i],
  }));
  return {
    layout,
    tag,
    ref: `oci:${layout}:${tag}`,
    manifestDigest: desc.digest,
    manifest,
    configDigest: manifest.config.digest,
    config,
    layers,
    cleanup,
  };
}

function readBlob(layout: string, digest: string): Promise<string> {
  const [alg, hex] = digest.split(':');
  return readFile(join(layout, 'blobs', alg, hex), 'utf8');
}

// ---- pushing ----------------------------------------------------------------------------------

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
          size: Buffer.byteLength(await readBlob(img.layout, img.manifestDigest)),
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

// ---- the standard set -------------------------------------------------------------------------

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
