/**
 * App layers that carry a package database of their own. A RUN apt-get install (or apk add, dnf
 * install) in the app rewrites the whole database file in its layer; after a rebase that copy,
 * listing the old base's versions, sits above the new base's, and scanners report the old
 * versions (and their vulnerabilities) for the rebased image.
 */
import { shortDigest } from '../digest';
import { LayerScan } from './layerScan';
import { formatSize } from './parseTracked';
import { PATHS } from './paths';
import { PackageDiffRequest } from './request';
import { PackageDiffEstimate } from './work';

/** Whole-database files: one of these in an app layer hides the base's copy. */
const DATABASE_FILES: Array<[string, string]> = [
  [PATHS.dpkgStatus, 'dpkg'],
  [PATHS.apkInstalled, 'apk'],
  ...PATHS.rpmSqlite.map((p): [string, string] => [p, 'rpm']),
  ...PATHS.rpmUnsupported.map((p): [string, string] => [p, 'rpm']),
];

export function appLayerWarnings(app: NonNullable<PackageDiffRequest['app']>, plan: PackageDiffEstimate, scans: Map<string, LayerScan>): string[] {
  if (plan.appCheck === 'over-limit') {
    const appDigests = new Set(app.layers.map((l) => l.descriptor.digest));
    const bytes = plan.layers.filter((w) => w.role === 'app' && appDigests.has(w.descriptor.digest) && w.skipped === 'over-limit').reduce((n, w) => n + w.descriptor.size, 0);
    return [`The app layers of ${app.reference} were not checked for package databases of their own: they total ${formatSize(bytes)}, over the ${formatSize(plan.appScanLimit)} limit for that check.`];
  }
  const out: string[] = [];
  app.layers.forEach((l, i) => {
    const scan = scans.get(l.descriptor.digest);
    if (!scan) return;
    const found = DATABASE_FILES.filter(([p]) => scan.files[p] !== undefined);
    const removed = DATABASE_FILES.filter(([p]) => scan.deleted.some((d) => p === d || p.startsWith(`${d}/`)));
    const what = l.createdBy ? `, ${l.createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim().slice(0, 80)}` : '';
    const label = `App layer ${i + 1} of ${app.reference} (${shortDigest(l.descriptor.digest)}${what})`;
    for (const [p, f] of found) {
      out.push(`${label} carries its own ${f} database (${p}): after the rebase, scanners read that copy, which lists the old base's package versions, not the new base's; rebuild the image to refresh it.`);
    }
    for (const [p, f] of removed) out.push(`${label} deletes the ${f} database (${p}), so scanners will not see the new base's packages.`);
  });
  return out;
}

