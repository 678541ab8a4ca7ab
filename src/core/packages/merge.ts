/**
 * Applies layer scans in order, as a container runtime stacks layers: a later layer's whiteouts
 * and opaque directories hide what earlier layers put there, and its files replace theirs. What
 * remains says which package databases and which OS release the image has.
 */
import { withPointRelease } from './formats/osRelease';
import { LayerScan, TrackedFile } from './layerScan';
import { PATHS, isAtOrBelow } from './paths';
import { InstalledPackage, OsRelease, PackageFormat } from './types';

export interface PackageDatabase {
  format: PackageFormat;
  /** Where it was found ("var/lib/dpkg/status", "var/lib/dpkg/status.d"). */
  path: string;
  packages: InstalledPackage[];
}

/** What an image's layers, stacked, hold. */
export interface ImageContents {
  os?: OsRelease;
  databases: PackageDatabase[];
  /** What could not be read or understood, one sentence each, without the image's name. */
  notes: string[];
}

/** The tracked files visible at the top of the stack of layers. */
export function stackLayers(scans: LayerScan[]): Map<string, TrackedFile> {
  const files = new Map<string, TrackedFile>();
  const hide = (dir: string, self: boolean): void => {
    for (const p of [...files.keys()]) if (self ? isAtOrBelow(p, dir) : p.startsWith(`${dir}/`)) files.delete(p);
  };
  for (const scan of scans) {
    // Whiteouts and opaque markers act on the layers below, whatever their order in the tar.
    for (const dir of scan.opaque) hide(dir, false);
    for (const p of scan.deleted) hide(p, true);
    for (const [p, f] of Object.entries(scan.files)) files.set(p, f);
  }
  return files;
}

/** Follows links (a few hops: os-release is usually one) to the file they name. */
function resolve(files: Map<string, TrackedFile>, path: string): TrackedFile | undefined {
  let f = files.get(path);
  for (let hops = 0; f?.type === 'link' && hops < 8; hops++) f = files.get(f.target);
  return f?.type === 'link' ? undefined : f;
}

export function imageContents(scans: LayerScan[]): ImageContents {
  const files = stackLayers(scans);
  const notes: string[] = [];
  const databases: PackageDatabase[] = [];
  const take = (path: string): TrackedFile | undefined => {
    const f = resolve(files, path);
    if (f?.type === 'unreadable') notes.push(`${path} could not be read: ${f.why}.`);
    if (f?.type === 'unsupported') notes.push(`${path} is an rpm database in ${f.what} format, which is not supported (only rpmdb.sqlite is read); its packages are not compared.`);
    return f;
  };

  const dpkg = take(PATHS.dpkgStatus);
  if (dpkg?.type === 'packages') databases.push({ format: 'dpkg', path: PATHS.dpkgStatus, packages: dpkg.packages });
  const distroless: InstalledPackage[] = [];
  for (const p of [...files.keys()].filter((k) => k.startsWith(`${PATHS.dpkgStatusDir}/`)).sort()) {
    const f = take(p);
    if (f?.type === 'packages') distroless.push(...f.packages);
  }
  if (distroless.length) databases.push({ format: 'dpkg', path: PATHS.dpkgStatusDir, packages: distroless });

  const apk = take(PATHS.apkInstalled);
  if (apk?.type === 'packages') databases.push({ format: 'apk', path: PATHS.apkInstalled, packages: apk.packages });

  // /var/lib/rpm is often a link to /usr/lib/sysimage/rpm: the same database, counted once.
  for (const p of [...PATHS.rpmSqlite, ...PATHS.rpmUnsupported]) {
    if (databases.some((d) => d.format === 'rpm')) break;
    const f = take(p);
    if (f?.type === 'packages') databases.push({ format: 'rpm', path: p, packages: f.packages });
  }

  let os: OsRelease | undefined;
  for (const p of PATHS.osRelease) {
    const f = take(p);
    if (f?.type === 'os-release') {
      os = f.os;
      break;
    }
  }
  if (os) {
    const dv = resolve(files, PATHS.debianVersion);
    os = withPointRelease(os, os.id === 'debian' && dv?.type === 'text' ? dv.text : undefined);
  }
  return { os, databases, notes: [...new Set(notes)] };
}
