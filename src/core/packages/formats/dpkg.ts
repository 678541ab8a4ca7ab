/**
 * dpkg's database of installed packages: `var/lib/dpkg/status`, and distroless images'
 * `var/lib/dpkg/status.d/<package>` files, both in deb822 stanzas (RFC 822-like fields,
 * continuation lines indented, stanzas separated by blank lines).
 */
import { InstalledPackage } from '../types';
import { MAX_PACKAGES, cleanField } from './limits';

/** The fields of each stanza, lower-cased names, continuation lines dropped (we need none of them). */
function* stanzas(text: string): Generator<Map<string, string>> {
  let fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      if (fields.size) yield fields;
      fields = new Map();
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t' || line[0] === '#') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (fields.size) yield fields;
}

/**
 * Whether dpkg considers the package installed: the third word of Status (want, error flag,
 * state) is "installed" with no error. "hold ok installed" is installed too; "deinstall ok
 * config-files" (removed, configuration left) is not.
 */
function installed(status: string): boolean {
  const [want, flag, state] = status.split(/\s+/);
  return (want === 'install' || want === 'hold') && flag === 'ok' && state === 'installed';
}

/**
 * Installed packages of a status file. `statusOptional`: distroless status.d files may leave
 * Status out, and every stanza in them is an installed package.
 */
export function parseDpkgStatus(text: string, statusOptional = false): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const f of stanzas(text)) {
    const name = cleanField(f.get('package'));
    const version = cleanField(f.get('version'));
    const status = f.get('status');
    if (!name || !version) continue;
    if (status === undefined ? !statusOptional : !installed(status)) continue;
    out.push({ name, version, arch: cleanField(f.get('architecture')) });
    if (out.length >= MAX_PACKAGES) break;
  }
  return out;
}
