import { UserError } from '../errors';
import { sha256Digest, shortDigest } from '../digest';
import {
  ANNOTATION_BASE_DIGEST,
  ANNOTATION_BASE_NAME,
  Descriptor,
  FetchedManifest,
  HistoryEntry,
  ImageConfig,
  ImageManifest,
} from '../manifest';
import { MediaTypes, isForeignLayerType } from '../mediaTypes';
import { RepositoryName } from '../registry/client';
import { checkPlatform, checkPrefix } from './baseCompatibility';
import { baseHistoryLength, layerHistory, trailingEmptyEntries } from './history';
import { ConfigMergePlan, rebaseConfig } from './rebaseConfig';

/** One image as fetched: what the planner needs and nothing it would have to fetch itself. */
export interface ImageDocuments {
  /** Fully qualified reference as the user named it (for messages and annotations). */
  reference: string;
  repo: RepositoryName;
  manifest: FetchedManifest<ImageManifest>;
  config: ImageConfig;
  /**
   * The digest `reference` resolved to, when that is not the image's own: the index's, for a
   * multi-platform image. Base annotations record it, as crane and ko do.
   */
  resolvedDigest?: string;
}

export interface PlanInput {
  source: ImageDocuments;
  oldBase: ImageDocuments;
  newBase: ImageDocuments;
  target: { reference: string; repo: RepositoryName; tag: string };
  /** Keep the app's container settings untouched instead of merging them (`--keep-config`). */
  keepConfig?: boolean;
}

export type LayerChange = 'kept' | 'removed' | 'added';

export interface LayerRow {
  change: LayerChange;
  descriptor: Descriptor;
  diffId?: string;
  createdBy?: string;
  foreign: boolean;
}

/** A blob the target repository must hold before the manifest may be pushed. */
export interface RequiredBlob {
  descriptor: Descriptor;
  /** Where it can be mounted or copied from. */
  from: RepositoryName;
}

export interface RebasePlan {
  source: { reference: string; digest: string; repo: RepositoryName };
  oldBase: { reference: string; digest: string; repo: RepositoryName };
  newBase: { reference: string; digest: string; repo: RepositoryName };
  target: { reference: string; repo: RepositoryName; tag: string };
  oldManifest: ImageManifest;
  oldConfig: ImageConfig;
  newManifest: ImageManifest;
  newManifestBytes: Buffer;
  newManifestDigest: string;
  newManifestMediaType: string;
  newConfig: ImageConfig;
  newConfigBytes: Buffer;
  newConfigDigest: string;
  /** Rows for a diff view: old base layers removed, new base layers added, app layers kept. */
  layers: LayerRow[];
  /** Layers (never foreign ones) the target must hold; the config is uploaded separately. */
  requiredBlobs: RequiredBlob[];
  /** How the container settings were merged, key by key (config conflicts are also warnings). */
  configMerge: ConfigMergePlan;
  warnings: string[];
}

/**
 * Computes the rebased manifest and config from fetched documents alone: no I/O, so every rule
 * here is testable without a registry. Throws UserError when the rebase would be wrong.
 */
export function planRebase(input: PlanInput): RebasePlan {
  const { source, oldBase, newBase, target } = input;
  const srcLayers = source.manifest.manifest.layers;
  const oldLayers = oldBase.manifest.manifest.layers;
  const newLayers = newBase.manifest.manifest.layers;
  const warnings: string[] = [];

  checkPrefix(source, oldBase);
  checkPlatform(source, oldBase, newBase, warnings);

  const n = oldLayers.length;
  const srcDiffIds = source.config.rootfs?.diff_ids ?? [];
  const oldDiffIds = oldBase.config.rootfs?.diff_ids ?? [];
  for (let i = 0; i < n; i++) {
    if (srcDiffIds[i] !== oldDiffIds[i]) {
      throw new UserError(
        'not-based-on',
        `Image ${source.reference} is not built on ${oldBase.reference}: their configs disagree on the uncompressed digest of layer ${i + 1} although the layers match, so one of the images is corrupt.`,
      );
    }
  }
  if (srcDiffIds.length !== srcLayers.length || (newBase.config.rootfs?.diff_ids ?? []).length !== newLayers.length) {
    throw new UserError(
      'unsupported',
      `The config of ${srcDiffIds.length !== srcLayers.length ? source.reference : newBase.reference} lists a different number of layers than its manifest; the image is malformed and cannot be rebased.`,
    );
  }

  const appLayers = srcLayers.slice(n);
  const newBaseLayers = newLayers;
  const manifestType = source.manifest.mediaType;
  const isOci = manifestType === MediaTypes.ociManifest;

  const converted = newBaseLayers.map((d) => convertLayerType(d, isOci, warnings, newBase.reference));
  const layersOut: Descriptor[] = [...converted, ...appLayers];

  const rebased = rebaseConfig(
    { source: source.config, oldBase: oldBase.config, newBase: newBase.config, oldLayerCount: n, sourceRef: source.reference, newBaseRef: newBase.reference, keepConfig: input.keepConfig },
    warnings,
  );
  const newConfig = rebased.config;
  const newConfigBytes = Buffer.from(JSON.stringify(newConfig), 'utf8');
  const newConfigDigest = sha256Digest(newConfigBytes);

  const srcManifest = source.manifest.manifest;
  const newManifest: ImageManifest = {
    schemaVersion: 2,
    ...(srcManifest.mediaType !== undefined || !isOci ? { mediaType: manifestType } : {}),
    ...(srcManifest.artifactType ? { artifactType: srcManifest.artifactType } : {}),
    config: { ...srcManifest.config, digest: newConfigDigest, size: newConfigBytes.length },
    layers: layersOut,
  };
  if (isOci) {
    newManifest.annotations = {
      ...(srcManifest.annotations ?? {}),
      [ANNOTATION_BASE_NAME]: newBase.reference,
      [ANNOTATION_BASE_DIGEST]: newBase.resolvedDigest ?? newBase.manifest.digest,
    };
  } else if (srcManifest.annotations) {
    newManifest.annotations = { ...srcManifest.annotations };
    // Docker manifests get no base annotations of ours, but ones the source carried must not go
    // on naming the old base: a scan would call the rebased image outdated again.
    if (ANNOTATION_BASE_NAME in srcManifest.annotations || ANNOTATION_BASE_DIGEST in srcManifest.annotations) {
      Object.assign(newManifest.annotations, { [ANNOTATION_BASE_NAME]: newBase.reference, [ANNOTATION_BASE_DIGEST]: newBase.resolvedDigest ?? newBase.manifest.digest });
    }
  }
  // `subject` is deliberately not carried over: it ties the source to its signatures and SBOMs,
  // and those do not describe the rebased image.
  const newManifestBytes = Buffer.from(JSON.stringify(newManifest), 'utf8');

  warnAboutRunSteps(source.config, oldBase.config, warnings);

  const oldHist = layerHistory(oldBase.config.history);
  const newHist = layerHistory(newBase.config.history);
  const srcHist = layerHistory(source.config.history);
  const newDiffIds = newBase.config.rootfs.diff_ids;
  const rows: LayerRow[] = [
    ...oldLayers.map((d, i) => row('removed', d, oldDiffIds[i], oldHist[i])),
    ...converted.map((d, i) => row('added', d, newDiffIds[i], newHist[i])),
    ...appLayers.map((d, i) => row('kept', d, srcDiffIds[n + i], srcHist[n + i])),
  ];

  const requiredBlobs: RequiredBlob[] = [
    ...converted.map((d) => ({ descriptor: d, from: newBase.repo })),
    ...appLayers.map((d) => ({ descriptor: d, from: source.repo })),
  ].filter((b) => !isForeignLayerType(b.descriptor.mediaType));

  return {
    source: { reference: source.reference, digest: source.manifest.digest, repo: source.repo },
    oldBase: { reference: oldBase.reference, digest: oldBase.manifest.digest, repo: oldBase.repo },
    newBase: { reference: newBase.reference, digest: newBase.manifest.digest, repo: newBase.repo },
    target,
    oldManifest: srcManifest,
    oldConfig: source.config,
    newManifest,
    newManifestBytes,
    newManifestDigest: sha256Digest(newManifestBytes),
    newManifestMediaType: manifestType,
    newConfig,
    newConfigBytes,
    newConfigDigest,
    layers: rows,
    requiredBlobs: dedupeBlobs(requiredBlobs),
    configMerge: rebased.merge,
    warnings,
  };
}

function row(change: LayerChange, d: Descriptor, diffId: string | undefined, h: HistoryEntry | undefined): LayerRow {
  return { change, descriptor: d, diffId, createdBy: h?.created_by, foreign: isForeignLayerType(d.mediaType) };
}


/** Same compression, other family: Docker and OCI name the same gzip'd tar differently. */
function convertLayerType(d: Descriptor, toOci: boolean, warnings: string[], from: string): Descriptor {
  const map: Record<string, string> = toOci
    ? {
        [MediaTypes.dockerLayer]: MediaTypes.ociLayerGzip,
        [MediaTypes.dockerForeignLayer]: MediaTypes.ociNondistributableGzip,
      }
    : {
        [MediaTypes.ociLayerGzip]: MediaTypes.dockerLayer,
        [MediaTypes.ociNondistributableGzip]: MediaTypes.dockerForeignLayer,
      };
  const to = map[d.mediaType];
  if (to) return { ...d, mediaType: to };
  if (!toOci && d.mediaType.startsWith('application/vnd.oci.')) {
    warnings.push(`Layer ${shortDigest(d.digest)} of ${from} has type ${d.mediaType}, which Docker schema 2 has no name for; it was kept as it is.`);
  }
  return d;
}

/** App layers made by RUN may have read or patched files that only the old base had. */
function warnAboutRunSteps(src: ImageConfig, oldBase: ImageConfig, warnings: string[]): void {
  const cut = baseHistoryLength(src.history ?? [], oldBase.rootfs.diff_ids.length, trailingEmptyEntries(oldBase.history));
  if (cut === undefined) return;
  const runs = (src.history ?? [])
    .slice(cut)
    .filter((h) => !h.empty_layer && /^(RUN\b|\/bin\/sh -c (?!#\(nop\)))/.test(h.created_by ?? ''));
  if (runs.length) {
    warnings.push(`${runs.length} app layer(s) were made by RUN steps, which may depend on files of the old base; test the rebased image.`);
  }
}

function dedupeBlobs(blobs: RequiredBlob[]): RequiredBlob[] {
  const seen = new Set<string>();
  return blobs.filter((b) => (seen.has(b.descriptor.digest) ? false : (seen.add(b.descriptor.digest), true)));
}
