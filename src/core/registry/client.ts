import { Readable } from 'node:stream';
import { Authenticator } from '../auth/tokens';
import { FetchLike } from '../auth/tokenService';
import { StaticCredentialStore } from '../auth/credentials';
import { UserError, isUserError } from '../errors';
import { digestLike } from '../digest';
import { FetchedManifest } from '../manifest';
import { MANIFEST_ACCEPT } from '../mediaTypes';
import { apiHost, isLoopbackHost } from '../reference';
import { oneLine } from '../../shared/sanitize';
import { checkedDigest, checkedReference, parseJson, parseManifest, verifiedDigest } from './documents';
import { Page, collectPages, nextLink } from './paging';
import { RegistryHttp, Sent } from './registryHttp';
import { AuthorizedRequests } from './authorizedRequests';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './retryPolicy';
import { RequestStats } from './stats';
import { DEFAULT_TIMEOUTS } from './transport';
import { blobNotFound, manifestNotFound } from './registryErrors';
import { validateCatalog, validateTagList } from './validate';
import { makeTokenFetch } from './tokenFetch';
import { readBack, withWholeRetry } from './recovery';
import { RegistryClientOptions } from './clientOptions';
import { RepositoryName, display } from './repositoryName';
import { uploadLocation } from './uploadLocation';
import { verifiedBlobStream } from './verifiedBlobStream';

export type { Page } from './paging';
export { type RepositoryName, display } from './repositoryName';

/**
 * The one registry client: every HTTP call to a registry goes through `request`, which adds
 * auth, retries, keeps credentials on the registry's origin, bounds what it reads, maps failures
 * to one-sentence errors and counts traffic.
 */
export class RegistryClient {
  readonly stats: RequestStats;
  readonly policy: RetryPolicy;
  private readonly requests: AuthorizedRequests;
  private readonly insecure: Set<string>;
  readonly notice: (line: string) => void;
  private readonly onLayerChunk?: (bytes: number) => void;
  /** Repositories we will push to: their tokens are asked for pull+push from the first request. */
  private readonly pushRepos = new Set<string>();

  constructor(opts: RegistryClientOptions = {}) {
    this.stats = opts.stats ?? new RequestStats();
    this.insecure = new Set((opts.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    const log = opts.log ?? (() => undefined);
    this.notice = opts.notice ?? log;
    this.onLayerChunk = opts.onLayerChunk;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    const http = new RegistryHttp({
      stats: this.stats,
      policy: this.policy,
      timeouts: { ...DEFAULT_TIMEOUTS, ...opts.timeouts },
      userAgent: opts.userAgent ?? 'image-rebase/0.1',
      log,
      notice: this.notice,
    });
    const tokenFetch: FetchLike = makeTokenFetch(http, (host) => this.plainHttpAllowed(host));
    const auth = new Authenticator({ credentials: opts.credentials ?? new StaticCredentialStore({}), fetch: tokenFetch, log });
    this.requests = new AuthorizedRequests(http, auth, (registry) => this.baseUrl(registry));
  }

  baseUrl(registry: string): string {
    return `${this.plainHttpAllowed(registry) ? 'http' : 'https'}://${apiHost(registry)}`;
  }

  private plainHttpAllowed(host: string): boolean {
    const h = host.toLowerCase();
    return isLoopbackHost(h) || this.insecure.has(h) || this.insecure.has(h.replace(/:\d+$/, ''));
  }

  /** Declares that we will push to this repository, so its token covers push from the start. */
  preparePush(repo: RepositoryName): void {
    this.pushRepos.add(display(repo));
  }

  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    (await this.requests.request(registry, '/v2/', { kind: 'ping', signal, scopes: [] })).res.discard();
  }

  async getManifest(repo: RepositoryName, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const label = `${display(repo)}:${oneLine(reference, 80)}`;
    const ref = checkedReference(reference, `A request for ${display(repo)}`);
    const sent = await this.requests.request(repo.registry, `/v2/${repo.repository}/manifests/${ref}`, {
      kind: 'manifest-get',
      headers: { Accept: MANIFEST_ACCEPT },
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => manifestNotFound(display(repo), ref),
      read: 'manifest',
    });
    return parseManifest(sent.bytes!, sent.res.header('content-type'), sent.res.header('docker-content-digest'), label, ref);
  }

  /** HEAD of a manifest: digest and type without the body (spares Docker Hub's pull rate limit). */
  async headManifest(repo: RepositoryName, reference: string, signal?: AbortSignal): Promise<{ digest?: string; mediaType: string; size: number } | undefined> {
    const ref = checkedReference(reference, `A request for ${display(repo)}`);
    const { res } = await this.requests.request(repo.registry, `/v2/${repo.repository}/manifests/${ref}`, {
      kind: 'manifest-head',
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT },
      signal,
      scopes: this.scopesFor(repo, false),
      accept: [404],
    });
    res.discard();
    if (res.status === 404) return undefined;
    const digest = res.header('docker-content-digest');
    const size = Number(res.header('content-length') ?? 0);
    return {
      digest: digest && /^[a-z0-9]+:[a-zA-Z0-9=_-]+$/.test(digest) ? digest : undefined,
      mediaType: (res.header('content-type') ?? '').split(';')[0].trim(),
      size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
    };
  }

  async blobExists(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<boolean> {
    const { res } = await this.requests.request(repo.registry, `/v2/${repo.repository}/blobs/${checkedDigest(digest, 'A layer')}`, {
      kind: 'blob-head',
      method: 'HEAD',
      signal,
      scopes: this.scopesFor(repo, false),
      accept: [404],
    });
    res.discard();
    return res.status === 200;
  }

  /** A small blob (a config), read whole (bounded) and checked against its digest. */
  async getBlob(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const sent = await this.requests.request(repo.registry, `/v2/${repo.repository}/blobs/${checkedDigest(digest, 'A config')}`, {
      kind: 'blob-get',
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => blobNotFound(display(repo), digest),
      read: 'config',
    });
    verifiedDigest(sent.bytes!, digest, `${display(repo)} blob ${digest}`);
    return sent.bytes!;
  }

  /**
   * A blob as a stream, hashed on the way through: a mismatch or a break fails the stream, so a
   * corrupt or partial layer never reaches a target. Layers can be gigabytes, hence no buffering.
   */
  async getBlobStream(repo: RepositoryName, digest: string, signal?: AbortSignal): Promise<{ stream: Readable; size?: number }> {
    const { res } = await this.requests.request(repo.registry, `/v2/${repo.repository}/blobs/${checkedDigest(digest, 'A layer')}`, {
      kind: 'blob-get',
      signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => blobNotFound(display(repo), digest),
    });
    const stream = verifiedBlobStream(res.body, digest, repo, (bytes) => {
      this.stats.bytesReceived += bytes;
      this.onLayerChunk?.(bytes);
    });
    return { stream, size: res.length };
  }

  /**
   * Cross-repository mount. Returns true when the registry mounted it (201); otherwise the
   * upload session it opened is returned so the caller can upload into it.
   */
  async mountBlob(target: RepositoryName, digest: string, fromRepository: string, signal?: AbortSignal): Promise<{ mounted: true } | { mounted: false; uploadUrl: string }> {
    const q = new URLSearchParams({ mount: checkedDigest(digest, 'A layer'), from: fromRepository });
    const { res } = await this.requests.request(target.registry, `/v2/${target.repository}/blobs/uploads/?${q}`, {
      kind: 'blob-mount',
      method: 'POST',
      headers: { 'Content-Length': '0' },
      signal,
      scopes: [...this.scopesFor(target, true), `repository:${fromRepository}:pull`],
      accept: [201, 202],
      idempotent: true,
    });
    res.discard();
    if (res.status === 201) return { mounted: true };
    return { mounted: false, uploadUrl: this.uploadLocation(target.registry, res.header('location')) };
  }

  /** Starts an upload session (POST) and returns where to PUT the data. */
  async startUpload(target: RepositoryName, signal?: AbortSignal): Promise<string> {
    const { res } = await this.requests.request(target.registry, `/v2/${target.repository}/blobs/uploads/`, {
      kind: 'blob-upload-start',
      method: 'POST',
      headers: { 'Content-Length': '0' },
      signal,
      scopes: this.scopesFor(target, true),
      accept: [202],
      idempotent: true,
    });
    res.discard();
    return this.uploadLocation(target.registry, res.header('location'));
  }

  /** Monolithic upload into an open session: one PUT with the whole blob. Not retried: a session is used once. */
  async finishUpload(target: RepositoryName, uploadUrl: string, digest: string, size: number, body: Buffer | Readable, signal?: AbortSignal): Promise<void> {
    const url = new URL(uploadUrl);
    url.searchParams.set('digest', checkedDigest(digest, 'A layer'));
    if (Buffer.isBuffer(body)) this.stats.bytesSent += body.length;
    else body.on('data', (c: Buffer) => (this.stats.bytesSent += c.length));
    const { res } = await this.requests.request(target.registry, url.toString(), {
      kind: 'blob-upload-put',
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body,
      signal,
      scopes: this.scopesFor(target, true),
      accept: [201, 204],
    });
    res.discard();
  }

  /** A small blob (a config) uploaded whole; a failed attempt starts a new session. */
  async uploadBlob(target: RepositoryName, digest: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    await withWholeRetry(this, `upload of ${digest} to ${display(target)}`, signal, async () => {
      const location = await this.startUpload(target, signal);
      await this.finishUpload(target, location, digest, data.length, data, signal);
    }, () => this.blobExists(target, digest, signal));
  }

  /**
   * PUT a manifest; returns its digest, checked against the registry's. When the answer is lost
   * (or the user cancels after it was sent), the reference is read back: the registry's state,
   * not the broken connection, decides between success and "not changed".
   */
  async putManifest(target: RepositoryName, reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<string> {
    const ours = digestLike('sha256:', bytes)!;
    const ref = checkedReference(reference, `The push to ${display(target)}`);
    this.stats.bytesSent += bytes.length;
    let sent: Sent;
    try {
      sent = await this.requests.request(target.registry, `/v2/${target.repository}/manifests/${ref}`, {
        kind: 'manifest-put',
        method: 'PUT',
        headers: { 'Content-Type': mediaType },
        body: bytes,
        signal,
        scopes: this.scopesFor(target, true),
        accept: [200, 201, 202],
        idempotent: true,
      });
    } catch (e) {
      if (!isUserError(e) || (e.code !== 'unreachable' && e.code !== 'cancelled')) throw e;
      return readBack(this, target, ref, ours, e);
    }
    sent.res.discard();
    const theirs = sent.res.header('docker-content-digest');
    if (theirs && theirs !== ours && theirs.startsWith('sha256:')) {
      throw new UserError(
        'digest-mismatch',
        `${display(target)} stored the manifest under digest ${oneLine(theirs, 80)} instead of ${ours}; the registry altered it, so the result cannot be trusted.`,
      );
    }
    return ours;
  }

  async listTags(repo: RepositoryName, opts: { pageSize?: number; cursor?: string; signal?: AbortSignal } = {}): Promise<Page<string>> {
    const path = opts.cursor ?? `/v2/${repo.repository}/tags/list${opts.pageSize ? `?n=${opts.pageSize}` : ''}`;
    const sent = await this.requests.request(repo.registry, path, {
      kind: 'tags',
      signal: opts.signal,
      scopes: this.scopesFor(repo, false),
      notFound: () => new UserError('not-found', `Repository ${display(repo)} was not found; check the name, or sign in if it is private.`),
      read: 'listPage',
    });
    const where = `the tag list of ${display(repo)}`;
    const body = parseJson(sent.bytes!, `The tag list of ${display(repo)}`, 'the registry sent something that is not a tag list.') as { tags?: unknown };
    return { items: validateTagList(body, where), next: nextLink(sent.res.header('link')) };
  }

  /** Every tag, following pagination; `limit` bounds the work on huge repositories. */
  allTags(repo: RepositoryName, limit = 10_000, signal?: AbortSignal): Promise<string[]> {
    return collectPages((cursor) => this.listTags(repo, { cursor, pageSize: cursor ? undefined : 1000, signal }), limit);
  }

  async catalog(registry: string, opts: { pageSize?: number; cursor?: string; signal?: AbortSignal } = {}): Promise<Page<string>> {
    const path = opts.cursor ?? `/v2/_catalog${opts.pageSize ? `?n=${opts.pageSize}` : ''}`;
    const sent = await this.requests.request(registry, path, { kind: 'catalog', signal: opts.signal, scopes: ['registry:catalog:*'], read: 'listPage' });
    const where = `the repository list of ${registry}`;
    const body = parseJson(sent.bytes!, `The repository list of ${registry}`, 'the registry sent something that is not a repository list.');
    return { items: validateCatalog(body, where), next: nextLink(sent.res.header('link')) };
  }

  private scopesFor(repo: RepositoryName, push: boolean): string[] {
    const wantsPush = push || this.pushRepos.has(display(repo));
    return [`repository:${repo.repository}:${wantsPush ? 'pull,push' : 'pull'}`];
  }

  private uploadLocation(registry: string, loc: string | null): string {
    return uploadLocation(this.baseUrl(registry), registry, loc);
  }
}
