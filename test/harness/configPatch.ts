import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Container settings umoci cannot write: it knows only the OCI image spec's fields, so Docker's
 * Healthcheck, Shell and OnBuild (and Cmd emptied by an ENTRYPOINT, which umoci does not do)
 * are written straight into the config JSON. A null value removes the setting.
 */
export type RawConfigPatch = Record<string, unknown>;

const OCI_SETTINGS = new Set(['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped']);

/**
 * The settings of `base` that umoci dropped when it rewrote the config of an image built on it
 * (every non-OCI one): a Dockerfile build inherits them, so the fixture must too.
 */
export function inheritedDockerSettings(base: Record<string, unknown> | undefined): RawConfigPatch {
  return Object.fromEntries(Object.entries(base ?? {}).filter(([k]) => !OCI_SETTINGS.has(k)));
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * Rewrites `config.config` of the image tagged `tag` in an OCI layout: a new config blob, a new
 * manifest blob pointing to it, and index.json pointing to that. The old blobs stay until
 * `umoci gc`. Keys already present are replaced in place, new ones appended, null ones removed.
 */
export async function patchLayoutConfig(layout: string, tag: string, patch: RawConfigPatch): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  const blob = (digest: string) => join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  const indexPath = join(layout, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: Array<{ digest: string; size: number; annotations?: Record<string, string> }> };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`patchLayoutConfig: tag ${tag} not found in ${layout}`);
  const manifest = JSON.parse(await readFile(blob(desc.digest), 'utf8')) as { config: { digest: string; size: number } };
  const config = JSON.parse(await readFile(blob(manifest.config.digest), 'utf8')) as { config?: Record<string, unknown> };
  const settings: Record<string, unknown> = { ...(config.config ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete settings[k];
    else settings[k] = v;
  }
  config.config = settings;

  const configBytes = Buffer.from(JSON.stringify(config));
  await writeFile(blob(sha256(configBytes)), configBytes);
  manifest.config = { ...manifest.config, digest: `sha256:${sha256(configBytes)}`, size: configBytes.length };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  await writeFile(blob(sha256(manifestBytes)), manifestBytes);
  desc.digest = `sha256:${sha256(manifestBytes)}`;
  desc.size = manifestBytes.length;
  await writeFile(indexPath, JSON.stringify(index));
}
