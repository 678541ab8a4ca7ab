// Docker schema 1 manifests (application/vnd.docker.distribution.manifest.v1+prettyjws) for tests
// that check the deprecated format is refused cleanly.
//
// Distribution 2.8 refuses schema 1 pushes unless its config says `compatibility: schema1: enabled:
// true`, which the harness registry does not set (and should not: real registries do not either).
// (Checked: the PUT of a correctly signed schema 1 manifest answers 500 UNKNOWN, the
// ErrSchemaV1Unsupported of its v1UnsupportedHandler.) It still serves a schema 1 manifest that is
// already in its storage, as registries that have held such images for years do. So
// `storeSchema1Manifest` writes one straight into the registry's filesystem storage, in the layout
// Distribution's path mapper uses; the registry runs without a blob descriptor cache, so it sees
// the files at once.
//
// How Distribution 2.x holds schema 1 (checked against 2.8.2): it stores the manifest *payload*
// (the JSON without "signatures"), names it by the sha256 of that payload, and on every GET signs
// it afresh with its own key. So the body a client receives is not the stored bytes, and its
// sha256 differs from the Docker-Content-Digest header, which is the payload's digest, as schema 1
// digests always were.
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authHeaders, type RawAuth } from './rawRegistry';

export const SCHEMA1_SIGNED_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

export interface Schema1Options {
  /** Repository name as written in the manifest ("name"). */
  name: string;
  tag: string;
  architecture?: string;
  /** Layer blob digests, top-most first (schema 1 lists fsLayers in reverse order). */
  fsLayers?: string[];
  /** A signing key (EC P-256); a fresh one by default. */
  key?: KeyObject;
}

export interface Schema1Manifest {
  /** The signed manifest, as a client PUTs it. */
  body: string;
  /** The manifest without the signatures: what Distribution stores. */
  payload: string;
  /** sha256 of the payload, as Distribution names schema 1 manifests. */
  digest: string;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * Builds and signs a schema 1 manifest the way Docker's libtrust does (JWS in "pretty" form: the
 * manifest JSON with a "signatures" array spliced in before its closing brace), with an ES256
 * signature that `schema1.Verify` accepts.
 */
export function signedSchema1Manifest(opts: Schema1Options): Schema1Manifest {
  const fsLayers = opts.fsLayers ?? [`sha256:${createHash('sha256').update('schema1-test-layer').digest('hex')}`];
  const manifest = {
    schemaVersion: 1,
    name: opts.name,
    tag: opts.tag,
    architecture: opts.architecture ?? 'amd64',
    fsLayers: fsLayers.map((blobSum) => ({ blobSum })),
    history: fsLayers.map((_, i) => ({
      v1Compatibility: JSON.stringify({
        id: createHash('sha256').update(`layer-${i}-${opts.name}`).digest('hex'),
        ...(i + 1 < fsLayers.length ? { parent: createHash('sha256').update(`layer-${i + 1}-${opts.name}`).digest('hex') } : {}),
        created: '2017-01-01T00:00:00Z',
        container_config: { Cmd: ['/bin/sh'] },
        ...(i === 0 ? { os: 'linux', architecture: opts.architecture ?? 'amd64' } : {}),
      }),
    })),
  };
  // Docker marshals with three-space indentation; libtrust keeps that indent for the signatures.
  const payload = JSON.stringify(manifest, null, 3);
  const close = payload.lastIndexOf('}');
  let end = close - 1;
  while (end >= 0 && /\s/.test(payload[end])) end--;
  const formatLength = end + 1;
  const formatTail = payload.slice(formatLength);

  const key = opts.key ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const publicJwk = key.export({ format: 'jwk' });
  const publicKey = { crv: 'P-256', kid: libtrustKeyIdFromPrivate(key), kty: 'EC', x: publicJwk.x, y: publicJwk.y };
  const protectedHeader = b64url(
    JSON.stringify({ formatLength, formatTail: b64url(formatTail), time: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
  );
  const signingInput = `${protectedHeader}.${b64url(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  const signatures = [{ header: { jwk: publicKey, alg: 'ES256' }, signature: b64url(signature), protected: protectedHeader }];
  const indent = '   ';
  const body =
    payload.slice(0, formatLength) +
    ',\n' +
    indent +
    '"signatures": ' +
    JSON.stringify(signatures, null, indent).replace(/\n/g, '\n' + indent) +
    '\n}';
  return { body, payload, digest: `sha256:${createHash('sha256').update(payload).digest('hex')}` };
}

function libtrustKeyIdFromPrivate(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of hash) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{1,4}/g)!.join(':');
}

/**
 * Tries the honest way first: PUT the signed manifest. Returns the registry's answer, so a test can
 * record that Distribution 2.8 refuses it (it answers 400 MANIFEST_INVALID unless schema 1 is
 * enabled in its config).
 */
export async function tryPushSchema1(host: string, repo: string, tag: string, m: Schema1Manifest, auth?: RawAuth): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': SCHEMA1_SIGNED_MEDIA_TYPE, ...authHeaders(auth) },
    body: m.body,
  });
  return { status: res.status, body: await res.text() };
}

/**
 * Writes a schema 1 manifest into a Distribution filesystem storage and tags it, as a registry that
 * accepted the push long ago holds it: the payload as a blob named by its digest, a revision link
 * and the tag's current and index links. Returns that digest (the registry's Docker-Content-Digest
 * for it). GET /v2/REPO/manifests/TAG then answers 200 with the re-signed manifest and
 * Content-Type application/vnd.docker.distribution.manifest.v1+prettyjws, whatever the Accept.
 */
export async function storeSchema1Manifest(storageDir: string, repo: string, tag: string, m: Schema1Manifest): Promise<string> {
  const digest = m.digest;
  const hex = digest.slice('sha256:'.length);
  const root = join(storageDir, 'docker', 'registry', 'v2');
  const put = async (path: string, content: string) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  };
  await put(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'), m.payload);
  const manifests = join(root, 'repositories', repo, '_manifests');
  await put(join(manifests, 'revisions', 'sha256', hex, 'link'), digest);
  await put(join(manifests, 'tags', tag, 'current', 'link'), digest);
  await put(join(manifests, 'tags', tag, 'index', 'sha256', hex, 'link'), digest);
  return digest;
}
