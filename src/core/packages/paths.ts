/**
 * Which files of a layer matter, and which whiteouts can hide them. Paths are kept as tar gives
 * them, made relative (no leading "/" or "./"), since whiteouts name paths the same way.
 */
import { posix } from 'node:path';

export type TrackedKind = 'dpkg' | 'dpkg-d' | 'apk' | 'rpm-sqlite' | 'rpm-unsupported' | 'os-release' | 'debian-version';

export const PATHS = {
  dpkgStatus: 'var/lib/dpkg/status',
  dpkgStatusDir: 'var/lib/dpkg/status.d',
  apkInstalled: 'lib/apk/db/installed',
  rpmSqlite: ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'],
  /** Berkeley DB (rpm before 4.16) and ndb (SUSE): formats we do not read. */
  rpmUnsupported: ['var/lib/rpm/Packages', 'usr/lib/sysimage/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db'],
  osRelease: ['etc/os-release', 'usr/lib/os-release'],
  debianVersion: 'etc/debian_version',
} as const;

const EXACT = new Map<string, TrackedKind>([
  [PATHS.dpkgStatus, 'dpkg'],
  [PATHS.apkInstalled, 'apk'],
  ...PATHS.rpmSqlite.map((p) => [p, 'rpm-sqlite'] as [string, TrackedKind]),
  ...PATHS.rpmUnsupported.map((p) => [p, 'rpm-unsupported'] as [string, TrackedKind]),
  ...PATHS.osRelease.map((p) => [p, 'os-release'] as [string, TrackedKind]),
  [PATHS.debianVersion, 'debian-version'],
]);

/** Every directory above a tracked path: deleting or making one opaque can hide a database. */
const ANCESTORS = new Set<string>();
for (const p of [...EXACT.keys(), `${PATHS.dpkgStatusDir}/x`]) {
  for (let d = posix.dirname(p); d !== '.'; d = posix.dirname(d)) ANCESTORS.add(d);
}

/** A tar entry name as a relative path; undefined for names that climb out of the root. */
export function normalizeEntryPath(name: string): string | undefined {
  const n = posix.normalize(`/${name}`).replace(/^\/+/, '').replace(/\/+$/, '');
  return n === '' || n.startsWith('..') ? undefined : n;
}

export function trackedKind(path: string): TrackedKind | undefined {
  const exact = EXACT.get(path);
  if (exact) return exact;
  if (path.startsWith(`${PATHS.dpkgStatusDir}/`)) {
    const rest = path.slice(PATHS.dpkgStatusDir.length + 1);
    // distroless writes <package> and <package>.md5sums side by side; only the first is a stanza.
    if (!rest.includes('/') && !rest.endsWith('.md5sums')) return 'dpkg-d';
  }
  return undefined;
}

/** Whether removing `path` (a whiteout) or hiding what is below it (opaque) can change what we track. */
export function touchesTracked(path: string): boolean {
  return EXACT.has(path) || ANCESTORS.has(path) || path.startsWith(`${PATHS.dpkgStatusDir}/`);
}

/** `path` itself or anything below it. */
export function isAtOrBelow(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
