/**
 * Parsing of HTTP `WWW-Authenticate` headers (RFC 7235 §4.1), as sent by Docker/OCI registries.
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *   token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * The parser is lenient the way real registries need: unquoted values may contain characters
 * outside `tchar` (e.g. `realm=https://host/token`), an unterminated quoted string runs to the end,
 * and empty list elements (`,,`) are skipped.
 */

export interface Challenge {
  /** Lower-cased scheme name: 'bearer', 'basic', ... */
  scheme: string;
  /** Parameters with lower-cased names; values unquoted and unescaped. The first occurrence wins. */
  params: Record<string, string>;
  /** The token68 form (e.g. `Negotiate abc==`), when the challenge used it instead of parameters. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

export function parseWwwAuthenticate(header: string): Challenge[] {
  const s = header ?? '';
  const n = s.length;
  let i = 0;
  const challenges: Challenge[] = [];

  const skipSpaces = (): void => {
    while (i < n && isSpace(s[i])) i++;
  };
  const skipSpacesAndCommas = (): void => {
    while (i < n && (isSpace(s[i]) || s[i] === ',')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TCHAR.test(s[i])) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    // s[i] === '"'
    i++;
    let out = '';
    while (i < n) {
      const c = s[i];
      if (c === '\\' && i + 1 < n) {
        out += s[i + 1];
        i += 2;
      } else if (c === '"') {
        i++;
        return out;
      } else {
        out += c;
        i++;
      }
    }
    return out; // unterminated: lenient
  };
  /** Unquoted value: a token, leniently extended to anything up to a comma or whitespace. */
  const readBareValue = (): string => {
    const start = i;
    while (i < n && s[i] !== ',' && !isSpace(s[i])) i++;
    return s.slice(start, i);
  };

  /**
   * At position i (after optional spaces), decide whether an auth-param starts here, without
   * consuming anything. An auth-param is `token BWS "=" BWS value` where the value is not itself
   * an "=" (which would make `abc==` a token68) and not empty before a comma/end.
   */
  const paramStartsHere = (): boolean => {
    let j = i;
    while (j < n && TCHAR.test(s[j])) j++;
    if (j === i) return false;
    while (j < n && isSpace(s[j])) j++;
    if (s[j] !== '=') return false;
    j++;
    if (s[j] === '=') return false; // token68 padding such as "abc=="
    while (j < n && isSpace(s[j])) j++;
    // `name=` followed by nothing or a comma is ambiguous with token68 "abc=": not a param here.
    if (j >= n || s[j] === ',') return false;
    return true;
  };

  while (i < n) {
    skipSpacesAndCommas();
    if (i >= n) break;
    const scheme = readToken();
    if (!scheme) {
      // Garbage character where a scheme should be: skip to the next comma and resynchronise.
      while (i < n && s[i] !== ',') i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);

    const hadSpace = isSpace(s[i]);
    skipSpaces();
    if (i >= n) break;
    if (s[i] === ',') {
      // Either the scheme had no parameters ("Basic, Bearer ...") or parameters follow after a
      // comma (tolerated). Handled by the parameter loop below, which stops at a new scheme.
    } else if (hadSpace && !paramStartsHere()) {
      // token68
      const start = i;
      while (i < n && TOKEN68_CHAR.test(s[i])) i++;
      while (i < n && s[i] === '=') i++;
      if (i > start) challenge.token68 = s.slice(start, i);
      // Skip anything unexpected up to the next list separator.
      while (i < n && s[i] !== ',') i++;
      continue;
    }

    // auth-params, separated by commas; a token not followed by "=" starts the next challenge.
    for (;;) {
      // Allow empty list elements between params.
      while (i < n && (s[i] === ',' || isSpace(s[i]))) i++;
      if (i >= n) break;
      if (!paramStartsHere()) {
        // Could be a new challenge ("..., Basic realm=x") or an empty-valued param ("a=,").
        const j0 = i;
        const name = readToken();
        skipSpaces();
        if (name && s[i] === '=') {
          // Empty value parameter, e.g. `error=` — record it as empty and continue.
          i++;
          skipSpaces();
          const key = name.toLowerCase();
          if (!(key in challenge.params)) challenge.params[key] = '';
          continue;
        }
        i = j0; // not a parameter: the next challenge's scheme (or junk) starts here
        break;
      }
      const name = readToken().toLowerCase();
      skipSpaces();
      i++; // '='
      skipSpaces();
      const value = s[i] === '"' ? readQuoted() : readBareValue();
      if (!(name in challenge.params)) challenge.params[name] = value;
      skipSpaces();
      if (i < n && s[i] !== ',') {
        // Junk after a value (e.g. `realm="x" junk`): skip to the next separator.
        while (i < n && s[i] !== ',') i++;
      }
    }
  }
  return challenges;
}

/** The first challenge with the given scheme (case-insensitive), if any. */
export function findChallenge(challenges: Challenge[], scheme: string): Challenge | undefined {
  const want = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === want);
}
