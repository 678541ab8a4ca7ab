/**
 * apk's database of installed packages, `lib/apk/db/installed`: one record per package, lines of
 * `<letter>:<value>`, records separated by blank lines. P is the name, V the version, A the
 * architecture; the many file lines (F:, R:, Z:…) are skipped.
 */
import { InstalledPackage } from '../types';
import { MAX_PACKAGES, cleanField } from './limits';

export function parseApkInstalled(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  let name: string | undefined;
  let version: string | undefined;
  let arch: string | undefined;
  const flush = (): void => {
    if (name && version && out.length < MAX_PACKAGES) out.push({ name, version, arch });
    name = version = arch = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        name = cleanField(value);
        break;
      case 'V':
        version = cleanField(value);
        break;
      case 'A':
        arch = cleanField(value);
        break;
    }
  }
  flush();
  return out;
}
