/**
 * Builds test images with umoci, no daemon: file layers, whiteouts, Dockerfile-style history and
 * config steps, optionally on top of another built image.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inheritedDockerSettings, patchLayoutConfig, type RawConfigPatch } from './configPatch';
import { LAYOUT_TAG as TAG, readLayoutImage, umoci, type OciLayoutImage } from './ociLayout';
import { makeTempDir, removeTempDir } from './tools';

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
