/**
 * Where an upload session's data goes: the Location header of the registry's answer to the POST,
 * absolute or relative to the registry (both occur in the wild), followed only under origin.ts's rules.
 */
import { UserError } from '../errors';
import { oneLine } from '../../shared/sanitize';
import { checkFollow } from './origin';

/** The URL to PUT to, from `loc` as sent by `registry` (whose API is at `baseUrl`). */
export function uploadLocation(baseUrl: string, registry: string, loc: string | null): string {
  if (!loc) {
    throw new UserError('registry', `Registry ${registry} opened an upload without a Location header; it does not follow the distribution API.`);
  }
  const next = checkFollow(new URL(baseUrl + '/'), loc);
  if (!next.ok) throw new UserError('registry', `Registry ${registry} sent the upload to ${oneLine(loc, 120)}, which is not followed because ${next.why}.`);
  return next.url.toString();
}
