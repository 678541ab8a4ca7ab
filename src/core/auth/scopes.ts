/**
 * Token scopes ("repository:org/app:pull,push"): parsing, merging into a canonical form, checking
 * that one set grants another, and describing them in messages.
 */

/** A token scope such as "repository:org/app:pull,push". */
export type Scope = string;

/** resource ("type:name", or the whole scope when it cannot be parsed) → allowed actions. */
export type ScopeSet = Map<string, Set<string>>;

function addScope(set: ScopeSet, scope: string): void {
  const s = scope.trim();
  if (!s) return;
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  let resource: string;
  let actions: string[];
  if (first < 0 || last === first) {
    resource = s; // opaque: matched exactly
    actions = [''];
  } else {
    resource = s.slice(0, last);
    actions = s
      .slice(last + 1)
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  }
  let acts = set.get(resource);
  if (!acts) set.set(resource, (acts = new Set()));
  for (const a of actions) acts.add(a);
}

/** Parses scopes (each may itself be a space-separated list, as in a challenge's scope param). */
export function parseScopes(scopes: Iterable<string>): ScopeSet {
  const set: ScopeSet = new Map();
  for (const scope of scopes) for (const part of scope.split(/\s+/)) addScope(set, part);
  return set;
}

/** Canonical, sorted scope strings with the actions of each resource merged and sorted. */
export function formatScopes(set: ScopeSet): string[] {
  const out: string[] = [];
  for (const [resource, actions] of set) {
    const acts = [...actions].filter((a) => a !== '').sort();
    out.push(acts.length ? `${resource}:${acts.join(',')}` : resource);
  }
  return out.sort();
}

/** Merges and sorts scopes: ["repository:a:push", "repository:a:pull"] → ["repository:a:pull,push"]. */
export function normaliseScopes(scopes: Iterable<string>): string[] {
  return formatScopes(parseScopes(scopes));
}

/** True when every action of every resource in `wanted` is granted by `granted` ("*" grants all). */
export function scopesCover(granted: ScopeSet, wanted: ScopeSet): boolean {
  for (const [resource, actions] of wanted) {
    const g = granted.get(resource);
    if (!g) return false;
    if (g.has('*')) continue;
    for (const a of actions) if (!g.has(a)) return false;
  }
  return true;
}

/** "pull access to org/app and push access to org/other" for messages. */
export function describeScopes(scopes: string[]): string {
  const parts: string[] = [];
  for (const [resource, actions] of parseScopes(scopes)) {
    const name = resource.startsWith('repository:') ? resource.slice('repository:'.length) : resource;
    const acts = [...actions].filter(Boolean);
    parts.push(acts.length ? `${acts.join('/')} access to ${name}` : `access to ${name}`);
  }
  return parts.length ? parts.join(' and ') : 'access';
}
