import { UserError } from '../errors';

/** The JSON error body the distribution spec defines: {"errors":[{"code","message","detail"}]}. */
export interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string }>;
}

export function registryErrorCodes(bodyText: string): string[] {
  try {
    const body = JSON.parse(bodyText) as RegistryErrorBody;
    return (body.errors ?? []).map((e) => String(e.code ?? '')).filter(Boolean);
  } catch {
    return [];
  }
}

export function registryErrorSummary(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as RegistryErrorBody;
    const parts = (body.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': '));
    if (parts.length) return parts.join('; ');
  } catch {
    // not JSON: fall through to a trimmed excerpt
  }
  return bodyText.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Turns a network failure into the one sentence a user needs. */
export function unreachableError(registry: string, err: unknown): UserError {
  const code = (err as { code?: string })?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host name not found'
        : code === 'ETIMEDOUT' || code === 'ECONNRESET'
          ? 'connection timed out or was reset'
          : code === 'EPROTO' || /wrong version number|ssl/i.test(String((err as Error)?.message))
            ? 'TLS handshake failed; if it serves plain HTTP, list it as an insecure registry'
            : String((err as Error)?.message ?? err).split('\n')[0];
  return new UserError(
    'unreachable',
    `Registry ${registry} is unreachable (${why}); check that it is running and that the address is right.`,
  );
}
