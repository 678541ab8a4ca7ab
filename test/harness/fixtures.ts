/**
 * The image fixtures tests import: building with umoci, pushing with skopeo, and the standard
 * seeded set. Gathered here because many tests, the VS Code suites and the benchmarks use them.
 */
export type { Creds, Descriptor, ImageManifest } from './rawRegistry';
export { readLayoutImage, type ImageConfig, type LayerInfo, type OciLayoutImage } from './ociLayout';
export { buildImage, type BuildOptions, type BuildStep, type EmptyLayerStep, type FilesLayer, type ImageConfigPatch, type LayerStep } from './imageBuild';
export { pushImage, pushIndex, type PushOptions } from './imagePush';
export { seedStandardImages, type PushedImage, type StandardImages } from './standardImages';
