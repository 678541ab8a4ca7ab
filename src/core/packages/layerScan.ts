/**
 * What one layer contributes to the package view of an image: the tracked files it adds (parsed),
 * the tracked paths it whites out, the directories it makes opaque. Plain JSON, so that it can be
 * cached per layer digest and layers applied in order later without being read again.
 */
import { InstalledPackage, OsRelease, PackageFormat } from './types';

export type TrackedFile =
  | { type: 'packages'; format: PackageFormat; packages: InstalledPackage[] }
  | { type: 'os-release'; os: OsRelease }
  | { type: 'text'; text: string }
  /** A database in a format we do not read ("Berkeley DB"). */
  | { type: 'unsupported'; what: string }
  /** A database we could not read, and why ("it is 80 MiB, over the 64 MiB limit"). */
  | { type: 'unreadable'; why: string }
  /** A symbolic or hard link to another path (relative to the root). */
  | { type: 'link'; target: string }
  /** Header-only scans (app layers): the file is there; its content was not read. */
  | { type: 'present' };

export interface LayerScan {
  files: Record<string, TrackedFile>;
  /** Whited-out paths that are, or are above, tracked paths. */
  deleted: string[];
  /** Directories made opaque that are, or are above, tracked paths. */
  opaque: string[];
  /** Why the layer, or part of it, could not be read; empty when it was read whole. */
  notes: string[];
}

export type ScanMode = 'full' | 'headers';

export function emptyScan(notes: string[] = []): LayerScan {
  return { files: {}, deleted: [], opaque: [], notes };
}
