/**
 * Compares the package databases of two images, each package by the rules of its own
 * distribution's version order.
 */
import { compareApkVersions } from './versions/apk';
import { compareDebVersions } from './versions/dpkg';
import { compareRpmVersions } from './versions/rpm';
import { ImageContents } from './merge';
import { InstalledPackage, PackageDiff, PackageFormat } from './types';

const ORDER: Record<PackageFormat, (a: string, b: string) => number> = {
  dpkg: compareDebVersions,
  apk: compareApkVersions,
  rpm: compareRpmVersions,
};

/** The package part of a PackageDiff: what the two images' databases say, before OS and cost. */
export type PackageComparison = Pick<PackageDiff, 'upgraded' | 'downgraded' | 'added' | 'removed' | 'unchanged' | 'formats'>;

/**
 * Packages by name within one format. A name installed for two architectures (multiarch
 * libc6:amd64 and libc6:i386) is told apart by its architecture; rpm's install-only packages
 * (several kernels) keep every version under the one name.
 */
function byName(pkgs: InstalledPackage[]): Map<string, string[]> {
  const arches = new Map<string, Set<string>>();
  for (const p of pkgs) (arches.get(p.name) ?? arches.set(p.name, new Set()).get(p.name)!).add(p.arch ?? '');
  const out = new Map<string, string[]>();
  for (const p of pkgs) {
    const key = arches.get(p.name)!.size > 1 && p.arch ? `${p.name}:${p.arch}` : p.name;
    const list = out.get(key) ?? out.set(key, []).get(key)!;
    if (!list.includes(p.version)) list.push(p.version);
  }
  return out;
}

function packagesOf(c: ImageContents | undefined, f: PackageFormat): InstalledPackage[] {
  return (c?.databases ?? []).filter((d) => d.format === f).flatMap((d) => d.packages);
}

export function comparePackages(oldImage: ImageContents | undefined, newImage: ImageContents | undefined): PackageComparison {
  const out: PackageComparison = { upgraded: [], downgraded: [], added: [], removed: [], unchanged: 0, formats: [] };
  const formats = new Set<PackageFormat>([...(oldImage?.databases ?? []), ...(newImage?.databases ?? [])].map((d) => d.format));
  for (const format of (['dpkg', 'apk', 'rpm'] as const).filter((f) => formats.has(f))) {
    out.formats.push(format);
    const cmp = ORDER[format];
    const before = byName(packagesOf(oldImage, format));
    const after = byName(packagesOf(newImage, format));
    for (const [name, olds] of before) {
      const news = after.get(name);
      if (!news) {
        for (const v of olds) out.removed.push({ name, version: v });
      } else if (olds.length === 1 && news.length === 1) {
        const d = cmp(olds[0], news[0]);
        if (d < 0) out.upgraded.push({ name, from: olds[0], to: news[0] });
        else if (d > 0) out.downgraded.push({ name, from: olds[0], to: news[0] });
        else out.unchanged++;
      } else {
        // Several versions side by side: what went away and what came, version by version.
        for (const v of olds) if (!news.some((n) => cmp(n, v) === 0)) out.removed.push({ name, version: v });
        for (const v of news) if (!olds.some((o) => cmp(o, v) === 0)) out.added.push({ name, version: v });
        if (olds.some((v) => news.some((n) => cmp(n, v) === 0))) out.unchanged++;
      }
    }
    for (const [name, news] of after) if (!before.has(name)) for (const v of news) out.added.push({ name, version: v });
  }
  const byPkg = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  out.upgraded.sort(byPkg);
  out.downgraded.sort(byPkg);
  out.added.sort(byPkg);
  out.removed.sort(byPkg);
  return out;
}
