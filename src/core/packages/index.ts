/**
 * Package changes between two bases (issue 12): what a rebase's new base upgrades, adds and
 * removes. The engine is pure core (no vscode): hosts pass a cache directory, an AbortSignal and
 * progress callbacks, and may ask for the download estimate first.
 */
export { diffPackages, estimatePackageDiff, type PackageDiffOptions } from './diff';
export { requestFromImages, requestFromPlan, type BaseImage, type PackageDiffRequest } from './request';
export { DEFAULT_LIMITS, type PackageDiffEstimate, type PackageDiffLimits, type LayerWork } from './work';
export { osChangeText, packageCounts, packageSummaryLines } from './summary';
export { setSqlWasmPath } from './formats/rpmdb';
export type { OsRelease, PackageChange, PackageDiff, PackageEntry, PackageFormat } from './types';
export { estimateImagePackages, imagePackages, type ImagePackages } from './image';
export { formatSize } from './parseTracked';
