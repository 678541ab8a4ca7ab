/**
 * Package database files as real distributions write them, for tests: dpkg status stanzas (with
 * the fields and continuation lines dpkg writes), apk installed records, rpm header blobs in an
 * rpmdb.sqlite made with sql.js (the same library the code under test reads it with, but the
 * layout written here from rpm's header format), and os-release files.
 */
import initSqlJs from 'sql.js';

export interface Pkg {
  name: string;
  version: string;
  arch?: string;
}

// ---- dpkg ----------------------------------------------------------------------------------------

/** One stanza as dpkg writes it in var/lib/dpkg/status. */
export function dpkgStanza(p: Pkg, status = 'install ok installed'): string {
  return [
    `Package: ${p.name}`,
    `Status: ${status}`,
    'Priority: optional',
    'Section: libs',
    `Installed-Size: ${100 + p.name.length * 37}`,
    'Maintainer: Debian Maintainers <debian-devel@lists.debian.org>',
    `Architecture: ${p.arch ?? 'amd64'}`,
    'Multi-Arch: same',
    `Source: ${p.name.replace(/\d+$/, '')}`,
    `Version: ${p.version}`,
    'Depends: libc6 (>= 2.34)',
    `Description: the ${p.name} package`,
    ` This is the long description of ${p.name}, which dpkg keeps`,
    ' on continuation lines, indented by one space.',
    ' .',
    ' Package: not-a-package-line',
    ...(p.name === 'base-files' ? ['Conffiles:', ' /etc/debian_version 0123456789abcdef0123456789abcdef', ' /etc/issue 0123456789abcdef0123456789abcdef'] : []),
  ].join('\n');
}

/** var/lib/dpkg/status: the installed packages, plus packages removed with their config kept. */
export function dpkgStatus(pkgs: Pkg[], configFilesOnly: Pkg[] = []): string {
  return [...pkgs.map((p) => dpkgStanza(p)), ...configFilesOnly.map((p) => dpkgStanza(p, 'deinstall ok config-files'))].join('\n\n') + '\n';
}

/** A distroless var/lib/dpkg/status.d/<name> file: one stanza, without a Status field. */
export function distrolessStanza(p: Pkg): string {
  return dpkgStanza(p).split('\n').filter((l) => !l.startsWith('Status:')).join('\n') + '\n';
}

// ---- apk -----------------------------------------------------------------------------------------

/** One record of lib/apk/db/installed, with the file lines apk writes after the package fields. */
export function apkRecord(p: Pkg): string {
  return [
    'C:Q1qKcZ+j23xssAXmgQhkOO8dHnbWw=',
    `P:${p.name}`,
    `V:${p.version}`,
    `A:${p.arch ?? 'x86_64'}`,
    'S:4000',
    'I:20480',
    `T:the ${p.name} package`,
    'U:https://alpinelinux.org',
    'L:MIT',
    `o:${p.name}`,
    'm:Natanael Copa <ncopa@alpinelinux.org>',
    't:1700000000',
    'c:0123456789abcdef0123456789abcdef01234567',
    'D:so:libc.musl-x86_64.so.1',
    `p:so:lib${p.name}.so.1=1`,
    'F:usr/lib',
    `R:lib${p.name}.so.1`,
    'a:0:0:755',
    'Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  ].join('\n');
}

export function apkInstalled(pkgs: Pkg[]): string {
  return pkgs.map(apkRecord).join('\n\n') + '\n\n';
}

// ---- rpm -----------------------------------------------------------------------------------------

export interface RpmPkg extends Pkg {
  release: string;
  epoch?: number;
}

const STRING = 6;
const INT32 = 4;
const BIN = 7;
const I18NSTRING = 9;

/**
 * A header blob as rpmdb.sqlite stores it: entry count and store size (big-endian), the index
 * entries (tag, type, offset, count), then the store. Starts with the immutable-region entry
 * (tag 63) rpm puts first, and carries a few tags the reader must skip.
 */
export function rpmHeaderBlob(p: RpmPkg): Buffer {
  const entries: Array<{ tag: number; type: number; data: Buffer; count: number; align: number }> = [];
  const str = (tag: number, s: string, type = STRING) => entries.push({ tag, type, data: Buffer.from(`${s}\0`), count: 1, align: 1 });
  const int = (tag: number, n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    entries.push({ tag, type: INT32, data: b, count: 1, align: 4 });
  };
  str(1000, p.name);
  str(1001, p.version);
  str(1002, p.release);
  if (p.epoch !== undefined) int(1003, p.epoch);
  str(1004, `the ${p.name} package`, I18NSTRING);
  int(1009, 123456);
  str(1014, 'MIT');
  str(1022, p.arch ?? 'x86_64');
  // The region trailer: 16 bytes at the end of the store, pointed at by tag 63.
  const trailer = Buffer.alloc(16);
  entries.unshift({ tag: 63, type: BIN, data: trailer, count: 16, align: 1 });

  const store: Buffer[] = [];
  let size = 0;
  const index = Buffer.alloc(entries.length * 16);
  // The region entry's data goes last, as rpm lays it out; the others in order.
  const order = [...entries.slice(1), entries[0]];
  const offsets = new Map<(typeof entries)[number], number>();
  for (const e of order) {
    const pad = (e.align - (size % e.align)) % e.align;
    if (pad) {
      store.push(Buffer.alloc(pad));
      size += pad;
    }
    offsets.set(e, size);
    store.push(e.data);
    size += e.data.length;
  }
  entries.forEach((e, i) => {
    index.writeUInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeInt32BE(offsets.get(e)!, i * 16 + 8);
    index.writeUInt32BE(e.count, i * 16 + 12);
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, index, ...store]);
}

/** The imported signing key rpm lists as a package; the reader must leave it out. */
export const GPG_PUBKEY: RpmPkg = { name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b', arch: '(none)' };

/**
 * rpmdb.sqlite with rpm's schema and one header blob per package, marked as WAL mode in its
 * header as rpm leaves it.
 */
export async function rpmdbSqlite(pkgs: RpmPkg[]): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    db.run("CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
    db.run("CREATE TABLE IF NOT EXISTS 'Name' (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))");
    const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    for (const p of pkgs) insert.run([rpmHeaderBlob(p)]);
    insert.free();
    const bytes = Buffer.from(db.export());
    bytes[18] = 2;
    bytes[19] = 2;
    return bytes;
  } finally {
    db.close();
  }
}

// ---- os-release ----------------------------------------------------------------------------------

export function debianOsRelease(major: string, codename: string): string {
  return [
    `PRETTY_NAME="Debian GNU/Linux ${major} (${codename})"`,
    'NAME="Debian GNU/Linux"',
    `VERSION_ID="${major}"`,
    `VERSION="${major} (${codename})"`,
    `VERSION_CODENAME=${codename}`,
    'ID=debian',
    'HOME_URL="https://www.debian.org/"',
    '',
  ].join('\n');
}

export function alpineOsRelease(version: string): string {
  return ['NAME="Alpine Linux"', 'ID=alpine', `VERSION_ID=${version}`, `PRETTY_NAME="Alpine Linux v${version.split('.').slice(0, 2).join('.')}"`, 'HOME_URL="https://alpinelinux.org/"', ''].join('\n');
}

export function rhelOsRelease(version: string): string {
  return ['NAME="Red Hat Enterprise Linux"', `VERSION="${version} (Plow)"`, 'ID="rhel"', 'ID_LIKE="fedora"', `VERSION_ID="${version}"`, `PRETTY_NAME="Red Hat Enterprise Linux ${version} (Plow)"`, ''].join('\n');
}
