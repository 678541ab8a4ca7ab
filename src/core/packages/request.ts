/**
 * What a package comparison needs to know about the two images: which layers to read, from
 * which repository, and the platform fields that decide whether there is anything to read.
 * Built from a rebase plan (old base against new base, plus the app layers kept on top) or from
 * any two fetched images.
 */
import { Descriptor } from '../manifest';
import type { RepositoryName } from '../registry/client';
import type { ImageDocuments, RebasePlan } from '../rebase/plan';

export interface BaseImage {
  reference: string;
  /** Where its layers can be read. */
  repo: RepositoryName;
  os: string;
  /** Windows' update level ("10.0.14393.1884"). */
  osVersion?: string;
  layers: Descriptor[];
}

export interface AppLayer {
  descriptor: Descriptor;
  createdBy?: string;
}

export interface PackageDiffRequest {
  old: BaseImage;
  new: BaseImage;
  /** App layers of a rebase, checked for package databases of their own. */
  app?: { reference: string; repo: RepositoryName; layers: AppLayer[] };
}

/** The old base against the new base of a planned rebase, and the app layers it keeps. */
export function requestFromPlan(plan: RebasePlan): PackageDiffRequest {
  const rows = (change: 'removed' | 'added' | 'kept') => plan.layers.filter((l) => l.change === change);
  const os = plan.newConfig.os;
  return {
    old: { reference: plan.oldBase.reference, repo: plan.oldBase.repo, os: plan.oldConfig.os, osVersion: plan.oldConfig['os.version'], layers: rows('removed').map((l) => l.descriptor) },
    new: { reference: plan.newBase.reference, repo: plan.newBase.repo, os, osVersion: plan.newConfig['os.version'], layers: rows('added').map((l) => l.descriptor) },
    app: { reference: plan.source.reference, repo: plan.source.repo, layers: rows('kept').map((l) => ({ descriptor: l.descriptor, createdBy: l.createdBy })) },
  };
}

/** Two whole images, A as the old and B as the new. */
export function requestFromImages(a: ImageDocuments, b: ImageDocuments): PackageDiffRequest {
  const side = (d: ImageDocuments): BaseImage => ({ reference: d.reference, repo: d.repo, os: d.config.os, osVersion: d.config['os.version'], layers: d.manifest.manifest.layers });
  return { old: side(a), new: side(b) };
}
