/** What the package diff reads from layers and reports: shared by the engine, the CLI and (later) the preview. */

export type PackageFormat = 'dpkg' | 'apk' | 'rpm';

export interface InstalledPackage {
  name: string;
  /** In the distribution's own notation: "1:2.38-5+deb12u1", "3.1.4-r5", "1:3.0.7-27.el9". */
  version: string;
  arch?: string;
}

/** The OS identity of a base: os-release fields, or Windows' os.version. */
export interface OsRelease {
  id?: string;
  name?: string;
  versionId?: string;
  prettyName?: string;
  /** The most precise release known: Debian's point release ("12.8") or Windows' os.version. */
  release?: string;
}

export interface PackageChange {
  name: string;
  from: string;
  to: string;
}

export interface PackageEntry {
  name: string;
  version: string;
}

/** The result of comparing the packages of two bases: the `packages` object of `--json`. */
export interface PackageDiff {
  os: { old: OsRelease | null; new: OsRelease | null };
  upgraded: PackageChange[];
  /** A base moving a package backwards is unusual enough to be a warning too. */
  downgraded: PackageChange[];
  added: PackageEntry[];
  removed: PackageEntry[];
  /** Packages present in both at the same version. */
  unchanged: number;
  /** Which package databases were compared ("dpkg", "rpm"…), old and new together. */
  formats: PackageFormat[];
  warnings: string[];
  /** What the comparison cost: layers read from the registry, and from the cache. */
  download: { layers: number; bytes: number; cachedLayers: number };
}
