/**
 * Which image of a multi-platform base belongs under which image of a source: pure rules, shared
 * by the single-image path (resolving a new or old base index), the index rebase and the
 * manifest-list builder.
 *
 * - os, architecture and variant must agree (variants normalised as containerd does: arm64 is
 *   v8, arm is v7, amd64 is v1 when unset).
 * - Windows images also carry `os.version` (major.minor.build.revision). A Windows container runs
 *   only on a host of the same build (process isolation), so a base of the same major.minor.build
 *   is chosen, the newest revision of it (patches come as revisions). An old base is matched on
 *   the exact version first, since that is what the image was built on.
 * - When the base offers exactly one other Windows release for the platform, the user named that
 *   release on purpose (the 10.0.14393 → 1709 move): it is taken, with a warning saying so.
 */

export interface PlatformLike {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
  revision: number;
}

const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

export function normalizeVariant(architecture: string, variant: string | undefined): string {
  return variant || DEFAULT_VARIANT[architecture] || '';
}

/** os, architecture and (normalised) variant agree. */
export function samePlatform(a: PlatformLike, b: PlatformLike): boolean {
  return a.os === b.os && a.architecture === b.architecture && normalizeVariant(a.architecture, a.variant) === normalizeVariant(b.architecture, b.variant);
}

/** Like samePlatform, but a side without a variant accepts any (how a user's --platform reads). */
export function platformAccepts(want: PlatformLike, have: PlatformLike): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (!want.variant || !have.variant) return true;
  return normalizeVariant(want.architecture, want.variant) === normalizeVariant(have.architecture, have.variant);
}

export function parseWindowsVersion(v: string | undefined): WindowsVersion | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), build: Number(m[3]), revision: Number(m[4] ?? 0) };
}

/** "10.0.14393" for "10.0.14393.1884"; the part that must match the host. */
export function windowsBuild(v: string | undefined): string | undefined {
  const p = parseWindowsVersion(v);
  return p ? `${p.major}.${p.minor}.${p.build}` : undefined;
}

export function sameWindowsBuild(a: string | undefined, b: string | undefined): boolean {
  const x = windowsBuild(a);
  return x !== undefined && x === windowsBuild(b);
}

function compareWindowsVersions(a: string | undefined, b: string | undefined): number {
  const x = parseWindowsVersion(a);
  const y = parseWindowsVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  return x.major - y.major || x.minor - y.minor || x.build - y.build || x.revision - y.revision;
}

export function formatPlatformLike(p: PlatformLike, withOsVersion = true): string {
  const s = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
  return withOsVersion && p['os.version'] ? `${s} (${p['os.version']})` : s;
}

export interface Candidate<T> {
  platform: PlatformLike;
  item: T;
}

export type MatchHow = 'platform' | 'exact-os-version' | 'same-build' | 'release-change';

export type MatchResult<T> =
  | { matched: true; item: T; platform: PlatformLike; how: MatchHow; warning?: string }
  | { matched: false; reason: string };

export interface MatchOptions {
  /** 'newest': same build, newest revision (a new base). 'exact': the exact os.version first (an old base). */
  osVersion?: 'newest' | 'exact';
  /** Take the base's only other Windows release when it has none of the same build. Default true. */
  allowReleaseChange?: boolean;
  /** 'strict' (index children) or 'lenient' (a --platform without variant accepts any). */
  variant?: 'strict' | 'lenient';
  /** Name of the base, for messages. */
  baseName?: string;
}

/**
 * Picks the candidate for `want`. Never throws: a failed match says why, so callers can refuse,
 * keep the image unchanged or search elsewhere as their context requires.
 */
export function choosePlatform<T>(want: PlatformLike, candidates: Candidate<T>[], opts: MatchOptions = {}): MatchResult<T> {
  const base = opts.baseName ?? 'the new base';
  const accepts = opts.variant === 'lenient' ? platformAccepts : samePlatform;
  const same = candidates.filter((c) => accepts(want, c.platform));
  if (same.length === 0) {
    const have = [...new Set(candidates.map((c) => formatPlatformLike(c.platform, false)))].join(', ') || 'none';
    return { matched: false, reason: `${base} has no image for ${formatPlatformLike(want, false)} (it has: ${have})` };
  }
  const wantVersion = want['os.version'];
  if (want.os !== 'windows' || !parseWindowsVersion(wantVersion)) {
    return { matched: true, item: same[0].item, platform: same[0].platform, how: 'platform' };
  }
  if (opts.osVersion === 'exact') {
    const exact = same.find((c) => c.platform['os.version'] === wantVersion);
    if (exact) return { matched: true, item: exact.item, platform: exact.platform, how: 'exact-os-version' };
  }
  const sameBuild = same.filter((c) => sameWindowsBuild(c.platform['os.version'], wantVersion));
  if (sameBuild.length > 0) {
    const newest = sameBuild.reduce((a, b) => (compareWindowsVersions(b.platform['os.version'], a.platform['os.version']) > 0 ? b : a));
    return { matched: true, item: newest.item, platform: newest.platform, how: 'same-build' };
  }
  const builds = [...new Set(same.map((c) => windowsBuild(c.platform['os.version']) ?? 'unversioned'))];
  if (builds.length === 1 && (opts.allowReleaseChange ?? true)) {
    const only = same.reduce((a, b) => (compareWindowsVersions(b.platform['os.version'], a.platform['os.version']) > 0 ? b : a));
    const to = only.platform['os.version'] ?? 'an unversioned Windows release';
    return {
      matched: true,
      item: only.item,
      platform: only.platform,
      how: 'release-change',
      warning: `${base} has no Windows ${windowsBuild(wantVersion)} image for ${formatPlatformLike(want, false)}, so Windows ${to}, the only release it offers, was taken as you named it.`,
    };
  }
  return {
    matched: false,
    reason: `${base} has no Windows ${windowsBuild(wantVersion)} image for ${formatPlatformLike(want, false)} (it has ${builds.join(', ')}), and with several releases on offer the one to move to is not clear`,
  };
}

export type WindowsFamily = 'nanoserver' | 'servercore';

/**
 * The Windows base family an image reference names (repository or tag): nanoserver and
 * servercore images carry different system files and registry hives, so app layers made on one
 * do not fit the other. Undefined when the name does not tell.
 */
export function windowsFamily(reference: string | undefined): WindowsFamily | undefined {
  if (!reference) return undefined;
  const name = reference.replace(/@.*$/, '').toLowerCase();
  const nano = /nanoserver/.test(name);
  const core = /servercore/.test(name);
  if (nano === core) return undefined;
  return nano ? 'nanoserver' : 'servercore';
}
