export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

/** The Accept list for manifest requests: every type we can read, images and indexes alike. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
].join(', ');

export function isImageManifestType(t: string | undefined): boolean {
  return t === MediaTypes.dockerManifest || t === MediaTypes.ociManifest;
}

export function isIndexType(t: string | undefined): boolean {
  return t === MediaTypes.dockerManifestList || t === MediaTypes.ociIndex;
}

export function isSchema1Type(t: string | undefined): boolean {
  return t === MediaTypes.dockerSchema1 || t === MediaTypes.dockerSchema1Signed;
}

/** Layers that must stay references to their `urls` and are never copied between registries. */
export function isForeignLayerType(t: string | undefined): boolean {
  return (
    t === MediaTypes.dockerForeignLayer ||
    t === MediaTypes.ociNondistributable ||
    t === MediaTypes.ociNondistributableGzip ||
    t === MediaTypes.ociNondistributableZstd
  );
}
