import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePlatform, normalizeVariant, samePlatform, platformAccepts, windowsBuild, windowsFamily, PlatformLike } from '../../src/core/rebase/platformMatch';

const win = (v: string): PlatformLike => ({ os: 'windows', architecture: 'amd64', 'os.version': v });
const cands = (...ps: PlatformLike[]) => ps.map((platform, i) => ({ platform, item: i }));

test('variants are normalised as containerd does', () => {
  assert.equal(normalizeVariant('arm64', undefined), 'v8');
  assert.equal(normalizeVariant('arm', ''), 'v7');
  assert.equal(normalizeVariant('amd64', undefined), 'v1');
  assert.equal(normalizeVariant('riscv64', undefined), '');
  assert.ok(samePlatform({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }));
  assert.ok(!samePlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm' }));
  assert.ok(!samePlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }));
  // A --platform without variant accepts any; with one, it must agree.
  assert.ok(platformAccepts({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v6' }));
  assert.ok(!platformAccepts({ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm', variant: 'v6' }));
});

test('os, architecture and variant must match; the reason lists what the base has', () => {
  const r = choosePlatform({ os: 'linux', architecture: 's390x' }, cands({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }), { baseName: 'base:2' });
  assert.deepEqual(r, { matched: false, reason: 'base:2 has no image for linux/s390x (it has: linux/amd64, linux/arm64/v8)' });
  const ok = choosePlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }, cands({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }));
  assert.ok(ok.matched && ok.item === 1 && ok.how === 'platform');
});

test('Windows: same build, newest revision; an old base exact first', () => {
  const list = cands(win('10.0.14393.1884'), win('10.0.16299.192'), win('10.0.14393.2068'), win('10.0.14393.1944'));
  const newest = choosePlatform(win('10.0.14393.1884'), list);
  assert.ok(newest.matched && newest.item === 2 && newest.how === 'same-build');
  const exact = choosePlatform(win('10.0.14393.1884'), list, { osVersion: 'exact' });
  assert.ok(exact.matched && exact.item === 0 && exact.how === 'exact-os-version');
  const other = choosePlatform(win('10.0.16299.125'), list);
  assert.ok(other.matched && other.item === 1);
  assert.equal(windowsBuild('10.0.17763.5458'), '10.0.17763');
  assert.equal(windowsBuild('1709'), undefined);
});

test('Windows: the only other release on offer is taken as named, with a warning; several are refused', () => {
  const one = choosePlatform(win('10.0.14393.1884'), cands(win('10.0.16299.125'), win('10.0.16299.192')), { baseName: 'the new base nano:1709' });
  assert.ok(one.matched);
  assert.equal(one.item, 1);
  assert.equal(one.how, 'release-change');
  assert.equal(one.warning, 'the new base nano:1709 has no Windows 10.0.14393 image for windows/amd64, so Windows 10.0.16299.192, the only release it offers, was taken as you named it.');
  const off = choosePlatform(win('10.0.14393.1884'), cands(win('10.0.16299.125')), { allowReleaseChange: false });
  assert.equal(off.matched, false);
  const several = choosePlatform(win('10.0.14393.1884'), cands(win('10.0.16299.125'), win('10.0.17134.1')), { baseName: 'nano:sac' });
  assert.deepEqual(several, {
    matched: false,
    reason: 'nano:sac has no Windows 10.0.14393 image for windows/amd64 (it has 10.0.16299, 10.0.17134), and with several releases on offer the one to move to is not clear',
  });
});

test('Windows base families are read from repository or tag names', () => {
  assert.equal(windowsFamily('mcr.microsoft.com/windows/nanoserver:1709'), 'nanoserver');
  assert.equal(windowsFamily('docker.io/microsoft/windowsservercore:10.0.14393.1884'), 'servercore');
  assert.equal(windowsFamily('mcr.microsoft.com/windows/servercore/iis:latest'), 'servercore');
  assert.equal(windowsFamily('mcr.microsoft.com/dotnet/runtime:8.0-nanoserver-1809'), 'nanoserver');
  assert.equal(windowsFamily('mcr.microsoft.com/windows/nanoserver@sha256:' + 'a'.repeat(64)), 'nanoserver');
  assert.equal(windowsFamily('docker.io/library/ubuntu:22.04'), undefined);
  assert.equal(windowsFamily(undefined), undefined);
});
