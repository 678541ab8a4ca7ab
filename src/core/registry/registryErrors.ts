import { FailureKind, UserError } from '../errors';
import { isRetryableStatus } from './retryPolicy';
import { isDigest } from '../digest';
import { describeScopes } from '../auth/scopes';
import { oneLine } from '../../shared/sanitize';

/** The JSON error body the distribution spec defines: {"errors":[{"code","message","detail"}]}. */
export interface RegistryErrorBody {
  errors?: Array<{ code?: unknown; message?: unknown }>;
}

function parseErrors(bodyText: string): Array<{ code?: unknown; message?: unknown }> | undefined {
  try {
    const body = JSON.parse(bodyText) as RegistryErrorBody;
    return Array.isArray(body?.errors) ? body.errors.filter((e) => e && typeof e === 'object') : undefined;
  } catch {
    return undefined;
  }
}

export function registryErrorCodes(bodyText: string): string[] {
  return (parseErrors(bodyText) ?? []).map((e) => (typeof e.code === 'string' ? e.code : '')).filter(Boolean);
}

/** One short, terminal-safe line out of an error body, however long or hostile it is. */
export function registryErrorSummary(bodyText: string): string {
  const errors = parseErrors(bodyText);
  const parts = (errors ?? []).map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x).join(': ')).filter(Boolean);
  return oneLine(parts.length ? parts.join('; ') : bodyText, 200);
}

/** Turns a network failure into the one sentence a user needs. */
export function unreachableError(registry: string, err: unknown, attempts = 1): UserError {
  const code = (err as { code?: string })?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host name not found'
        : code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EPIPE'
          ? 'connection timed out or was reset'
          : code === 'EPROTO' || /wrong version number|ssl/i.test(String((err as Error)?.message))
            ? 'TLS handshake failed; if it serves plain HTTP, list it as an insecure registry'
            : oneLine(String((err as Error)?.message ?? err).split('\n')[0], 120);
  const name = /^(registry|the token service)/i.test(registry) ? registry.charAt(0).toUpperCase() + registry.slice(1) : `Registry ${registry}`;
  const tries = attempts > 1 ? `, tried ${attempts} times` : '';
  return new UserError('unreachable', `${name} is unreachable (${why}${tries}); check that it is running and that the address is right.`, 'network');
}

export function manifestNotFound(repo: string, reference: string): UserError {
  const what = isDigest(reference) ? `digest ${reference}` : `tag "${reference}"`;
  return new UserError('not-found', `Image ${repo} has no ${what}; check the name and tag (the repository may not exist, or may need sign-in).`);
}

export function blobNotFound(repo: string, digest: string): UserError {
  return new UserError('not-found', `Blob ${digest} is missing from ${repo}; the image is incomplete in the registry.`);
}

export interface HttpErrorInput {
  registry: string;
  method: string;
  path: URL;
  status: number;
  text: string;
  scopes: string[];
  notFound?: () => UserError;
  attempts: number;
}

/** The sentence for an HTTP status the caller did not expect. */
export function httpError(o: HttpErrorInput): UserError {
  const codes = registryErrorCodes(o.text);
  const where = oneLine(o.path.pathname, 200);
  if (o.status === 404 && o.notFound) return o.notFound();
  if (o.status === 403 || codes.includes('DENIED')) {
    return new UserError('denied', `Registry ${o.registry} denied ${describeScopes(o.scopes)} (${registryErrorSummary(o.text) || 'forbidden'}); sign in with an account that has access.`);
  }
  if (o.status === 404 || codes.includes('NAME_UNKNOWN')) {
    return new UserError('not-found', `Registry ${o.registry} has no such resource (${where}); check the repository name.`);
  }
  const tries = o.attempts > 1 ? ` on all ${o.attempts} attempts` : '';
  const summary = registryErrorSummary(o.text);
  const kind: FailureKind | undefined = o.status === 429 ? 'rate-limited' : isRetryableStatus(o.status) ? 'server-error' : undefined;
  return new UserError(
    'registry',
    `Registry ${o.registry} answered ${o.method} ${where} with HTTP ${o.status}${summary ? ` (${summary})` : ''}${tries}; the operation was not completed.`,
    kind,
  );
}
