// The bulk of the scan fleet: every base × version × format × annotation combination, each image
// crafted from tiny named layers and pushed concurrently. Each image carries the verdict its
// construction implies, so a test asserts every row without hard-coding counts.
import { craft, namedLayer, type Crafted } from './scanFixtures';
import type { RawLayer } from './multiPlatform';

export interface MatrixBase {
  /** Short name used in repository names: deb, alp, nano. */
  key: string;
  /** The reference the scan is given with --base, and that annotations name. */
  tagRef: string;
  /** The image the tag pointed to when the old images were built, and the one it points to now. */
  old: Crafted;
  current: Crafted;
  /** What annotations record as the base digest for each version (an index, for Windows). */
  recorded: { old: string; current: string };
  /** False when the old base image is no longer under any tag (a layer search cannot name it). */
  oldTagged: boolean;
}

export interface MatrixImage {
  image: string; // repo:tag, without the host
  status: 'outdated' | 'up-to-date' | 'unknown-base';
  foundBy: 'annotation' | 'search' | null;
  /** Base image digest the verdict names, and the current image of the base tag. */
  baseDigest: string | null;
  currentDigest: string | null;
}

export async function seedMatrix(host: string, bases: MatrixBase[]): Promise<MatrixImage[]> {
  const jobs: Promise<MatrixImage>[] = [];
  for (const b of bases) {
    for (const version of ['old', 'current'] as const) {
      for (const format of ['docker', 'oci'] as const) {
        for (const annotated of [true, false]) {
          const repo = `gen/${b.key}-${format}-${annotated ? 'ann' : 'plain'}`;
          const tag = version === 'old' ? 'old' : 'new';
          const base = b[version];
          const name = `${repo}:${tag}`;
          const app: RawLayer[] = [namedLayer(`${name} app`, format), namedLayer(`${name} cfg`, format)];
          const annotations = annotated
            ? { 'org.opencontainers.image.base.name': `${host}/${b.tagRef}`, 'org.opencontainers.image.base.digest': b.recorded[version] }
            : undefined;
          const findable = annotated || version === 'current' || b.oldTagged;
          const expected: MatrixImage = {
            image: name,
            status: !findable ? 'unknown-base' : version === 'old' ? 'outdated' : 'up-to-date',
            foundBy: !findable ? null : annotated ? 'annotation' : 'search',
            baseDigest: findable ? base.digest : null,
            currentDigest: findable ? b.current.digest : null,
          };
          jobs.push(craft(host, { repo, tag, format, layers: [...base.layers, ...app], platform: base.platform, annotations }).then(() => expected));
        }
      }
    }
  }
  return Promise.all(jobs);
}
