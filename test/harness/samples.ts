import { buildImage, pushImage, pushIndex, seedStandardImages, StandardImages } from './fixtures';
import { fetchManifest, putManifest, Creds } from './rawRegistry';

export interface SampleRegistry {
  standard: StandardImages;
  /** `multi:1`, an OCI index of linux/amd64 and linux/arm64. */
  multiDigest: string;
  /** Repository `many` with `tagCount` tags, for pagination. */
  manyTags: string[];
  cleanup(): Promise<void>;
}

/**
 * What the demo and the VS Code tests show: the standard base/app images, a two-platform index
 * and a repository with more tags than one page.
 */
export async function seedSampleRegistry(host: string, opts: { tagCount?: number; creds?: Creds } = {}): Promise<SampleRegistry> {
  const standard = await seedStandardImages(host, { creds: opts.creds });
  const [amd, arm] = await Promise.all([
    buildImage({ layers: [{ files: { '/etc/platform': 'amd64\n' }, createdBy: 'ADD amd64 /' }], arch: 'amd64' }),
    buildImage({ layers: [{ files: { '/etc/platform': 'arm64\n' }, createdBy: 'ADD arm64 /' }], arch: 'arm64' }),
  ]);
  const multiDigest = await pushIndex([amd, arm], `${host}/multi:1`, { creds: opts.creds });

  const manyTags = Array.from({ length: opts.tagCount ?? 25 }, (_, i) => `v${String(i + 1).padStart(3, '0')}`);
  await pushImage(standard.built.base1, `${host}/many:${manyTags[0]}`, { creds: opts.creds });
  // Re-tagging one manifest is what a registry sees from `docker tag` + push: cheap and real.
  const src = await fetchManifest(host, 'many', manyTags[0], opts.creds);
  for (const tag of manyTags.slice(1)) await putManifest(host, 'many', tag, src.body, src.mediaType.split(';')[0], opts.creds);
  return {
    standard,
    multiDigest,
    manyTags,
    async cleanup() {
      await Promise.all([standard.cleanup(), amd.cleanup(), arm.cleanup()]);
    },
  };
}
