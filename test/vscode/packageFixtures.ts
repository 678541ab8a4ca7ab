/**
 * A Debian-like base pair for the package section (suite and UI test), crafted layer by layer
 * (no umoci: a few small uploads): pkgs/debian:12.5 and :12.8 with real dpkg status files, and
 * pkgs/app:1 on 12.5 whose app layer rewrote the dpkg database (apt-get install curl), which the
 * comparison warns about. 12.8 upgrades five packages, adds two, removes one, downgrades zlib1g.
 */
import { DEB_NEW, DEB_OLD } from '../harness/packageImages';
import { debianOsRelease, dpkgStatus, type Pkg } from '../harness/packageDbs';
import { imageOfLayers, uploadTarLayer, type TarEntry } from '../harness/tarLayers';

const ZLIB_OLD: Pkg = { name: 'zlib1g', version: '1:1.2.13.dfsg-1' };
const ZLIB_NEW: Pkg = { name: 'zlib1g', version: '1:1.2.11.dfsg-4' };
export const PKG_OLD: Pkg[] = [...DEB_OLD, ZLIB_OLD];
export const PKG_NEW: Pkg[] = [...DEB_NEW, ZLIB_NEW];

const rootfs = (point: string, pkgs: Pkg[]): TarEntry[] => [
  { path: 'etc/os-release', content: debianOsRelease('12', 'bookworm') },
  { path: 'etc/debian_version', content: `${point}\n` },
  { path: 'var/lib/dpkg/status', content: dpkgStatus(pkgs) },
  { path: 'usr/bin/sh', content: '#!sh\n' },
];

export async function seedPackageFixtures(host: string): Promise<Record<'old' | 'new' | 'app', string>> {
  const oldEntries = rootfs('12.5', PKG_OLD);
  const [oldLayer, newLayer, appBase] = await Promise.all([
    uploadTarLayer(host, 'pkgs/debian', oldEntries, 'gzip', 'ADD rootfs-12.5.tar.xz /'),
    uploadTarLayer(host, 'pkgs/debian', rootfs('12.8', PKG_NEW), 'gzip', 'ADD rootfs-12.8.tar.xz /'),
    // The same bytes again, into the app's repository: the app's first layer is the old base's.
    uploadTarLayer(host, 'pkgs/app', oldEntries, 'gzip', 'ADD rootfs-12.5.tar.xz /'),
  ]);
  const appLayer = await uploadTarLayer(
    host,
    'pkgs/app',
    [
      { path: 'var/lib/dpkg/status', content: dpkgStatus([...PKG_OLD, { name: 'curl', version: '7.88.1-10+deb12u5' }]) },
      { path: 'usr/bin/curl', content: 'curl\n' },
    ],
    'gzip',
    '/bin/sh -c apt-get install -y curl',
  );
  const [o, n, a] = await Promise.all([
    imageOfLayers(host, 'pkgs/debian', '12.5', [oldLayer]),
    imageOfLayers(host, 'pkgs/debian', '12.8', [newLayer]),
    imageOfLayers(host, 'pkgs/app', '1', [appBase, appLayer]),
  ]);
  return { old: o.ref, new: n.ref, app: a.ref };
}
