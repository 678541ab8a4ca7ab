/**
 * Where credentials may go. Registry credentials belong to the registry's own origin (scheme,
 * host and port), Basic credentials for a token service to the realm's origin: a redirect, a
 * `Link` or an upload `Location` that leads elsewhere (a storage host, another port) is followed
 * without them, and nothing is ever downgraded from https to plain http.
 */

/** "https://host:port" with default ports normalised, as URL.origin gives it. */
export function originOf(url: string | URL): string {
  return (typeof url === 'string' ? new URL(url) : url).origin;
}

export function sameOrigin(a: string | URL, b: string | URL): boolean {
  return originOf(a) === originOf(b);
}

export type FollowCheck = { ok: true; url: URL } | { ok: false; why: string };

/**
 * Whether a request may move from `from` to `location` (a redirect target, Link or Location
 * header value, relative or absolute): only http(s), and never from https down to http.
 */
export function checkFollow(from: URL, location: string): FollowCheck {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return { ok: false, why: 'it is not a valid URL' };
  }
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return { ok: false, why: `it uses ${to.protocol.replace(/:$/, '')}, not http(s)` };
  if (from.protocol === 'https:' && to.protocol === 'http:') return { ok: false, why: 'it would downgrade from https to plain http' };
  if (to.username || to.password) return { ok: false, why: 'it carries credentials in the URL' };
  return { ok: true, url: to };
}
