import { buildImage, pushImage, type OciLayoutImage } from './fixtures';
import { fetchBlob, fetchManifest, putManifest, type Descriptor } from './rawRegistry';
import {
  craftImage,
  entryFor,
  foreignLayer,
  mountBlob,
  pushAttestation,
  pushIndexOf,
  pushUnknownArtifact,
  uploadedLayer,
  type PlatformFields,
  type RawImage,
  type RawLayer,
} from './multiPlatform';

// ---- linux: two-platform bases and app, with real layers containerd can unpack ----------------

export interface PushedChild {
  platform: PlatformFields;
  digest: string;
  mediaType: string;
  size: number;
  layers: Array<{ digest: string; diffId: string; mediaType: string }>;
  config: { rootfs: { diff_ids: string[] }; history?: Array<{ created_by?: string; empty_layer?: boolean }>; [k: string]: unknown };
}

export interface LinuxIndexes {
  /** Repository `mbase`: tags 1 and 2 are two-platform indexes (amd64, arm64/v8). */
  base1: Record<'amd64' | 'arm64', PushedChild>;
  base2: Record<'amd64' | 'arm64', PushedChild>;
  /** Repository `mapp`: tag 1 is an index of the two app images plus an attestation of the amd64 one and an unknown artifact. */
  app1: Record<'amd64' | 'arm64', PushedChild>;
  app1Index: { digest: string; body: string; attestation: Descriptor; artifact: Descriptor & { artifactType: string } };
  /** Repository `mbase`, tag 2-amd64only: an index of base 2 for amd64 alone. */
  base2AmdOnlyDigest: string;
  built: OciLayoutImage[];
  cleanup(): Promise<void>;
}

const PLATFORMS: Record<'amd64' | 'arm64', PlatformFields> = {
  amd64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
};

async function describe(host: string, repo: string, ref: string, platform: PlatformFields): Promise<PushedChild> {
  const m = await fetchManifest(host, repo, ref);
  const config = JSON.parse((await fetchBlob(host, repo, m.json.config.digest)).toString());
  return {
    platform,
    digest: m.digest,
    mediaType: m.mediaType.split(';')[0],
    size: Buffer.byteLength(m.body),
    layers: m.json.layers.map((l, i) => ({ digest: l.digest, mediaType: l.mediaType, diffId: config.rootfs.diff_ids[i] })),
    config,
  };
}

/**
 * mbase:1 and mbase:2 (indexes of linux/amd64 and linux/arm64/v8 images) and mapp:1 (index of app
 * images built on mbase:1, one per platform, plus a buildx-style attestation entry for the amd64
 * image and an artifact of an unknown type). Every file says which platform and base it came from.
 */
export async function seedLinuxIndexes(host: string, appRepo = 'mapp'): Promise<LinuxIndexes> {
  const archs = ['amd64', 'arm64'] as const;
  const build = (arch: string, v: number) =>
    buildImage({
      arch,
      layers:
        v === 1
          ? [{ files: { '/etc/base-version': '1', '/etc/arch': `${arch}\n`, '/base1-only.txt': 'only in base 1\n' }, createdBy: `ADD base1-${arch} /` }]
          : [
              { files: { '/etc/base-version': '2', '/etc/arch': `${arch}\n`, '/base2-only.txt': 'only in base 2\n' }, createdBy: `ADD base2-${arch} /` },
              { files: { '/etc/base2-extra.conf': `extra=${arch}\n` }, createdBy: 'RUN configure base2' },
            ],
      config: { env: ['PATH=/usr/bin:/bin'], cmd: ['/bin/sh'] },
    });
  const [b1a, b1r, b2a, b2r] = await Promise.all([build('amd64', 1), build('arm64', 1), build('amd64', 2), build('arm64', 2)]);
  const b1 = { amd64: b1a, arm64: b1r };
  const apps = await Promise.all(
    archs.map((arch) =>
      buildImage({
        base: b1[arch],
        layers: [
          { emptyLayer: 'WORKDIR /app', config: { workingDir: '/app' } },
          { files: { '/app/hello.txt': `hello from the ${arch} app\n` }, createdBy: 'COPY hello.txt /app/' },
          { files: { '/app/shared.txt': 'same on every platform\n' }, createdBy: 'COPY shared.txt /app/' },
        ],
        config: { labels: { 'org.example.app': 'mapp' }, cmd: ['cat', '/app/hello.txt'] },
      }),
    ),
  );
  const app = { amd64: apps[0], arm64: apps[1] };
  // Each platform image under its own tag first, then the indexes over them.
  await Promise.all([
    pushImage(b1a, `${host}/mbase:1-amd64`),
    pushImage(b1r, `${host}/mbase:1-arm64`),
    pushImage(b2a, `${host}/mbase:2-amd64`),
    pushImage(b2r, `${host}/mbase:2-arm64`),
  ]);
  await Promise.all(archs.map((a) => pushImage(app[a], `${host}/${appRepo}:1-${a}`)));
  const out = {} as Record<string, Record<'amd64' | 'arm64', PushedChild>>;
  for (const [key, repo, tag] of [['base1', 'mbase', '1'], ['base2', 'mbase', '2'], ['app1', appRepo, '1']] as const) {
    out[key] = {
      amd64: await describe(host, repo, `${tag}-amd64`, PLATFORMS.amd64),
      arm64: await describe(host, repo, `${tag}-arm64`, PLATFORMS.arm64),
    };
    if (key !== 'app1') await pushIndexOf(host, repo, tag, archs.map((a) => entryFor(out[key][a])));
  }
  const base2AmdOnly = await pushIndexOf(host, 'mbase', '2-amd64only', [entryFor(out.base2.amd64)]);
  const attestation = await pushAttestation(host, appRepo, out.app1.amd64.digest);
  const artifact = await pushUnknownArtifact(host, appRepo);
  const appIndex = await pushIndexOf(host, appRepo, '1', [...archs.map((a) => entryFor(out.app1[a])), attestation, artifact]);
  const built = [b1a, b1r, b2a, b2r, ...apps];
  return {
    base1: out.base1,
    base2: out.base2,
    app1: out.app1,
    app1Index: { ...appIndex, attestation, artifact },
    base2AmdOnlyDigest: base2AmdOnly.digest,
    built,
    async cleanup() {
      await Promise.all(built.map((b) => b.cleanup()));
    },
  };
}

// ---- Windows: foreign base layers, os.version releases, nanoserver and servercore --------------

export interface WindowsImages {
  /** windows/nanoserver:<os.version> for 10.0.14393.1884, .2068 and 10.0.16299.125, .192. */
  nano: Record<'A1' | 'A2' | 'B1' | 'B2', RawImage>;
  servercore: RawImage;
  /** winapp:1.0-1607 on nano A1 (14393.1884) and winapp:1.0-1709 on nano B1 (16299.125), Docker schema 2. */
  app1607: RawImage;
  app1709: RawImage;
  /** ociwin/nanoserver and ociwinapp: the same with OCI non-distributable layers. */
  ociBase: Record<'A1' | 'A2', RawImage>;
  ociApp: RawImage;
  /** Every foreign layer digest of every fixture: none may ever be requested. */
  foreignDigests: string[];
}

const win = (v: string): PlatformFields => ({ os: 'windows', architecture: 'amd64', 'os.version': v });

/**
 * Windows-like images as MCR serves them: base layers are foreign (`urls`, no blob), app layers
 * real. Tags of windows/nanoserver: each os.version, `1709` (= 10.0.16299.125), `sac2017` (index
 * of .1884 and .125) and `sac2018` (index of .1884, .2068 and .192). winapp:1.0 is a list of the
 * 1607 app alone; winapp:2.0 a list of both apps.
 */
export async function seedWindowsImages(host: string): Promise<WindowsImages> {
  const nanoRepo = 'windows/nanoserver';
  const base14393 = foreignLayer('10.0.14393.0');
  const A1 = await craftImage({ host, repo: nanoRepo, tag: '10.0.14393.1884', platform: win('10.0.14393.1884'), layers: [base14393, foreignLayer('10.0.14393.1884 update')] });
  const A2 = await craftImage({ host, repo: nanoRepo, tag: '10.0.14393.2068', platform: win('10.0.14393.2068'), layers: [base14393, foreignLayer('10.0.14393.2068 update')] });
  const B1 = await craftImage({ host, repo: nanoRepo, tag: '10.0.16299.125', platform: win('10.0.16299.125'), layers: [foreignLayer('10.0.16299.125')] });
  // A newer 1709 with a distributable layer on top of the foreign one, so pushes mount something.
  const fixups = await uploadedLayer(host, nanoRepo, 'nanoserver 10.0.16299.192 fixups');
  const B2 = await craftImage({ host, repo: nanoRepo, tag: '10.0.16299.192', platform: win('10.0.16299.192'), layers: [foreignLayer('10.0.16299.192'), fixups] });
  await putManifest(host, nanoRepo, '1709', B1.body, B1.mediaType);
  await pushIndexOf(host, nanoRepo, 'sac2017', [entryFor(A1), entryFor(B1)], { docker: true });
  await pushIndexOf(host, nanoRepo, 'sac2018', [entryFor(A1), entryFor(A2), entryFor(B2)], { docker: true });

  const servercore = await craftImage({
    host,
    repo: 'windows/servercore',
    tag: '10.0.14393.2068',
    platform: win('10.0.14393.2068'),
    layers: [foreignLayer('servercore 10.0.14393.0'), foreignLayer('servercore 10.0.14393.2068 update')],
  });

  const appOn = async (repo: string, tag: string, base: RawImage, format: 'docker' | 'oci'): Promise<RawImage> => {
    const own: RawLayer[] = [];
    for (const l of base.layers.filter((x) => !x.foreign)) await mountBlob(host, repo, l.descriptor.digest, base.repo);
    own.push(await uploadedLayer(host, repo, `COPY app.exe C:\\app\\ (${tag})`, format));
    own.push(await uploadedLayer(host, repo, `RUN reg add HKLM\\Software\\App (${tag})`, format));
    return craftImage({
      host,
      repo,
      tag,
      platform: base.platform,
      format,
      layers: [...base.layers, ...own],
      config: { Cmd: ['C:\\app\\app.exe'], Labels: { 'org.example.app': 'winapp' }, WorkingDir: 'C:\\app' },
      trailingHistory: ['CMD ["C:\\\\app\\\\app.exe"]'],
    });
  };
  const app1607 = await appOn('winapp', '1.0-1607', A1, 'docker');
  const app1709 = await appOn('winapp', '1.0-1709', B1, 'docker');
  await pushIndexOf(host, 'winapp', '1.0', [entryFor(app1607)], { docker: true });
  await pushIndexOf(host, 'winapp', '2.0', [entryFor(app1607), entryFor(app1709)], { docker: true });

  const ociBaseLayer = foreignLayer('oci 10.0.14393.0', 'oci');
  const oA1 = await craftImage({ host, repo: 'ociwin/nanoserver', tag: '10.0.14393.1884', format: 'oci', platform: win('10.0.14393.1884'), layers: [ociBaseLayer, foreignLayer('oci 10.0.14393.1884 update', 'oci')] });
  const oA2 = await craftImage({ host, repo: 'ociwin/nanoserver', tag: '10.0.14393.2068', format: 'oci', platform: win('10.0.14393.2068'), layers: [ociBaseLayer, foreignLayer('oci 10.0.14393.2068 update', 'oci')] });
  const ociApp = await appOn('ociwinapp', '1', oA1, 'oci');

  const all = [A1, A2, B1, B2, servercore, app1607, app1709, oA1, oA2, ociApp];
  const foreignDigests = [...new Set(all.flatMap((i) => i.layers.filter((l) => l.foreign).map((l) => l.descriptor.digest)))];
  return { nano: { A1, A2, B1, B2 }, servercore, app1607, app1709, ociBase: { A1: oA1, A2: oA2 }, ociApp, foreignDigests };
}
