// A small fleet for `rebase-image scan`: bases that moved, apps on old and new bases, in Docker
// and OCI format, with and without base annotations. Crafted through the registry API from tiny
// deterministic layers (gzip of a name), so the whole fleet is pushed in a second or two.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MT, entryFor, foreignLayer, pushIndexOf, pushProvenance, type PlatformFields, type RawLayer } from './multiPlatform';
import { putManifest, uploadBlob, type Descriptor } from './rawRegistry';
import { seedMatrix, type MatrixImage } from './scanMatrix';

export const ANN_NAME = 'org.opencontainers.image.base.name';
export const ANN_DIGEST = 'org.opencontainers.image.base.digest';

const LINUX: PlatformFields = { os: 'linux', architecture: 'amd64' };

export interface Crafted {
  repo: string;
  digest: string;
  mediaType: string;
  size: number;
  platform: PlatformFields;
  layers: RawLayer[];
}

/** A layer whose bytes depend on its name alone: the same name is the same digest in any repository. */
export function namedLayer(name: string, format: 'docker' | 'oci' = 'docker'): RawLayer & { gz: Buffer } {
  const raw = Buffer.from(`layer ${name}\n`);
  const gz = gzipSync(raw);
  const digest = `sha256:${createHash('sha256').update(gz).digest('hex')}`;
  return {
    descriptor: { mediaType: format === 'docker' ? MT.dockerLayer : MT.ociLayer, digest, size: gz.length },
    diffId: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    createdBy: `ADD ${name}`,
    foreign: false,
    gz,
  };
}

export interface CraftSpec {
  repo: string;
  /** Pushed by digest alone when omitted. */
  tag?: string;
  layers: RawLayer[];
  format?: 'docker' | 'oci';
  platform?: PlatformFields;
  created?: string;
  annotations?: Record<string, string>;
}

/** Uploads what the registry lacks (each layer's bytes are recomputed from its name) and PUTs the manifest. */
export async function craft(host: string, s: CraftSpec): Promise<Crafted> {
  const format = s.format ?? 'docker';
  const platform = s.platform ?? LINUX;
  for (const l of s.layers) {
    if (l.foreign) continue;
    const gz = (l as { gz?: Buffer }).gz;
    if (!gz) throw new Error(`craft: layer ${l.createdBy} has no bytes`);
    await uploadBlob(host, s.repo, gz);
  }
  const config = JSON.stringify({
    ...platform,
    created: s.created ?? '2024-01-01T00:00:00Z',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: s.layers.map((l) => l.diffId) },
    history: s.layers.map((l) => ({ created_by: l.createdBy })),
  });
  const configDigest = await uploadBlob(host, s.repo, config);
  const mediaType = format === 'docker' ? MT.dockerManifest : MT.ociManifest;
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: format === 'docker' ? MT.dockerConfig : MT.ociConfig, digest: configDigest, size: Buffer.byteLength(config) },
    layers: s.layers.map((l) => ({ ...l.descriptor, mediaType: l.foreign ? l.descriptor.mediaType : format === 'docker' ? MT.dockerLayer : MT.ociLayer })),
    ...(s.annotations ? { annotations: s.annotations } : {}),
  });
  const digest = await putManifest(host, s.repo, s.tag ?? `sha256:${createHash('sha256').update(body).digest('hex')}`, body, mediaType);
  return { repo: s.repo, digest, mediaType, size: Buffer.byteLength(body), platform, layers: s.layers };
}

const ann = (name: string, digest?: string) => ({ [ANN_NAME]: name, ...(digest ? { [ANN_DIGEST]: digest } : {}) });
const L = namedLayer;

export interface Fleet {
  /** Digests by name, for assertions. */
  d: Record<string, string>;
  /** The gen/ namespace: 3 bases × 2 versions × Docker/OCI × annotated or not, with expected verdicts. */
  matrix: MatrixImage[];
}

/**
 * Bases (namespace `base/`):
 * - base/deb (Docker): tag 1 moved from deb10 [os1, deb1.0] (2024-01-01) to deb11 [os1, deb1.1]
 *   (2024-06-01); tag 2 is deb2 [os2, deb2].
 * - base/alp (OCI): 3.19.0 = alp0 [alp, p0]; 3.19 and 3.19.1 = alp1 [alp, p1] (2024-05-05).
 * - base/multi (OCI index): tag 1 moved from an index of (amd64 m1a, arm64 m1r) to one of
 *   (amd64 m2a, arm64 m1r): only amd64 changed.
 * - base/gone: tag 1 (gone1) was deleted; its manifest is still there by digest.
 * - base/nano (Docker, Windows, foreign layers): 10.0.17763.100 = w100, 10.0.17763.200 = w200,
 *   ltsc = a manifest list of both (the newest revision of the build is the current one).
 * Apps: team/api:1 (Docker, annotated deb:1@deb10), team/api:2 (OCI, annotated deb:1@deb11),
 * team/api:3 (Docker, no annotation, on deb2), team/api:sig (not an image), team/web:1 (OCI, on
 * alp0, no annotation), team/web:2 (OCI, on alp1), team/legacy:1 (annotated gone:1@gone1),
 * multi/app:1 (index, children annotated multi:1@old index), other/tool:1 (unrelated base),
 * win/app:1 (on w100, no annotation), win/app:2 (on w200, annotated nano:ltsc@list), prov/app:1
 * (index: an image on deb10 with a provenance attestation naming deb:1). Then the gen/ matrix
 * (scanMatrix.ts): 24 images, every base × version × format × annotation.
 */
export async function seedFleet(host: string, storageDir: string, opts: { matrix?: boolean } = {}): Promise<Fleet> {
  const d: Record<string, string> = {};
  const os1 = L('os1');
  const deb10 = await craft(host, { repo: 'base/deb', tag: '1', layers: [os1, L('deb1.0')], created: '2024-01-01T00:00:00Z' });
  const deb2 = await craft(host, { repo: 'base/deb', tag: '2', layers: [L('os2'), L('deb2')], created: '2024-03-01T00:00:00Z' });
  const alp0 = await craft(host, { repo: 'base/alp', tag: '3.19.0', format: 'oci', layers: [L('alp', 'oci'), L('p0', 'oci')], created: '2024-02-02T00:00:00Z' });
  const alp1 = await craft(host, { repo: 'base/alp', tag: '3.19', format: 'oci', layers: [L('alp', 'oci'), L('p1', 'oci')], created: '2024-05-05T00:00:00Z' });
  await craft(host, { repo: 'base/alp', tag: '3.19.1', format: 'oci', layers: alp1.layers, created: '2024-05-05T00:00:00Z' });
  const arm: PlatformFields = { os: 'linux', architecture: 'arm64', variant: 'v8' };
  const m1a = await craft(host, { repo: 'base/multi', format: 'oci', layers: [L('m1a', 'oci')] });
  const m1r = await craft(host, { repo: 'base/multi', format: 'oci', layers: [L('m1r', 'oci')], platform: arm });
  const m2a = await craft(host, { repo: 'base/multi', format: 'oci', layers: [L('m2a', 'oci')], created: '2024-07-07T00:00:00Z' });
  const multiOld = await pushIndexOf(host, 'base/multi', '1', [entryFor(m1a), entryFor(m1r)]);
  const gone1 = await craft(host, { repo: 'base/gone', tag: '1', layers: [L('gone1')] });
  const win = (v: string): PlatformFields => ({ os: 'windows', architecture: 'amd64', 'os.version': v });
  const f0 = foreignLayer('17763 base');
  const w100 = await craft(host, { repo: 'base/nano', tag: '10.0.17763.100', layers: [f0, foreignLayer('17763.100 update')], platform: win('10.0.17763.100') });
  const w200 = await craft(host, { repo: 'base/nano', tag: '10.0.17763.200', layers: [f0, foreignLayer('17763.200 update')], platform: win('10.0.17763.200'), created: '2024-08-08T00:00:00Z' });
  const ltsc = await pushIndexOf(host, 'base/nano', 'ltsc', [entryFor(w100), entryFor(w200)], { docker: true });

  const app = (name: string, format: 'docker' | 'oci' = 'docker') => [L(`${name} app`, format), L(`${name} config`, format)];
  const apps = await Promise.all([
    craft(host, { repo: 'team/api', tag: '1', layers: [...deb10.layers, ...app('api1')], annotations: ann(`${host}/base/deb:1`, deb10.digest) }),
    craft(host, { repo: 'team/api', tag: '3', layers: [...deb2.layers, ...app('api3')] }),
    craft(host, { repo: 'team/web', tag: '1', format: 'oci', layers: [...alp0.layers, ...app('web1', 'oci')] }),
    craft(host, { repo: 'team/web', tag: '2', format: 'oci', layers: [...alp1.layers, ...app('web2', 'oci')] }),
    craft(host, { repo: 'team/legacy', tag: '1', layers: [...gone1.layers, ...app('legacy')], annotations: ann(`${host}/base/gone:1`, gone1.digest) }),
    craft(host, { repo: 'other/tool', tag: '1', layers: [L('unrelated os'), ...app('tool')] }),
    craft(host, { repo: 'win/app', tag: '1', layers: [...w100.layers, ...app('win1')], platform: w100.platform }),
    craft(host, { repo: 'win/app', tag: '2', layers: [...w200.layers, ...app('win2')], platform: w200.platform, annotations: ann(`${host}/base/nano:ltsc`, ltsc.digest) }),
  ]);
  [d.api1, d.api3, d.web1, d.web2, d.legacy1, d.tool1, d.win1, d.win2] = apps.map((a) => a.digest);
  const multiAnn = ann(`${host}/base/multi:1`, multiOld.digest);
  const ma = await craft(host, { repo: 'multi/app', format: 'oci', layers: [...m1a.layers, ...app('ma', 'oci')], annotations: multiAnn });
  const mr = await craft(host, { repo: 'multi/app', format: 'oci', layers: [...m1r.layers, ...app('mr', 'oci')], platform: arm, annotations: multiAnn });
  d.multiIndex = (await pushIndexOf(host, 'multi/app', '1', [entryFor(ma), entryFor(mr)])).digest;
  d.multiAmd = ma.digest;
  d.multiArm = mr.digest;
  // No annotation, but a BuildKit provenance attestation whose materials name deb:1 as it was.
  const provApp = await craft(host, { repo: 'prov/app', format: 'oci', layers: [...deb10.layers, ...app('prov', 'oci')] });
  const materials = [{ uri: `pkg:docker/${host}/base/deb@1?platform=linux%2Famd64`, digest: { sha256: deb10.digest.slice(7) } }];
  const statement = { _type: 'https://in-toto.io/Statement/v0.1', subject: [{ name: 'pkg:docker/prov/app@1', digest: { sha256: provApp.digest.slice(7) } }], predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { builder: { id: '' }, materials } };
  const attestation = await pushProvenance(host, 'prov/app', provApp.digest, statement);
  await pushIndexOf(host, 'prov/app', '1', [entryFor(provApp), attestation]);
  d.prov = provApp.digest;
  // A tag that holds no image (a signature-like artifact): counted as left out.
  const payload = await uploadBlob(host, 'team/api', 'signature payload');
  const empty = await uploadBlob(host, 'team/api', '{}');
  const sig = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, artifactType: 'application/vnd.example.sig', config: { mediaType: MT.ociEmpty, digest: empty, size: 2 }, layers: [{ mediaType: 'application/vnd.example.sig', digest: payload, size: 17 } satisfies Descriptor] });
  await putManifest(host, 'team/api', 'sig', sig, MT.ociManifest);

  // Now the bases move on: deb:1 to deb11, multi:1 to a new amd64 image; gone:1 is deleted.
  const deb11 = await craft(host, { repo: 'base/deb', tag: '1', layers: [os1, L('deb1.1')], created: '2024-06-01T00:00:00Z' });
  d.api2 = (await craft(host, { repo: 'team/api', tag: '2', format: 'oci', layers: [...deb11.layers, ...app('api2', 'oci')], annotations: ann(`${host}/base/deb:1`, deb11.digest) })).digest;
  const multiNew = await pushIndexOf(host, 'base/multi', '1', [entryFor(m2a), entryFor(m1r)]);
  // Distribution deletes tags only with their manifest; removing the tag's link keeps the manifest.
  await rm(join(storageDir, 'docker', 'registry', 'v2', 'repositories', 'base', 'gone', '_manifests', 'tags', '1'), { recursive: true });

  Object.assign(d, { deb10: deb10.digest, deb11: deb11.digest, deb2: deb2.digest, alp0: alp0.digest, alp1: alp1.digest, m1a: m1a.digest, m1r: m1r.digest, m2a: m2a.digest });
  Object.assign(d, { multiOld: multiOld.digest, multiNew: multiNew.digest, gone1: gone1.digest, w100: w100.digest, w200: w200.digest, ltsc: ltsc.digest });
  const matrix = opts.matrix === false ? [] : await seedMatrix(host, [
    { key: 'deb', tagRef: 'base/deb:1', old: deb10, current: deb11, recorded: { old: deb10.digest, current: deb11.digest }, oldTagged: false },
    { key: 'alp', tagRef: 'base/alp:3.19', old: alp0, current: alp1, recorded: { old: alp0.digest, current: alp1.digest }, oldTagged: true },
    { key: 'nano', tagRef: 'base/nano:ltsc', old: w100, current: w200, recorded: { old: ltsc.digest, current: ltsc.digest }, oldTagged: true },
  ]);
  return { d, matrix };
}
