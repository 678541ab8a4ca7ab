/**
 * rpm's SQLite database (`rpmdb.sqlite`, rpm 4.16 and later): table Packages(hnum INTEGER
 * PRIMARY KEY, blob BLOB) with one header blob per installed package. Read with sql.js, SQLite
 * compiled to WebAssembly: no native build, so it runs in the CLI and in VS Code's extension host
 * alike. Its .wasm file ships next to the bundle (see scripts/build.mjs).
 */
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { InstalledPackage } from '../types';
import { MAX_PACKAGES } from './limits';
import { readRpmHeader, rpmPackage } from './rpmHeader';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

let wasmPath: string | undefined;
let loading: Promise<SqlJsStatic> | undefined;

/**
 * Where sql-wasm.wasm is, for a host that ships it elsewhere. By default sql.js looks beside its
 * own code: node_modules/sql.js/dist/ unbundled, and dist/ in our bundles, where the build copies it.
 */
export function setSqlWasmPath(path: string | undefined): void {
  if (path !== wasmPath) loading = undefined;
  wasmPath = path;
}

/** Loaded once, on the first rpm database: images without one never pay for the WebAssembly. */
function sqlite(): Promise<SqlJsStatic> {
  const configured = wasmPath;
  loading ??= initSqlJs({ locateFile: (file: string, dir: string) => (configured && file.endsWith('.wasm') ? configured : dir + file) });
  loading.catch(() => (loading = undefined));
  return loading;
}

export class RpmdbError extends Error {}

/** Installed packages of an rpmdb.sqlite file. Throws RpmdbError when it is not one. */
export async function parseRpmdbSqlite(bytes: Uint8Array): Promise<InstalledPackage[]> {
  if (bytes.length < 100 || !Buffer.from(bytes.buffer, bytes.byteOffset, 16).equals(SQLITE_MAGIC)) {
    throw new RpmdbError('it is not an SQLite database');
  }
  // rpm keeps the database in WAL mode; a copy taken from a layer has no -shm file to go with it,
  // and rpm checkpoints on close, so it is read as an ordinary rollback-journal file.
  const copy = new Uint8Array(bytes);
  if (copy[18] === 2 && copy[19] === 2) copy[18] = copy[19] = 1;
  const SQL = await sqlite();
  let db;
  try {
    db = new SQL.Database(copy);
  } catch (e) {
    throw new RpmdbError(`SQLite cannot open it (${(e as Error).message})`);
  }
  const out: InstalledPackage[] = [];
  try {
    // A small page cache: the WebAssembly heap grows to what SQLite touches and never shrinks.
    db.run('PRAGMA cache_size = -1024');
    const stmt = db.prepare('SELECT blob FROM Packages');
    try {
      while (stmt.step() && out.length < MAX_PACKAGES) {
        const blob = stmt.get()[0];
        if (!(blob instanceof Uint8Array)) continue;
        const fields = readRpmHeader(blob);
        const pkg = fields && rpmPackage(fields);
        if (pkg) out.push(pkg);
      }
    } finally {
      stmt.free();
    }
  } catch (e) {
    if (e instanceof RpmdbError) throw e;
    throw new RpmdbError(`its Packages table cannot be read (${(e as Error).message})`);
  } finally {
    db.close();
  }
  return out;
}
