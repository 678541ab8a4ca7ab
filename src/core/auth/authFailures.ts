/**
 * The sign-in failures that both the authenticator and the token service report, worded once so
 * the same refusal reads the same wherever it is detected. They never include a secret.
 */
import { UserError } from '../errors';
import { describeScopes } from './scopes';

export function passwordRejected(registry: string): UserError {
  return new UserError(
    'auth',
    `Authentication to ${registry} failed: the username or password was rejected; check your credentials (docker login ${registry}).`,
  );
}

export function signInRequired(registry: string, scopes: string[] = [], maybeMissing = false): UserError {
  const what = scopes.length ? ` for ${describeScopes(scopes)}` : '';
  const missing = maybeMissing ? ' (or the repository does not exist)' : '';
  return new UserError('auth', `${registry} requires sign-in${what}${missing}; run docker login ${registry} and try again.`);
}
