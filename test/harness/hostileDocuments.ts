import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { errorBody, type HostileRegistry, type HostileResponse } from './hostileRegistry';

// The hostile corpus: documents and answers a registry (or something posing as one) could send,
// built so that each one fails for exactly one reason. Where the client verifies digests, they are
// right, so that verification is not what stops a hostile document.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Terminal control sequences: set the window title, clear the screen, and the one-byte C1 CSI. */
export const ESCAPES = { title: '\x1b]0;pwned\x07', clear: '\x1b[2J', c1: '\u009b31m' };

export interface Doc {
  body: string;
  digest: string;
  size: number;
  mediaType: string;
}

// Corruptions write what no manifest type would allow.
type Json = any;

export interface Corruption {
  config?: (config: Json) => void;
  manifest?: (manifest: Json) => void;
  index?: (index: Json) => void;
}

export interface HostileImage {
  config: Doc;
  manifest: Doc;
  /** A one-entry index (linux/amd64) pointing at `manifest`. */
  index: Doc;
  layers: Array<{ digest: string; size: number; body: Buffer }>;
}

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function doc(value: unknown, mediaType: string): Doc {
  const body = JSON.stringify(value);
  return { body, digest: sha256(body), size: Buffer.byteLength(body), mediaType };
}

const withEscapes = (s: string, esc: string) => `${s}${esc}`;

export const CORRUPTIONS = {
  'layer-size-negative': { manifest: (m) => void (m.layers[0].size = -1) },
  'layer-size-huge': { manifest: (m) => void (m.layers[0].size = 1e30) },
  'layer-size-string': { manifest: (m) => void (m.layers[0].size = '256') },
  'layer-size-fraction': { manifest: (m) => void (m.layers[0].size = 256.5) },
  'layer-digest-traversal': { manifest: (m) => void (m.layers[0].digest = 'sha256:../../x') },
  'layer-digest-catalog': { manifest: (m) => void (m.layers[0].digest = 'sha256:../../../v2/_catalog') },
  'layers-null': { manifest: (m) => void (m.layers = null) },
  'layer-entry-null': { manifest: (m) => void m.layers.splice(1, 0, null) },
  'config-missing': { manifest: (m) => void delete m.config },
  'media-type-number': { manifest: (m) => void (m.mediaType = 42) },
  'media-type-title-escape': { manifest: (m) => void (m.mediaType = withEscapes(OCI_MANIFEST, ESCAPES.title)) },
  'media-type-clear-screen': { manifest: (m) => void (m.mediaType = withEscapes(OCI_MANIFEST, ESCAPES.clear)) },
  'media-type-c1-csi': { manifest: (m) => void (m.mediaType = withEscapes(OCI_MANIFEST, ESCAPES.c1)) },
  'platform-escapes': {
    index: (i) =>
      void (i.manifests[0].platform = {
        os: withEscapes('linux', ESCAPES.title),
        architecture: withEscapes('amd64', ESCAPES.clear),
        variant: withEscapes('v8', ESCAPES.c1),
        'os.version': withEscapes('10.0', ESCAPES.title),
        'os.features': [ESCAPES.clear],
      }),
  },
  'history-object': { config: (c) => void (c.history = { created_by: 'RUN true' }) },
  'diff-ids-not-digests': { config: (c) => void (c.rootfs.diff_ids = ['not-a-digest', '../../etc/passwd']) },
} satisfies Record<string, Corruption>;

export type CorruptionName = keyof typeof CORRUPTIONS;

// gzip with mtime 0 is deterministic, so every process builds the same digests.
const LAYERS = ['base layer\n', 'app layer\n'].map((text) => {
  const body = gzipSync(Buffer.from(text));
  return { digest: sha256(body), size: body.length, body, diffId: sha256(text) };
});

/** A valid small OCI image, or one with a corruption applied; digests downstream of it are recomputed. */
export function hostileImage(corruption?: Corruption | CorruptionName): HostileImage {
  const c: Corruption = typeof corruption === 'string' ? CORRUPTIONS[corruption] : (corruption ?? {});
  const config: Json = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: LAYERS.map((l) => l.diffId) },
    history: [{ created_by: 'ADD base.tar /' }, { created_by: 'COPY app /app' }],
  };
  c.config?.(config);
  const configDoc = doc(config, OCI_CONFIG);
  const manifest: Json = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDoc.digest, size: configDoc.size },
    layers: LAYERS.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
  };
  c.manifest?.(manifest);
  const manifestDoc = doc(manifest, OCI_MANIFEST);
  const index: Json = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: OCI_MANIFEST, digest: manifestDoc.digest, size: manifestDoc.size, platform: { os: 'linux', architecture: 'amd64' } }],
  };
  c.index?.(index);
  return { config: configDoc, manifest: manifestDoc, index: doc(index, OCI_INDEX), layers: LAYERS.map(({ digest, size, body }) => ({ digest, size, body })) };
}

/** A manifest answer; `digestHeader: null` leaves Docker-Content-Digest out, a string replaces it. */
export function manifestResponse(d: Doc, opts: { digestHeader?: string | null } = {}): HostileResponse {
  const headers: Record<string, string> = { 'content-type': d.mediaType };
  const digest = opts.digestHeader === undefined ? d.digest : opts.digestHeader;
  if (digest !== null) headers['docker-content-digest'] = digest;
  return { status: 200, headers, body: d.body };
}

export function blobResponse(body: string | Buffer): HostileResponse {
  return { status: 200, headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': sha256(body) }, body };
}

/** Routes the image (and its index, by digest) as a registry would hold it: `tag` → the manifest, or the index with `asIndex`. */
export function serveImage(reg: HostileRegistry, repo: string, tag: string, img: HostileImage, opts: { asIndex?: boolean } = {}): void {
  const top = opts.asIndex ? img.index : img.manifest;
  reg.route({ method: 'GET', path: `/v2/${repo}/manifests/${tag}`, respond: manifestResponse(top) });
  for (const d of [img.manifest, img.index]) reg.route({ method: 'GET', path: `/v2/${repo}/manifests/${d.digest}`, respond: manifestResponse(d) });
  reg.route({ method: 'GET', path: `/v2/${repo}/blobs/${img.config.digest}`, respond: blobResponse(img.config.body) });
  for (const l of img.layers) reg.route({ method: 'GET', path: `/v2/${repo}/blobs/${l.digest}`, respond: blobResponse(l.body) });
}

// ---- size attacks ---------------------------------------------------------------------------

export interface GzipBomb {
  compressed: Buffer;
  expandedSize: number;
  /** sha256 of the expanded document, as a registry would report it. */
  digest: string;
}

let bomb: Promise<GzipBomb> | undefined;

/**
 * ~1 MB of gzip that expands to a ~1 GiB manifest: valid JSON padded with whitespace, so only a
 * size limit on the decompressed bytes can stop it. Built streaming, once per process (~1.5 s).
 */
export function gzipBomb(): Promise<GzipBomb> {
  bomb ??= buildGzipBomb(1024);
  return bomb;
}

async function buildGzipBomb(mebibytes: number): Promise<GzipBomb> {
  const pad = Buffer.alloc(1 << 20, ' ');
  const head = Buffer.from('{');
  const tail = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }).slice(1));
  const hash = createHash('sha256');
  // Run-length matching packs runs as tightly as full matching (~1030:1), several times faster.
  const gzip = createGzip({ level: 6, strategy: constants.Z_RLE });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const write = async (b: Buffer): Promise<void> => {
    hash.update(b);
    if (!gzip.write(b)) await new Promise((r) => gzip.once('drain', r));
  };
  await write(head);
  for (let i = 0; i < mebibytes; i++) await write(pad);
  await write(tail);
  gzip.end();
  await done;
  return { compressed: Buffer.concat(out), expandedSize: head.length + mebibytes * pad.length + tail.length, digest: `sha256:${hash.digest('hex')}` };
}

export async function gzipBombResponse(): Promise<HostileResponse> {
  const b = await gzipBomb();
  return {
    status: 200,
    headers: { 'content-type': OCI_MANIFEST, 'content-encoding': 'gzip', 'docker-content-digest': b.digest },
    body: b.compressed,
  };
}

const bigDigests = new Map<number, string>();

// A JSON config of exactly `size` bytes, made of one reused filler buffer.
function* bigConfigChunks(size: number): Generator<Buffer> {
  const head = Buffer.from('{"architecture":"amd64","os":"linux","padding":"');
  const tail = Buffer.from('"}');
  const filler = Buffer.alloc(1 << 18, 'a');
  yield head;
  for (let left = size - head.length - tail.length; left > 0; left -= filler.length) {
    yield left >= filler.length ? filler : filler.subarray(0, left);
  }
  yield tail;
}

/** A config blob of `size` bytes (default 200 MiB) that is only ever streamed, and its digest (hashed once per size). */
export function bigConfig(size = 200 << 20): { digest: string; size: number; response: () => HostileResponse } {
  let digest = bigDigests.get(size);
  if (!digest) {
    const hash = createHash('sha256');
    for (const chunk of bigConfigChunks(size)) hash.update(chunk);
    digest = `sha256:${hash.digest('hex')}`;
    bigDigests.set(size, digest);
  }
  const headers = { 'content-type': OCI_CONFIG, 'content-length': String(size), 'docker-content-digest': digest };
  return { digest, size, response: () => ({ status: 200, headers, body: () => Readable.from(bigConfigChunks(size)) }) };
}

/** A manifest whose config is the big one; `declaredSize` lets the descriptor understate it. */
export function bigConfigManifest(size = 200 << 20, declaredSize = size): Doc {
  const cfg = bigConfig(size);
  return doc(
    { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: cfg.digest, size: declaredSize }, layers: [] },
    OCI_MANIFEST,
  );
}

/** A distribution-spec error of ~`bytes` whose message is text laced with terminal escapes. */
export function hugeErrorResponse(status = 500, bytes = 1 << 20): HostileResponse {
  const unit = `access denied ${ESCAPES.title}${ESCAPES.clear}${ESCAPES.c1} `;
  // JSON spells each C0 control as \u00XX and UTF-8 takes two bytes for U+009B: count bytes as sent.
  const message = unit.repeat(Math.ceil(bytes / (Buffer.byteLength(JSON.stringify(unit)) - 2)));
  return { status, headers: { 'content-type': 'application/json' }, body: errorBody('DENIED', message) };
}

// ---- tag lists and throttling ---------------------------------------------------------------

export function hugeTagsResponse(name: string, count = 130_000, link?: string): HostileResponse {
  const body = JSON.stringify({ name, tags: Array.from({ length: count }, (_, i) => `v${i}`) });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (link) headers.link = link;
  return { status: 200, headers, body };
}

export function notJsonTagsResponse(): HostileResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '<html><body>502 Bad Gateway</body></html>\n' };
}

/** 429 with a Retry-After far beyond any sane cap. */
export function tooManyRequests(retryAfterSeconds = 3600): HostileResponse {
  return {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
    body: errorBody('TOOMANYREQUESTS', 'You have reached your pull rate limit.'),
  };
}

/** 503 with Retry-After as an HTTP date (whole seconds, so "in 2 s" may mean 1 to 2 s). */
export function unavailableUntil(when: Date): HostileResponse {
  return {
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': when.toUTCString() },
    body: errorBody('UNAVAILABLE', 'service unavailable'),
  };
}
