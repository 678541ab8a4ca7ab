/**
 * RPM header blobs, as rpmdb.sqlite stores one per installed package (the header without the
 * package file's lead and signature): a big-endian count of index entries and the size of the
 * data store, then the entries (tag, type, offset into the store, count; 16 bytes each), then the
 * store. Only the tags that name a package are read; every offset is bounds-checked, since the
 * blob comes from a layer.
 */
import { InstalledPackage } from '../types';
import { cleanField } from './limits';

export const RPMTAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, ARCH: 1022 } as const;

export const RPM_TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

const ENTRY_SIZE = 16;
/** rpm's own ceiling for one header. */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 0xffff;

export interface RpmHeaderFields {
  name?: string;
  version?: string;
  release?: string;
  epoch?: number;
  arch?: string;
}

/** The naming tags of one header blob; undefined when the blob is not a header. */
export function readRpmHeader(blob: Uint8Array): RpmHeaderFields | undefined {
  if (blob.length < 8) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const count = view.getUint32(0);
  const dataSize = view.getUint32(4);
  if (count === 0 || count > MAX_ENTRIES || dataSize > MAX_HEADER_BYTES) return undefined;
  const storeStart = 8 + count * ENTRY_SIZE;
  if (storeStart + dataSize > blob.length) return undefined;
  const store = blob.subarray(storeStart, storeStart + dataSize);

  const out: RpmHeaderFields = {};
  for (let i = 0; i < count; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const tag = view.getUint32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getInt32(at + 8);
    if (offset < 0 || offset >= store.length) continue;
    switch (tag) {
      case RPMTAG.NAME:
        out.name = stringAt(store, type, offset);
        break;
      case RPMTAG.VERSION:
        out.version = stringAt(store, type, offset);
        break;
      case RPMTAG.RELEASE:
        out.release = stringAt(store, type, offset);
        break;
      case RPMTAG.ARCH:
        out.arch = stringAt(store, type, offset);
        break;
      case RPMTAG.EPOCH:
        if (type === RPM_TYPE.INT32 && offset + 4 <= store.length) out.epoch = new DataView(store.buffer, store.byteOffset + offset, 4).getUint32(0);
        break;
    }
  }
  return out;
}

/** A NUL-terminated string (the first one of an array or i18n table). */
function stringAt(store: Uint8Array, type: number, offset: number): string | undefined {
  if (type !== RPM_TYPE.STRING && type !== RPM_TYPE.STRING_ARRAY && type !== RPM_TYPE.I18NSTRING) return undefined;
  const end = store.indexOf(0, offset);
  if (end < 0) return undefined;
  return Buffer.from(store.buffer, store.byteOffset + offset, end - offset).toString('utf8');
}

/**
 * The package a header describes, version written "[epoch:]version-release" as rpm -q shows it.
 * The gpg-pubkey pseudo-packages (imported signing keys) are not software and are left out.
 */
export function rpmPackage(h: RpmHeaderFields): InstalledPackage | undefined {
  const name = cleanField(h.name);
  const version = cleanField(h.version);
  if (!name || !version || name === 'gpg-pubkey') return undefined;
  const evr = `${h.epoch ? `${h.epoch}:` : ''}${version}${h.release ? `-${h.release}` : ''}`;
  return { name, version: cleanField(evr)!, arch: cleanField(h.arch) };
}
