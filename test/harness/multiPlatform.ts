import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { authHeaders, fetchManifest, putManifest, sha256, uploadBlob, type Creds, type Descriptor, type RawAuth } from './rawRegistry';

// Images and indexes crafted directly through the registry API, for what umoci/skopeo cannot make:
// Windows images whose base layers are foreign (only `urls`, no blob in the registry, as on Docker
// Hub and MCR), indexes with hand-written platform fields, attestation and artifact entries.

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export interface PlatformFields {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface RawLayer {
  descriptor: Descriptor;
  diffId: string;
  createdBy: string;
  /** Foreign: only a URL reference, the registry never holds the blob. */
  foreign: boolean;
}

export interface RawImage {
  host: string;
  repo: string;
  tag: string;
  /** "HOST/repo:tag" */
  ref: string;
  digest: string;
  mediaType: string;
  size: number;
  body: string;
  platform: PlatformFields;
  layers: RawLayer[];
  config: Record<string, unknown> & { rootfs: { diff_ids: string[] }; history?: Array<{ created_by?: string; empty_layer?: boolean }> };
  configDigest: string;
}

/** A foreign (Windows base) layer: a digest and a URL, nothing uploaded. */
export function foreignLayer(name: string, format: 'docker' | 'oci' = 'docker', size = 100_000_000 + name.length): RawLayer {
  const digest = sha256(`foreign layer ${name}`);
  return {
    descriptor: { mediaType: format === 'docker' ? MT.dockerForeign : MT.ociNondistributable, digest, size, urls: [`https://example.invalid/layers/${digest.slice(7)}.tar.gz`] },
    diffId: sha256(`foreign diff ${name}`),
    createdBy: `Apply image ${name}`,
    foreign: true,
  };
}

/** A real (random) gzip'd layer, uploaded to `repo`. */
export async function uploadedLayer(host: string, repo: string, name: string, format: 'docker' | 'oci' = 'docker', auth?: RawAuth): Promise<RawLayer> {
  const raw = Buffer.concat([Buffer.from(`${name}\n`), randomBytes(512)]);
  const gz = gzipSync(raw);
  const digest = await uploadBlob(host, repo, gz, auth);
  return {
    descriptor: { mediaType: format === 'docker' ? MT.dockerLayer : MT.ociLayer, digest, size: gz.length },
    diffId: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    createdBy: `cmd /S /C ${name}`,
    foreign: false,
  };
}

export interface CraftOptions {
  host: string;
  repo: string;
  tag: string;
  platform: PlatformFields;
  layers: RawLayer[];
  format?: 'docker' | 'oci';
  /** Config fields besides platform, rootfs and history. */
  config?: Record<string, unknown>;
  /** History entries after the layer entries (empty_layer). */
  trailingHistory?: string[];
  annotations?: Record<string, string>;
  auth?: RawAuth;
}

/**
 * Uploads a config and PUTs a manifest over already uploaded (or foreign) layers. Layers from
 * other repositories must be mounted or uploaded into `repo` first (see `uploadedLayer`, `mountBlob`).
 */
export async function craftImage(o: CraftOptions): Promise<RawImage> {
  const format = o.format ?? 'docker';
  const config = {
    architecture: o.platform.architecture,
    os: o.platform.os,
    ...(o.platform.variant ? { variant: o.platform.variant } : {}),
    ...(o.platform['os.version'] ? { 'os.version': o.platform['os.version'] } : {}),
    ...(o.platform['os.features'] ? { 'os.features': o.platform['os.features'] } : {}),
    created: '2018-01-01T00:00:00Z',
    config: { Env: ['PATH=C:\\Windows\\system32;C:\\Windows'], Cmd: ['c:\\windows\\system32\\cmd.exe'], ...(o.config ?? {}) },
    rootfs: { type: 'layers', diff_ids: o.layers.map((l) => l.diffId) },
    history: [...o.layers.map((l) => ({ created: '2018-01-01T00:00:00Z', created_by: l.createdBy })), ...(o.trailingHistory ?? []).map((h) => ({ created_by: h, empty_layer: true }))],
  };
  const configBody = JSON.stringify(config);
  const configDigest = await uploadBlob(o.host, o.repo, configBody, o.auth);
  const manifest = {
    schemaVersion: 2,
    mediaType: format === 'docker' ? MT.dockerManifest : MT.ociManifest,
    config: { mediaType: format === 'docker' ? MT.dockerConfig : MT.ociConfig, digest: configDigest, size: Buffer.byteLength(configBody) },
    layers: o.layers.map((l) => l.descriptor),
    ...(o.annotations ? { annotations: o.annotations } : {}),
  };
  const body = JSON.stringify(manifest);
  const digest = await putManifest(o.host, o.repo, o.tag, body, manifest.mediaType, o.auth);
  return {
    host: o.host,
    repo: o.repo,
    tag: o.tag,
    ref: `${o.host}/${o.repo}:${o.tag}`,
    digest,
    mediaType: manifest.mediaType,
    size: Buffer.byteLength(body),
    body,
    platform: o.platform,
    layers: o.layers,
    config,
    configDigest,
  };
}

/** Cross-repository mount (Distribution answers 201); throws when the registry does not mount. */
export async function mountBlob(host: string, repo: string, digest: string, from: string, auth?: RawAuth): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${from}`, { method: 'POST', headers: authHeaders(auth) });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`mount ${digest} from ${from} into ${repo} → ${res.status}`);
}

/** Removes a blob from one repository behind everybody's back (the registry must allow deletes). */
export async function deleteBlob(host: string, repo: string, digest: string, auth?: RawAuth): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: 'DELETE', headers: authHeaders(auth) });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`DELETE blob ${repo}@${digest} → ${res.status}: ${text}`);
}

/** An index entry for an image, with its platform (from the image unless given). */
export function entryFor(img: { digest: string; mediaType: string; size: number; platform: PlatformFields }, platform?: PlatformFields, annotations?: Record<string, string>): Descriptor {
  return { mediaType: img.mediaType, digest: img.digest, size: img.size, platform: { ...(platform ?? img.platform) }, ...(annotations ? { annotations } : {}) };
}

/** Describes a manifest already in `repo` as an index entry (platform from the caller). */
export async function entryOf(host: string, repo: string, reference: string, platform: PlatformFields, auth?: RawAuth): Promise<Descriptor> {
  const m = await fetchManifest(host, repo, reference, auth);
  return { mediaType: m.mediaType.split(';')[0], digest: m.digest, size: Buffer.byteLength(m.body), platform: { ...platform } };
}

/** PUTs an index (OCI) or manifest list (Docker) of the given entries; returns digest and body. */
export async function pushIndexOf(host: string, repo: string, tag: string, manifests: Descriptor[], opts: { docker?: boolean; annotations?: Record<string, string>; auth?: RawAuth } = {}): Promise<{ digest: string; body: string }> {
  const mediaType = opts.docker ? MT.dockerList : MT.ociIndex;
  const body = JSON.stringify({ schemaVersion: 2, mediaType, manifests, ...(opts.annotations ? { annotations: opts.annotations } : {}) });
  const digest = await putManifest(host, repo, tag, body, mediaType, opts.auth);
  return { digest, body };
}

/** A buildx-style provenance attestation for `subjectDigest` (an empty predicate), pushed to `repo`; returns its index entry. */
export function pushAttestation(host: string, repo: string, subjectDigest: string, auth?: RawAuth): Promise<Descriptor> {
  const statement = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', subject: [{ digest: { sha256: subjectDigest.slice(7) } }], predicate: {} };
  return pushProvenance(host, repo, subjectDigest, statement, 'https://slsa.dev/provenance/v0.2', auth);
}

/**
 * A BuildKit-shaped provenance attestation for `subjectDigest` carrying `statement` (any JSON, or
 * raw text for broken ones) as its in-toto layer; returns its index entry. As buildx pushes it:
 * a manifest with an unknown/unknown config and one `application/vnd.in-toto+json` layer
 * annotated with its predicate type, listed with platform unknown/unknown and the
 * `vnd.docker.reference.*` annotations.
 */
export async function pushProvenance(host: string, repo: string, subjectDigest: string, statement: unknown, predicateType = 'https://slsa.dev/provenance/v0.2', auth?: RawAuth): Promise<Descriptor> {
  const text = typeof statement === 'string' ? statement : JSON.stringify(statement);
  const layerDigest = await uploadBlob(host, repo, text, auth);
  const config = JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layerDigest] } });
  const configDigest = await uploadBlob(host, repo, config, auth);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: configDigest, size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.in-toto+json', digest: layerDigest, size: Buffer.byteLength(text), annotations: { 'in-toto.io/predicate-type': predicateType } }],
  });
  const digest = await putManifest(host, repo, sha256(body), body, MT.ociManifest, auth);
  return {
    mediaType: MT.ociManifest,
    digest,
    size: Buffer.byteLength(body),
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: { 'vnd.docker.reference.digest': subjectDigest, 'vnd.docker.reference.type': 'attestation-manifest' },
  };
}

/** An OCI artifact of a type this tool does not know (no subject), pushed to `repo`; returns its index entry. */
export async function pushUnknownArtifact(host: string, repo: string, artifactType = 'application/vnd.example.thing.v1', auth?: RawAuth): Promise<Descriptor & { artifactType: string }> {
  const configDigest = await uploadBlob(host, repo, '{}', auth);
  const payload = `payload ${randomBytes(8).toString('hex')}`;
  const layerDigest = await uploadBlob(host, repo, payload, auth);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType,
    config: { mediaType: MT.ociEmpty, digest: configDigest, size: 2 },
    layers: [{ mediaType: 'application/vnd.example.payload', digest: layerDigest, size: Buffer.byteLength(payload) }],
  });
  const digest = await putManifest(host, repo, sha256(body), body, MT.ociManifest, auth);
  return { mediaType: MT.ociManifest, digest, size: Buffer.byteLength(body), artifactType };
}

export type { Creds };
