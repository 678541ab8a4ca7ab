/**
 * Reading an image out of an OCI layout on disk (manifest, config, layers), the types that
 * describe it, and the umoci call shared by building and index pushing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Descriptor, ImageManifest } from './rawRegistry';
import { run } from './tools';

/** The tag every layout this harness writes keeps its image under. */
export const LAYOUT_TAG = 'img';

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

export function umoci(...args: string[]) {
  return run('umoci', args);
}

/** Reads manifest, config and layer list of a tag in an OCI layout. */
export async function readLayoutImage(layout: string, tag: string, cleanup: () => Promise<void> = async () => {}): Promise<OciLayoutImage> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`tag ${tag} not found in ${layout}`);
  const manifest = JSON.parse(await readLayoutBlob(layout, desc.digest)) as ImageManifest;
  const config = JSON.parse(await readLayoutBlob(layout, manifest.config.digest)) as ImageConfig;
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

export function readLayoutBlob(layout: string, digest: string): Promise<string> {
  const [alg, hex] = digest.split(':');
  return readFile(join(layout, 'blobs', alg, hex), 'utf8');
}
