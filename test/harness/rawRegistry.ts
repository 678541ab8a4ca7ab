import { createHash } from 'node:crypto';

// Direct registry calls for setting up and checking tests without going through the code under
// test (which is what we are testing). Anonymous, Basic or a ready Bearer token only.

export interface Creds {
  username: string;
  password: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

/** Basic credentials or a bearer token string. */
export type RawAuth = Creds | { token: string };

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export function authHeaders(auth?: RawAuth): Record<string, string> {
  if (!auth) return {};
  if ('token' in auth) return { Authorization: `Bearer ${auth.token}` };
  return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function fetchManifest(
  host: string,
  repo: string,
  reference: string,
  auth?: RawAuth,
): Promise<{ digest: string; mediaType: string; body: string; json: ImageManifest }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_ACCEPT, ...authHeaders(auth) },
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET manifest ${repo}:${reference} → ${res.status}: ${body}`);
  return { digest: sha256(body), mediaType: res.headers.get('content-type') ?? '', body, json: JSON.parse(body) };
}

export async function fetchBlob(host: string, repo: string, digest: string, auth?: RawAuth): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { headers: authHeaders(auth) });
  const buf = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`GET blob ${repo}@${digest} → ${res.status}: ${buf.toString()}`);
  return buf;
}

/** Monolithic upload (POST then PUT ?digest=); returns the digest. */
export async function uploadBlob(host: string, repo: string, data: string | Uint8Array, auth?: RawAuth): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: authHeaders(auth) });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`POST upload ${repo} → ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', ...authHeaders(auth) },
    body: typeof data === 'string' ? data : new Uint8Array(data),
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`PUT upload ${repo} → ${put.status}: ${text}`);
  return digest;
}

/** PUTs manifest bytes as given (so tests can craft broken ones); returns their digest. */
export async function putManifest(
  host: string,
  repo: string,
  reference: string,
  body: string,
  mediaType: string,
  auth?: RawAuth,
): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...authHeaders(auth) },
    body,
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`PUT manifest ${repo}:${reference} → ${res.status}: ${text}`);
  return sha256(body);
}

export async function catalog(host: string, auth?: RawAuth): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/_catalog`, { headers: authHeaders(auth) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET _catalog → ${res.status}: ${text}`);
  return (JSON.parse(text) as { repositories: string[] }).repositories;
}
