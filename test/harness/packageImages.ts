/**
 * Base images with real package databases, built in the test run: Debian (umoci, a two-layer old
 * base, apps with and without their own dpkg database), Alpine, distroless status.d, a base whose
 * later layer deletes its database, and crafted layers for rpm (rpmdb.sqlite made with sql.js),
 * opaque directories, plain tar, zstd and Berkeley DB.
 */
import { buildImage, pushImage, type OciLayoutImage } from './fixtures';
import { fetchManifest } from './rawRegistry';
import { imageOfLayers, uploadTarLayer } from './tarLayers';
import {
  GPG_PUBKEY,
  alpineOsRelease,
  apkInstalled,
  debianOsRelease,
  distrolessStanza,
  dpkgStatus,
  rhelOsRelease,
  rpmdbSqlite,
  type Pkg,
  type RpmPkg,
} from './packageDbs';

const pkgs = (list: Array<[string, string]>): Pkg[] => list.map(([name, version]) => ({ name, version }));

export const DEB_OLD = pkgs([
  ['base-files', '12.4+deb12u5'],
  ['libc6', '2.36-9+deb12u4'],
  ['libdb5.3', '5.3.28+dfsg2-1'],
  ['libgcrypt20', '1.10.1-3'],
  ['libssl3', '3.0.11-1~deb12u2'],
  ['openssl', '3.0.11-1~deb12u2'],
  ['tzdata', '2024a-0+deb12u1'],
]);
/** Installed by the old base's second layer. */
export const DEB_OLD_LAYER2 = pkgs([['ca-certificates', '20230311']]);
export const DEB_NEW = pkgs([
  ['base-files', '12.4+deb12u8'],
  ['ca-certificates', '20230311'],
  ['libc6', '2.36-9+deb12u9'],
  ['libgcrypt20', '1.10.1-3'],
  ['libssl3', '3.0.15-1~deb12u1'],
  ['libzstd1', '1.5.4+dfsg2-5'],
  ['openssl', '3.0.15-1~deb12u1'],
  ['tzdata', '2024b-0+deb12u1'],
]);

export interface PackageImages {
  /** "HOST/repo:tag" of each image. */
  refs: Record<'debOld' | 'debNew' | 'app' | 'aptApp' | 'alpOld' | 'alpNew' | 'dlOld' | 'dlNew' | 'wiped' | 'rpmOld' | 'rpmNew' | 'opaque' | 'zstd' | 'bdb', string>;
  /** Layer digests of each image, to tell layer GETs from config GETs in -v logs. */
  layers: Record<string, string[]>;
  cleanup(): Promise<void>;
}

async function layersOf(host: string, ref: string): Promise<string[]> {
  const [repoPart, tag] = ref.slice(host.length + 1).split(':');
  return (await fetchManifest(host, repoPart, tag)).json.layers.map((l) => l.digest);
}

export async function seedPackageImages(host: string): Promise<PackageImages> {
  const built: OciLayoutImage[] = [];
  const keep = <T extends OciLayoutImage>(i: T): T => (built.push(i), i);

  // Debian: the old base in two layers (its second installs ca-certificates), the new in one.
  const debOld = keep(
    await buildImage({
      layers: [
        { files: { '/etc/os-release': debianOsRelease('12', 'bookworm'), '/etc/debian_version': '12.5\n', '/var/lib/dpkg/status': dpkgStatus(DEB_OLD, pkgs([['exim4', '4.96-15']])) }, createdBy: 'ADD rootfs.tar.xz /' },
        { files: { '/var/lib/dpkg/status': dpkgStatus([...DEB_OLD, ...DEB_OLD_LAYER2]), '/etc/ssl/certs/ca.pem': 'cert\n' }, createdBy: 'RUN apt-get install -y ca-certificates' },
      ],
    }),
  );
  const debNew = keep(
    await buildImage({
      layers: [{ files: { '/etc/os-release': debianOsRelease('12', 'bookworm'), '/etc/debian_version': '12.8\n', '/var/lib/dpkg/status': dpkgStatus(DEB_NEW) }, createdBy: 'ADD rootfs.tar.xz /' }],
    }),
  );
  const app = keep(await buildImage({ base: debOld, layers: [{ files: { '/app/run.sh': 'echo hi\n' }, createdBy: 'COPY run.sh /app/' }] }));
  const aptApp = keep(
    await buildImage({
      base: debOld,
      layers: [
        { files: { '/app/run.sh': 'curl example.org\n' }, createdBy: 'COPY run.sh /app/' },
        { files: { '/var/lib/dpkg/status': dpkgStatus([...DEB_OLD, ...DEB_OLD_LAYER2, { name: 'curl', version: '7.88.1-10+deb12u5' }]), '/usr/bin/curl': 'curl\n' }, createdBy: '/bin/sh -c apt-get install -y curl' },
      ],
    }),
  );

  // Alpine.
  const alp = (version: string, list: Array<[string, string]>) =>
    buildImage({ layers: [{ files: { '/etc/os-release': alpineOsRelease(version), '/lib/apk/db/installed': apkInstalled(pkgs(list)) }, createdBy: `ADD alpine-minirootfs-${version}.tar.gz /` }] });
  const alpOld = keep(await alp('3.19.1', [['musl', '1.2.4_git20230717-r4'], ['busybox', '1.36.1-r15'], ['zlib', '1.3.1-r0'], ['libcrypto3', '3.1.4-r5'], ['scanelf', '1.3.7-r2']]));
  const alpNew = keep(await alp('3.19.4', [['musl', '1.2.4_git20230717-r4'], ['busybox', '1.36.1-r19'], ['zlib', '1.3.1-r0'], ['libcrypto3', '3.1.7-r1'], ['ssl_client', '1.36.1-r19']]));

  // distroless: one status.d file per package, with its .md5sums beside it.
  const dl = (list: Array<[string, string]>) =>
    buildImage({
      layers: [{ files: Object.fromEntries([['/etc/os-release', debianOsRelease('12', 'bookworm')], ...list.flatMap(([name, version]) => [[`/var/lib/dpkg/status.d/${name}`, distrolessStanza({ name, version })], [`/var/lib/dpkg/status.d/${name}.md5sums`, '0123456789abcdef  usr/lib/x\n']])]), createdBy: 'bazel build //base:static' }],
    });
  const dlOld = keep(await dl([['base-files', '12.4+deb12u5'], ['netbase', '6.4'], ['tzdata', '2024a-0+deb12u1']]));
  const dlNew = keep(await dl([['base-files', '12.4+deb12u8'], ['netbase', '6.4'], ['tzdata', '2024b-0+deb12u1'], ['libc6', '2.36-9+deb12u9']]));

  // A base whose later layer deletes the dpkg database (umoci writes the whiteout).
  const wiped = keep(await buildImage({ base: debNew, layers: [{ delete: ['/var/lib/dpkg/status'] }] }));

  const push = async (img: OciLayoutImage, repoTag: string) => {
    await pushImage(img, `${host}/${repoTag}`);
    return `${host}/${repoTag}`;
  };
  const refs = {
    debOld: await push(debOld, 'deb/base:12.5'),
    debNew: await push(debNew, 'deb/base:12.8'),
    app: '',
    aptApp: '',
    alpOld: await push(alpOld, 'alpine:3.19.1'),
    alpNew: await push(alpNew, 'alpine:3.19.4'),
    dlOld: await push(dlOld, 'distroless/base:old'),
    dlNew: await push(dlNew, 'distroless/base:new'),
    wiped: await push(wiped, 'deb/base:wiped'),
    ...(await seedCrafted(host)),
  };
  refs.app = await push(app, 'deb/app:1');
  refs.aptApp = await push(aptApp, 'deb/aptapp:1');
  const layers: Record<string, string[]> = {};
  for (const [k, ref] of Object.entries(refs)) layers[k] = await layersOf(host, ref);
  return { refs, layers, cleanup: async () => void (await Promise.all(built.map((b) => b.cleanup()))) };
}

export const RPM_OLD: RpmPkg[] = [
  { name: 'bash', version: '5.1.8', release: '6.el9_1' },
  { name: 'glibc', version: '2.34', release: '100.el9_4.2' },
  { name: 'openssl-libs', version: '3.0.7', release: '24.el9', epoch: 1 },
  { name: 'python3-libs', version: '3.9.18', release: '3.el9' },
  GPG_PUBKEY,
];
export const RPM_NEW: RpmPkg[] = [
  { name: 'bash', version: '5.1.8', release: '9.el9' },
  { name: 'glibc', version: '2.34', release: '100.el9_4.2' },
  { name: 'openssl-libs', version: '3.0.7', release: '27.el9', epoch: 1 },
  { name: 'libzstd', version: '1.5.1', release: '2.el9' },
  GPG_PUBKEY,
];

/** Images whose layers are written entry by entry (see tarLayers.ts). */
async function seedCrafted(host: string) {
  const rpmBase = async (tag: string, version: string, list: RpmPkg[], compression: 'gzip' | 'none') => {
    const layer = await uploadTarLayer(
      host,
      'ubi',
      [
        { path: 'usr/lib/os-release', content: rhelOsRelease(version) },
        { path: 'etc/os-release', symlink: '../usr/lib/os-release' },
        { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: await rpmdbSqlite(list) },
        { path: 'var/lib/rpm', symlink: '../../usr/lib/sysimage/rpm' },
      ],
      compression,
    );
    return (await imageOfLayers(host, 'ubi', tag, [layer])).ref;
  };
  const debStatus = (list: Array<[string, string]>) => dpkgStatus(pkgs(list));
  // Opaque: the second layer hides the first's status.d entries and brings its own.
  const opaque = await imageOfLayers(host, 'crafted', 'opaque', [
    await uploadTarLayer(host, 'crafted', [
      { path: 'var/lib/dpkg/status.d/a', content: distrolessStanza({ name: 'a', version: '1' }) },
      { path: 'var/lib/dpkg/status.d/b', content: distrolessStanza({ name: 'b', version: '1' }) },
    ]),
    await uploadTarLayer(host, 'crafted', [
      { path: 'var/lib/dpkg/status.d/.wh..wh..opq', content: '' },
      { path: 'var/lib/dpkg/status.d/c', content: distrolessStanza({ name: 'c', version: '2' }) },
    ]),
  ]);
  // zstd: the second layer is never downloaded, and said to be unread.
  const zstd = await imageOfLayers(host, 'crafted', 'zstd', [
    await uploadTarLayer(host, 'crafted', [{ path: 'var/lib/dpkg/status', content: debStatus([['libc6', '2.36-9+deb12u4']]) }], 'none'),
    await uploadTarLayer(host, 'crafted', [{ path: 'var/lib/dpkg/status', content: debStatus([['libc6', '2.36-9+deb12u9']]) }], 'zstd'),
  ]);
  const bdb = await imageOfLayers(host, 'crafted', 'bdb', [
    await uploadTarLayer(host, 'crafted', [
      { path: 'etc/redhat-release', content: 'CentOS Linux release 7.9.2009 (Core)\n' },
      { path: 'var/lib/rpm/Packages', content: Buffer.alloc(8192, 0x61) },
    ]),
  ]);
  return {
    rpmOld: await rpmBase('9.3', '9.3', RPM_OLD, 'gzip'),
    rpmNew: await rpmBase('9.4', '9.4', RPM_NEW, 'none'),
    opaque: opaque.ref,
    zstd: zstd.ref,
    bdb: bdb.ref,
  };
}
