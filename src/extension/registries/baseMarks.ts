import { ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME, ImageManifest } from '../../core/manifest';
import { basePrefixLength } from '../../core/rebase/baseIdentity';
import { imageChildren } from '../../core/rebase/fetchImage';
import { parseReference } from '../../core/reference';
import { ImageRef } from './imageCache';
import type { TreeContext } from './treeContext';

/**
 * From the OCI base annotations, when present and still true of the layers. The digest may be the
 * base's index (as this tool, crane and ko write it) or one of its platform images (older tools):
 * for an index, its image for this platform is the one whose layers the image starts with.
 */
export async function baseLayerCount(manifest: ImageManifest, ref: ImageRef, ctx: TreeContext): Promise<number | undefined> {
  const name = manifest.annotations?.[ANNOTATION_BASE_NAME];
  const digest = manifest.annotations?.[ANNOTATION_BASE_DIGEST];
  if (!name || !digest) return undefined;
  try {
    const base = parseReference(name);
    const baseRef = { registry: base.registry, repository: base.repository, reference: digest };
    const image = await ctx.cache().image(baseRef);
    if (image) return basePrefixLength(manifest, image.manifest.manifest) || undefined;
    const index = await ctx.cache().index(baseRef);
    const config = (await ctx.cache().image(ref))?.config;
    if (!index || !config) return undefined;
    // Same os and architecture first with the same variant: arm/v6 and arm/v7 share the rest.
    const children = imageChildren(index.manifest)
      .filter((c) => c.platform?.os === config.os && c.platform?.architecture === config.architecture)
      .sort((a, b) => Number((b.platform?.variant ?? '') === (config.variant ?? '')) - Number((a.platform?.variant ?? '') === (config.variant ?? '')));
    for (const c of children) {
      const child = await ctx.cache().image({ ...baseRef, reference: c.digest });
      const n = child ? basePrefixLength(manifest, child.manifest.manifest) : 0;
      if (n) return n;
    }
    return undefined;
  } catch {
    return undefined; // marks are a nicety; a missing base must not break the tree
  }
}
