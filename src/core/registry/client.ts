import * as http from 'node:http';
import * as https from 'node:https';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import nodeFetch, { Headers, RequestInit, Response } from 'node-fetch';
import { Authenticator, describeScopes } from '../auth/tokens';
import { CredentialStore, StaticCredentialStore } from '../auth/credentials';
import { UserError } from '../errors';
import { digestLike, isDigest } from '../digest';
import { FetchedManifest, ImageIndex, ImageManifest } from '../manifest';
import { MANIFEST_ACCEPT, isImageManifestType, isIndexType, isSchema1Type } from '../mediaTypes';
import { apiHost, isLoopbackHost } from '../reference';
import { RequestKind, RequestStats } from './stats';
import { registryErrorCodes, registryErrorSummary, unreachableError } from './registryErrors';

export type FetchLike = typeof nodeFetch;

/** A repository on a registry: the unit every registry API call is scoped to. */
export interface RepositoryName {
  registry: string;
  repository: string;
}

export interface RegistryClientOptions {
  credentials?: CredentialStore;
  /** Non-loopback registries that speak plain HTTP (loopback ones always do, as with Docker). */
  insecureRegistries?: string[];
  log?: (line: string) => void;
  stats?: RequestStats;
  fetch?: FetchLike;
  userAgent?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, from the registry's Link header. */
  next?: string;
}

interface RequestOptions {
  kind: RequestKind;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | NodeJS.ReadableStream;
  signal?: AbortSignal;
  /** Statuses the caller handles itself; others become UserErrors. */
  accept?: number[];
  /** Makes 404 mean this instead of a generic message. */
  notFound?: () => UserError;
  scopes?: string[];
}

// An index rebase pushes up to 8 images at once with 8 blob requests each: 64 connections per
// registry keep them all in flight (requests are small; the round trips are what cost).
const keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 64 });
const keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * The one registry client: every HTTP call to a registry goes through `request`, which adds
 * auth, maps failures to one-sentence errors and counts traffic.
 */
export class RegistryClient {
  readonly stats: RequestStats;
  private readonly fetchImpl: FetchLike;
  private readonly auth: Authenticator;
  private readonly insecure: Set<string>;
  private readonly log: (line: string) => void;
  private readonly userAgent: string;
  /** Repositories we will push to: their tokens are asked for pull+push from the first request. */
  private readonly pushRepos = new Set<string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.stats = opts.stats ?? new RequestStats();
    const baseFetch = opts.fetch ?? nodeFetch;
    this.fetchImpl = baseFetch;
    this.insecure = new Set((opts.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.log = opts.log ?? (() => undefined);
    this.userAgent = opts.userAgent ?? 'image-rebase/0.1';
    const countingFetch = ((url: string, init?: RequestInit) => {
      this.stats.count('token');
      return baseFetch(url, { ...init, agent: agentFor });
    }) as FetchLike;
    this.auth = new Authenticator({
      credentials: opts.credentials ?? new StaticCredentialStore({}),
      fetch: countingFetch,
      log: this.log,
    });
  }

  baseUrl(registry: string): string {
    const plain = isLoopbackHost(registry) || this.insecure.has(registry.toLowerCase());
    return `${plain ? 'http' : 'https'}://${apiHost(registry)}`;
  }

  /** Declares that we will push to this repository, so its token covers push from the start. */
  preparePush(repo: RepositoryName): void {
    this.pushRepos.add(repoKey(repo));
  }

  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    await this.request(registry, '/v2/', { kind: 'ping', signal, scopes: [] });
  }

  async getManifest(
    repo: RepositoryName,
    reference: string,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const res = await this.request(repo.registry, `/v2/${repo.repository}/manifests/${reference}`, {
      kind: 'manifest-get',
      headers: { Accept: MANIFEST_ACCEPT },
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => manifestNotFound(repo, reference),
    });
    const bytes = await this.readBody(res);
    let doc: { schemaVersion?: number; mediaType?: string; manifests?: unknown; config?: unknown };
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new UserError(
        'unsupported',
        `The manifest of ${display(repo)}:${reference} is not valid JSON; the registry returned something that is not an image.`,
      );
    }
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    const mediaType = doc.mediaType ?? inferMediaType(doc, contentType);
    // Checked before the digest: a signed schema 1 manifest's digest covers only its unsigned
    // part, so verifying first would blame the registry for corruption instead.
    if (doc.schemaVersion === 1 || isSchema1Type(mediaType) || isSchema1Type(contentType)) {
      throw new UserError(
        'unsupported',
        `${display(repo)}:${reference} uses the deprecated Docker schema 1 manifest format, which cannot be rebased; push it again with a current Docker or buildx to get a schema 2 or OCI manifest.`,
      );
    }
    const headerDigest = res.headers.get('docker-content-digest') ?? undefined;
    const expected = isDigest(reference) ? reference : headerDigest;
    const digest = verifiedDigest(bytes, expected, `${display(repo)} manifest ${reference}`);
    if (!isImageManifestType(mediaType) && !isIndexType(mediaType)) {
      throw new UserError(
        'unsupported',
        `${display(repo)}:${reference} has the unsupported manifest media type "${mediaType || 'none'}"; only Docker schema 2 and OCI images and indexes can be rebased.`,
      );
    }
    return { mediaType, digest, bytes, manifest: doc as ImageManifest | ImageIndex };
  }

  /** HEAD of a manifest: digest and type without the body (spares Docker Hub's pull rate limit). */
  async headManifest(
    repo: RepositoryName,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest?: string; mediaType: string; size: number } | undefined> {
    const res = await this.request(repo.registry, `/v2/${repo.repository}/manifests/${reference}`, {
      kind: 'manifest-head',
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT },
      signal,
      scopes: this.scopesFor(repo, false),
      accept: [404],
    });
    if (res.status === 404) return undefined;
    return {
      digest: res.headers.get('docker-content-digest') ?? undefined,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim(),
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  async blobExists(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.request(repo.registry, `/v2/${repo.repository}/blobs/${digest}`, {
      kind: 'blob-head',
      method: 'HEAD',
      signal,
      scopes: this.scopesFor(repo, false),
      accept: [404],
    });
    return res.status === 200;
  }

  /** A small blob (a config), read whole and checked against its digest. */
  async getBlob(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const res = await this.request(repo.registry, `/v2/${repo.repository}/blobs/${digest}`, {
      kind: 'blob-get',
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => blobNotFound(repo, digest),
    });
    const bytes = await this.readBody(res);
    verifiedDigest(bytes, digest, `${display(repo)} blob ${digest}`);
    return bytes;
  }

  /**
   * A blob as a stream, hashed on the way through: a mismatch fails the stream, so a corrupt
   * layer never reaches a target. Layers can be gigabytes, hence no buffering.
   */
  async getBlobStream(
    repo: RepositoryName,
    digest: string,
    signal?: AbortSignal,
  ): Promise<{ stream: Readable; size?: number }> {
    const res = await this.request(repo.registry, `/v2/${repo.repository}/blobs/${digest}`, {
      kind: 'blob-get',
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => blobNotFound(repo, digest),
    });
    const alg = digest.split(':', 1)[0];
    const hash = alg === 'sha256' || alg === 'sha512' ? createHash(alg) : undefined;
    const out = new PassThrough();
    const body = res.body as unknown as Readable;
    body.on('data', (chunk: Buffer) => {
      hash?.update(chunk);
      this.stats.bytesReceived += chunk.length;
    });
    body.on('error', (e) => out.destroy(e));
    body.on('end', () => {
      const got = hash ? `${alg}:${hash.digest('hex')}` : digest;
      if (got !== digest) {
        out.destroy(
          new UserError('digest-mismatch', `Blob ${digest} from ${display(repo)} arrived with digest ${got}; the registry returned corrupt data, try again.`),
        );
      }
    });
    body.pipe(out);
    const len = res.headers.get('content-length');
    return { stream: out, size: len ? Number(len) : undefined };
  }

  /**
   * Cross-repository mount. Returns true when the registry mounted it (201); otherwise the
   * upload session it opened is returned so the caller can upload into it.
   */
  async mountBlob(
    target: RepositoryName,
    digest: string,
    fromRepository: string,
    signal?: AbortSignal,
  ): Promise<{ mounted: true } | { mounted: false; uploadUrl: string }> {
    const q = new URLSearchParams({ mount: digest, from: fromRepository });
    const res = await this.request(target.registry, `/v2/${target.repository}/blobs/uploads/?${q}`, {
      kind: 'blob-mount',
      method: 'POST',
      headers: { 'Content-Length': '0' },
      signal,
      scopes: [...this.scopesFor(target, true), `repository:${fromRepository}:pull`],
      accept: [201, 202],
    });
    await res.arrayBuffer();
    if (res.status === 201) return { mounted: true };
    return { mounted: false, uploadUrl: this.uploadLocation(target.registry, res) };
  }

  /** Starts an upload session (POST) and returns where to PUT the data. */
  async startUpload(target: RepositoryName, signal?: AbortSignal): Promise<string> {
    const res = await this.request(target.registry, `/v2/${target.repository}/blobs/uploads/`, {
      kind: 'blob-upload-start',
      method: 'POST',
      headers: { 'Content-Length': '0' },
      signal,
      scopes: this.scopesFor(target, true),
      accept: [202],
    });
    await res.arrayBuffer();
    return this.uploadLocation(target.registry, res);
  }

  /** Monolithic upload into an open session: one PUT with the whole blob (buffer or stream). */
  async finishUpload(
    target: RepositoryName,
    uploadUrl: string,
    digest: string,
    size: number,
    body: Buffer | Readable,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = new URL(uploadUrl);
    url.searchParams.set('digest', digest);
    if (Buffer.isBuffer(body)) this.stats.bytesSent += body.length;
    else body.on('data', (c: Buffer) => (this.stats.bytesSent += c.length));
    const res = await this.request(target.registry, url.toString(), {
      kind: 'blob-upload-put',
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body,
      signal,
      scopes: this.scopesFor(target, true),
      accept: [201, 204],
    });
    await res.arrayBuffer();
  }

  async uploadBlob(target: RepositoryName, digest: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    const location = await this.startUpload(target, signal);
    await this.finishUpload(target, location, digest, data.length, data, signal);
  }

  /** PUT a manifest; returns the digest the registry reports, checked against our own. */
  async putManifest(
    target: RepositoryName,
    reference: string,
    bytes: Buffer,
    mediaType: string,
    signal?: AbortSignal,
  ): Promise<string> {
    this.stats.bytesSent += bytes.length;
    const res = await this.request(target.registry, `/v2/${target.repository}/manifests/${reference}`, {
      kind: 'manifest-put',
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: bytes,
      signal,
      scopes: this.scopesFor(target, true),
      accept: [200, 201, 202],
    });
    await res.arrayBuffer();
    const ours = digestLike('sha256:', bytes)!;
    const theirs = res.headers.get('docker-content-digest');
    if (theirs && theirs !== ours && theirs.startsWith('sha256:')) {
      throw new UserError(
        'digest-mismatch',
        `${display(target)} stored the manifest under digest ${theirs} instead of ${ours}; the registry altered it, so the result cannot be trusted.`,
      );
    }
    return ours;
  }

  async listTags(repo: RepositoryName, opts: { pageSize?: number; cursor?: string; signal?: AbortSignal } = {}): Promise<Page<string>> {
    const path = opts.cursor ?? `/v2/${repo.repository}/tags/list${opts.pageSize ? `?n=${opts.pageSize}` : ''}`;
    const res = await this.request(repo.registry, path, {
      kind: 'tags',
      signal: opts.signal,
      scopes: this.scopesFor(repo, false),
      notFound: () =>
        new UserError('not-found', `Repository ${display(repo)} was not found; check the name, or sign in if it is private.`),
    });
    const body = JSON.parse((await this.readBody(res)).toString('utf8')) as { tags?: string[] | null };
    return { items: body.tags ?? [], next: nextLink(res) };
  }

  /** Every tag, following pagination; `limit` bounds the work on huge repositories. */
  async allTags(repo: RepositoryName, limit = 10_000, signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listTags(repo, { cursor, pageSize: cursor ? undefined : 1000, signal });
      tags.push(...page.items);
      cursor = page.next;
    } while (cursor && tags.length < limit);
    return tags.slice(0, limit);
  }

  async catalog(registry: string, opts: { pageSize?: number; cursor?: string; signal?: AbortSignal } = {}): Promise<Page<string>> {
    const path = opts.cursor ?? `/v2/_catalog${opts.pageSize ? `?n=${opts.pageSize}` : ''}`;
    const res = await this.request(registry, path, {
      kind: 'catalog',
      signal: opts.signal,
      scopes: ['registry:catalog:*'],
    });
    const body = JSON.parse((await this.readBody(res)).toString('utf8')) as { repositories?: string[] | null };
    return { items: body.repositories ?? [], next: nextLink(res) };
  }

  private scopesFor(repo: RepositoryName, push: boolean): string[] {
    const wantsPush = push || this.pushRepos.has(repoKey(repo));
    return [`repository:${repo.repository}:${wantsPush ? 'pull,push' : 'pull'}`];
  }

  private uploadLocation(registry: string, res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) {
      throw new UserError('registry', `Registry ${registry} opened an upload without a Location header; it does not follow the distribution API.`);
    }
    // Location may be absolute or relative to the registry (both occur in the wild).
    return new URL(loc, this.baseUrl(registry) + '/').toString();
  }

  private async readBody(res: Response): Promise<Buffer> {
    const buf = Buffer.from(await res.arrayBuffer());
    this.stats.bytesReceived += buf.length;
    return buf;
  }

  /**
   * Sends one request with auth. On 401 it answers the challenge once and retries; a body that
   * is a stream cannot be replayed, so callers open a session (POST, no body) before streaming.
   */
  private async request(registry: string, pathOrUrl: string, opts: RequestOptions): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : this.baseUrl(registry) + pathOrUrl;
    const scopes = opts.scopes ?? [];
    const method = opts.method ?? 'GET';
    const send = async (authorization: string | undefined): Promise<Response> => {
      const headers = new Headers({ 'User-Agent': this.userAgent, ...opts.headers });
      if (authorization) headers.set('Authorization', authorization);
      this.stats.count(opts.kind);
      this.log(`${method} ${redactUrl(url)}`);
      try {
        return await this.fetchImpl(url, {
          method,
          headers,
          body: opts.body as RequestInit['body'],
          signal: opts.signal as RequestInit['signal'],
          agent: agentFor,
        });
      } catch (e) {
        if ((e as Error)?.name === 'AbortError') throw new UserError('cancelled', 'The operation was cancelled.');
        throw unreachableError(registry, e);
      }
    };

    const sent = this.auth.cachedAuthorization(registry, scopes);
    let res = await send(sent);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate');
      await res.arrayBuffer().catch(() => undefined);
      if (!challenge) {
        throw new UserError('auth', `Registry ${registry} refused the request (401) without saying how to sign in; check the registry address.`);
      }
      if (opts.body && !Buffer.isBuffer(opts.body)) {
        throw new UserError('auth', `Registry ${registry} asked for credentials in the middle of an upload; sign in and try again.`);
      }
      // Concurrent requests race here: only drop what we sent if nobody has replaced it since,
      // else a late 401 would discard the login another request has just established.
      const current = this.auth.cachedAuthorization(registry, scopes);
      let authorization: string;
      if (current && current !== sent) {
        authorization = current;
      } else {
        if (sent) this.auth.invalidate(registry, scopes);
        authorization = await this.auth.authorize(registry, challenge, scopes, opts.signal);
      }
      res = await send(authorization);
      if (res.status === 401) {
        // The fresh credentials were refused too. The authenticator knows why (wrong password,
        // anonymous access not enough, or no access for this account) and says it in its error.
        const again = res.headers.get('www-authenticate') ?? challenge;
        await res.arrayBuffer().catch(() => undefined);
        if (this.auth.cachedAuthorization(registry, scopes) === authorization) this.auth.invalidate(registry, scopes);
        await this.auth.authorize(registry, again, scopes, opts.signal);
        throw new UserError(
          'auth',
          `Registry ${registry} refused ${describeScopes(scopes)} with the credentials it accepted; check that the account has access (docker login ${registry}).`,
        );
      }
    }
    if (res.ok || opts.accept?.includes(res.status)) return res;
    const text = await res.text().catch(() => '');
    throw this.httpError(registry, method, pathOrUrl, res.status, text, opts);
  }

  private httpError(registry: string, method: string, path: string, status: number, text: string, opts: RequestOptions): UserError {
    const codes = registryErrorCodes(text);
    if (status === 404 && opts.notFound) return opts.notFound();
    if (status === 403 || codes.includes('DENIED')) {
      return new UserError(
        'denied',
        `Registry ${registry} denied ${describeScopes(opts.scopes ?? [])} (${registryErrorSummary(text) || 'forbidden'}); sign in with an account that has access.`,
      );
    }
    if (status === 404 || codes.includes('NAME_UNKNOWN')) {
      return new UserError('not-found', `Registry ${registry} has no such resource (${redactUrl(path)}); check the repository name.`);
    }
    return new UserError(
      'registry',
      `Registry ${registry} answered ${method} ${redactUrl(path)} with HTTP ${status}${text ? ` (${registryErrorSummary(text)})` : ''}; the operation was not completed.`,
    );
  }
}

function agentFor(url: URL): http.Agent {
  return url.protocol === 'http:' ? keepAliveHttp : keepAliveHttps;
}

function repoKey(repo: RepositoryName): string {
  return `${repo.registry}/${repo.repository}`;
}

export function display(repo: RepositoryName): string {
  return `${repo.registry}/${repo.repository}`;
}

/** Upload URLs carry session state (and some registries put signed tokens there): keep logs clean. */
function redactUrl(url: string): string {
  return url.replace(/\?.*$/, (q) => (q.includes('_state=') || q.includes('signature') ? '?…' : q));
}

function manifestNotFound(repo: RepositoryName, reference: string): UserError {
  const what = isDigest(reference) ? `digest ${reference}` : `tag "${reference}"`;
  return new UserError(
    'not-found',
    `Image ${display(repo)} has no ${what}; check the name and tag (the repository may not exist, or may need sign-in).`,
  );
}

function blobNotFound(repo: RepositoryName, digest: string): UserError {
  return new UserError('not-found', `Blob ${digest} is missing from ${display(repo)}; the image is incomplete in the registry.`);
}

function verifiedDigest(bytes: Buffer, expected: string | undefined, what: string): string {
  const ours = digestLike('sha256:', bytes)!;
  if (!expected) return ours;
  const computed = digestLike(expected, bytes);
  if (computed !== undefined && computed !== expected) {
    throw new UserError('digest-mismatch', `The ${what} does not match its digest (got ${computed}); the registry returned corrupt or altered data.`);
  }
  return expected.startsWith('sha256:') ? expected : ours;
}

function inferMediaType(doc: { manifests?: unknown; config?: unknown }, contentType: string): string {
  if (isImageManifestType(contentType) || isIndexType(contentType) || isSchema1Type(contentType)) return contentType;
  // OCI allows omitting mediaType; the shape tells which document it is.
  if (Array.isArray(doc.manifests)) return 'application/vnd.oci.image.index.v1+json';
  if (doc.config) return 'application/vnd.oci.image.manifest.v1+json';
  return contentType;
}

/** RFC 5988 Link header: `</v2/_catalog?last=x&n=100>; rel="next"`. */
function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  if (!link) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  return m ? m[1] : undefined;
}
