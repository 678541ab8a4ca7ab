/**
 * The platforms of an index's images: which image of the new base each one is rebased onto, the
 * refusal when one has none, and the platform a rebased image's new index entry carries.
 */
import { UserError } from '../errors';
import { Descriptor, ImageConfig, Platform } from '../manifest';
import type { ImageDocuments } from './plan';
import type { BaseImages, IndexSource } from './planIndex';
import { Candidate, MatchHow, PlatformLike, choosePlatform, formatPlatformLike } from './platformMatch';

/** The platform an image entry is selected by: the descriptor's, completed from the config. */
export function entryPlatform(descriptor: Descriptor | undefined, config: ImageConfig): PlatformLike {
  const p = descriptor?.platform;
  const osVersion = config['os.version'] ?? p?.['os.version'];
  return {
    os: p?.os ?? config.os,
    architecture: p?.architecture ?? config.architecture,
    ...(p?.variant ?? config.variant ? { variant: p?.variant ?? config.variant } : {}),
    ...(osVersion ? { 'os.version': osVersion } : {}),
  };
}

export interface ChildMatch {
  descriptor: Descriptor;
  docs: ImageDocuments;
  platform: PlatformLike;
  result:
    | { matched: true; base: { descriptor?: Descriptor; docs: ImageDocuments }; how: MatchHow; warning?: string }
    | { matched: false; reason: string };
}

/**
 * Matches every image entry of the source to the new base's image of the same os, architecture
 * and variant (Windows: same build, newest revision; see platformMatch.ts). A move to another
 * Windows release is only taken when no other image of the source already lands on that base
 * image, so the new index never lists one platform twice.
 */
export function matchIndexChildren(source: IndexSource, newBase: BaseImages): ChildMatch[] {
  const candidates: Array<Candidate<BaseImages['images'][number]>> = newBase.images.map((b) => ({
    platform: entryPlatform(b.descriptor, b.docs.config),
    item: b,
  }));
  const out: ChildMatch[] = [];
  for (const d of source.index.manifest.manifests) {
    const docs = source.images.get(d.digest);
    if (!docs) continue;
    const platform = entryPlatform(d, docs.config);
    const r = choosePlatform(platform, candidates, { osVersion: 'newest', variant: 'strict', baseName: `the new base ${newBase.reference}` });
    out.push({
      descriptor: d,
      docs,
      platform,
      result: r.matched ? { matched: true, base: r.item, how: r.how, warning: r.warning } : { matched: false, reason: r.reason },
    });
  }
  // A release change must not collide with an image that matched that base image properly.
  const uses = new Map<ImageDocuments, ChildMatch[]>();
  for (const m of out) if (m.result.matched) uses.set(m.result.base.docs, [...(uses.get(m.result.base.docs) ?? []), m]);
  for (const group of uses.values()) {
    if (group.length < 2) continue;
    for (const m of group) {
      if (m.result.matched && m.result.how === 'release-change') {
        const base = m.result.base;
        m.result = {
          matched: false,
          reason: `the new base ${newBase.reference} offers only Windows ${base.docs.config['os.version'] ?? 'unversioned'} for ${formatPlatformLike(m.platform, false)}, which another image of the source already uses`,
        };
      }
    }
  }
  return out;
}

/** Without --keep-unmatched, an image with no new base stops the whole rebase, naming them all. */
export function refuseUnmatched(sourceReference: string, matches: ChildMatch[]): void {
  const unmatched = matches.filter((m) => !m.result.matched);
  if (unmatched.length === 0) return;
  const list = unmatched.map((m) => formatPlatformLike(m.platform)).join(', ');
  const reasons = unmatched.map((m) => (m.result.matched ? '' : m.result.reason)).join('; ');
  throw new UserError(
    'platform',
    `No new base for ${list} of ${sourceReference} (${reasons}); add --keep-unmatched to keep ${unmatched.length === 1 ? 'it' : 'them'} unchanged in the new index, or rebase one platform with --platform.`,
  );
}

/** The platform fields of a rebased child's index entry: from the new config, then the new base's entry. */
export function refreshedPlatform(config: ImageConfig, sourceEntry: Platform | undefined, baseEntry: Platform | undefined): Platform {
  const p: Platform = { architecture: config.architecture, os: config.os };
  const osVersion = config['os.version'] ?? baseEntry?.['os.version'];
  if (osVersion) p['os.version'] = osVersion;
  const osFeatures = config['os.features'] ?? baseEntry?.['os.features'];
  if (osFeatures?.length) p['os.features'] = [...osFeatures];
  const variant = config.variant ?? baseEntry?.variant ?? sourceEntry?.variant;
  if (variant) p.variant = variant;
  const features = baseEntry?.features ?? sourceEntry?.features;
  if (features?.length) p.features = [...features];
  return p;
}
