/** Turns the bytes of a tracked file into what the layer scan keeps of it. */
import { parseApkInstalled } from './formats/apk';
import { parseDpkgStatus } from './formats/dpkg';
import { parseOsRelease } from './formats/osRelease';
import { RpmdbError, parseRpmdbSqlite } from './formats/rpmdb';
import { TrackedFile } from './layerScan';
import { TrackedKind } from './paths';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest file of each kind that is read into memory; bigger ones are reported, not read. */
export const FILE_CAPS: Record<Exclude<TrackedKind, 'rpm-unsupported'>, number> = {
  dpkg: 32 * MiB,
  'dpkg-d': 1 * MiB,
  apk: 32 * MiB,
  'rpm-sqlite': 64 * MiB,
  'os-release': 64 * KiB,
  'debian-version': 4 * KiB,
};

export function formatSize(bytes: number): string {
  if (bytes < KiB) return `${bytes} B`;
  return bytes >= MiB ? `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MiB` : `${Math.ceil(bytes / KiB)} KiB`;
}

export async function parseTracked(kind: Exclude<TrackedKind, 'rpm-unsupported'>, bytes: Buffer): Promise<TrackedFile> {
  switch (kind) {
    case 'dpkg':
      return { type: 'packages', format: 'dpkg', packages: parseDpkgStatus(bytes.toString('utf8')) };
    case 'dpkg-d':
      return { type: 'packages', format: 'dpkg', packages: parseDpkgStatus(bytes.toString('utf8'), true) };
    case 'apk':
      return { type: 'packages', format: 'apk', packages: parseApkInstalled(bytes.toString('utf8')) };
    case 'os-release':
      return { type: 'os-release', os: parseOsRelease(bytes.toString('utf8')) };
    case 'debian-version':
      return { type: 'text', text: bytes.toString('utf8').trim().slice(0, 100) };
    case 'rpm-sqlite':
      try {
        return { type: 'packages', format: 'rpm', packages: await parseRpmdbSqlite(bytes) };
      } catch (e) {
        if (e instanceof RpmdbError) return { type: 'unreadable', why: e.message };
        throw e;
      }
  }
}

export function tooLarge(kind: Exclude<TrackedKind, 'rpm-unsupported'>, size: number): TrackedFile {
  return { type: 'unreadable', why: `it is ${formatSize(size)}, over the ${formatSize(FILE_CAPS[kind])} limit for such a file` };
}
