/**
 * os-release(5): shell-style KEY=value lines, values optionally in single or double quotes
 * (double quotes with backslash escapes). Only the fields that name the release are kept.
 */
import { OsRelease } from '../types';
import { cleanField } from './limits';

function unquote(v: string): string {
  const s = v.trim();
  if (s.length >= 2 && s[0] === '"' && s.endsWith('"')) return s.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (s.length >= 2 && s[0] === "'" && s.endsWith("'")) return s.slice(1, -1);
  return s;
}

export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) fields.set(m[1], unquote(m[2]));
  }
  return {
    id: cleanField(fields.get('ID')),
    name: cleanField(fields.get('NAME')),
    versionId: cleanField(fields.get('VERSION_ID')),
    prettyName: cleanField(fields.get('PRETTY_NAME')),
  };
}

/**
 * Debian's os-release says only "12"; `etc/debian_version` has the point release ("12.8") that a
 * base update moves. Taken only when it extends VERSION_ID, so testing/sid ("trixie/sid") and
 * derivatives that keep Debian's file are not mislabelled.
 */
export function withPointRelease(os: OsRelease, debianVersion: string | undefined): OsRelease {
  const v = cleanField(debianVersion?.split('\n')[0]);
  if (v && os.versionId && (v === os.versionId || v.startsWith(`${os.versionId}.`))) return { ...os, release: v };
  return os.versionId ? { ...os, release: os.versionId } : os;
}
