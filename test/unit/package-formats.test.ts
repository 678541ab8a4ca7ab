import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDpkgStatus } from '../../src/core/packages/formats/dpkg';
import { parseApkInstalled } from '../../src/core/packages/formats/apk';
import { parseOsRelease, withPointRelease } from '../../src/core/packages/formats/osRelease';
import { readRpmHeader, rpmPackage } from '../../src/core/packages/formats/rpmHeader';
import { parseRpmdbSqlite, RpmdbError } from '../../src/core/packages/formats/rpmdb';
import { GPG_PUBKEY, apkInstalled, debianOsRelease, distrolessStanza, dpkgStatus, rpmHeaderBlob, rpmdbSqlite } from '../harness/packageDbs';

describe('package database formats', () => {
  test('dpkg status: installed stanzas only, continuation lines ignored', () => {
    const text = dpkgStatus(
      [
        { name: 'base-files', version: '12.4+deb12u5' },
        { name: 'libssl3', version: '3.0.11-1~deb12u2' },
        { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
      ],
      [{ name: 'old-removed', version: '1.0-1' }],
    );
    const held = text + '\nPackage: held\nStatus: hold ok installed\nVersion: 2.0-1\nArchitecture: amd64\n\nPackage: half\nStatus: install reinstreq half-installed\nVersion: 1\n';
    assert.deepEqual(parseDpkgStatus(held), [
      { name: 'base-files', version: '12.4+deb12u5', arch: 'amd64' },
      { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64' },
      { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
      { name: 'held', version: '2.0-1', arch: 'amd64' },
    ]);
    // CRLF line ends and a missing final newline change nothing.
    assert.equal(parseDpkgStatus(held.replace(/\n/g, '\r\n').trimEnd()).length, 4);
  });

  test('dpkg status.d (distroless): stanzas without Status count as installed there only', () => {
    const text = distrolessStanza({ name: 'libc6', version: '2.36-9+deb12u4' });
    assert.deepEqual(parseDpkgStatus(text, true), [{ name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' }]);
    assert.deepEqual(parseDpkgStatus(text), []);
  });

  test('apk installed: P, V and A of each record', () => {
    const text = apkInstalled([
      { name: 'musl', version: '1.2.4_git20230717-r4' },
      { name: 'busybox', version: '1.36.1-r15', arch: 'aarch64' },
    ]);
    assert.deepEqual(parseApkInstalled(text), [
      { name: 'musl', version: '1.2.4_git20230717-r4', arch: 'x86_64' },
      { name: 'busybox', version: '1.36.1-r15', arch: 'aarch64' },
    ]);
  });

  test('os-release: quoting, and Debian point release from debian_version', () => {
    const os = parseOsRelease(debianOsRelease('12', 'bookworm') + "X='a'\nBAD LINE\n");
    assert.deepEqual(os, { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    assert.equal(withPointRelease(os, '12.8\n').release, '12.8');
    assert.equal(withPointRelease(os, 'trixie/sid').release, '12');
    assert.equal(parseOsRelease('NAME="A \\"quoted\\" name"\n').name, 'A "quoted" name');
  });

  test('rpm header blob: name, epoch, version, release, arch; bounds checked', () => {
    const blob = rpmHeaderBlob({ name: 'openssl-libs', version: '3.0.7', release: '27.el9', epoch: 1, arch: 'x86_64' });
    const h = readRpmHeader(blob)!;
    assert.deepEqual(h, { name: 'openssl-libs', version: '3.0.7', release: '27.el9', epoch: 1, arch: 'x86_64' });
    assert.deepEqual(rpmPackage(h), { name: 'openssl-libs', version: '1:3.0.7-27.el9', arch: 'x86_64' });
    assert.equal(rpmPackage(readRpmHeader(rpmHeaderBlob(GPG_PUBKEY))!), undefined);
    // Truncated or lying blobs are refused, never read past their end.
    assert.equal(readRpmHeader(blob.subarray(0, blob.length - 1)), undefined);
    const lying = Buffer.from(blob);
    lying.writeUInt32BE(0x7fffffff, 4);
    assert.equal(readRpmHeader(lying), undefined);
    const badOffset = Buffer.from(blob);
    badOffset.writeInt32BE(1_000_000, 8 + 16 + 8); // NAME's offset, past the store
    assert.equal(readRpmHeader(badOffset)?.name, undefined);
  });

  test('rpmdb.sqlite: every package but gpg-pubkey, from a WAL-mode file', async () => {
    const db = await rpmdbSqlite([
      { name: 'bash', version: '5.1.8', release: '6.el9' },
      GPG_PUBKEY,
      { name: 'glibc', version: '2.34', release: '100.el9_4.2', arch: 'x86_64' },
    ]);
    assert.equal(db[18], 2, 'the fixture is in WAL mode, as rpm leaves it');
    assert.deepEqual(await parseRpmdbSqlite(db), [
      { name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64' },
      { name: 'glibc', version: '2.34-100.el9_4.2', arch: 'x86_64' },
    ]);
    await assert.rejects(parseRpmdbSqlite(Buffer.from('not a database at all, certainly not SQLite'.repeat(4))), RpmdbError);
    const noTable = Buffer.from(db.toString('latin1').replaceAll('Packages', 'Pockages'), 'latin1');
    await assert.rejects(parseRpmdbSqlite(noTable), RpmdbError);
  });
});
