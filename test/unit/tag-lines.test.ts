import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, newestOfLine, parseTagVersion, sameLine } from '../../src/core/tags/tagLines';

const v = (tag: string) => {
  const p = parseTagVersion(tag);
  assert.ok(p, tag);
  return p;
};

test('reads versions, suffixes and dates out of tags', () => {
  assert.deepEqual(v('1'), { tag: '1', prefix: '', parts: ['1'], suffix: '', kind: 'version' });
  assert.deepEqual(v('v1.2.3'), { tag: 'v1.2.3', prefix: 'v', parts: ['1', '2', '3'], suffix: '', kind: 'version' });
  assert.deepEqual(v('3.12-slim-bookworm'), { tag: '3.12-slim-bookworm', prefix: '', parts: ['3', '12'], suffix: '-slim-bookworm', kind: 'version' });
  assert.deepEqual(v('1.2-alpine3.19'), { tag: '1.2-alpine3.19', prefix: '', parts: ['1', '2'], suffix: '-alpine3.19', kind: 'version' });
  assert.deepEqual(v('v007'), { tag: 'v007', prefix: 'v', parts: ['7'], suffix: '', kind: 'version' });
  assert.deepEqual(v('2024-01-15'), { tag: '2024-01-15', prefix: '', parts: ['2024', '1', '15'], suffix: '', kind: 'date' });
  assert.deepEqual(v('2024-01-15-slim'), { tag: '2024-01-15-slim', prefix: '', parts: ['2024', '1', '15'], suffix: '-slim', kind: 'date' });
  assert.deepEqual(v('20240115'), { tag: '20240115', prefix: '', parts: ['20240115'], suffix: '', kind: 'date' });
  assert.deepEqual(v('10.0.17763.5458'), { tag: '10.0.17763.5458', prefix: '', parts: ['10', '0', '17763', '5458'], suffix: '', kind: 'version' });
  assert.deepEqual(v('0'), { tag: '0', prefix: '', parts: ['0'], suffix: '', kind: 'version' });
});

test('tags that are no version are on no line', () => {
  for (const tag of ['latest', 'stable', 'edge', 'bookworm', 'sha-abc123', 'sha-1234567', 'main', 'ltsc2022', 'V1', 'x1.2', '1.2.', '.1', 'slim-1']) {
    assert.equal(parseTagVersion(tag), undefined, tag);
  }
});

test('a line is prefix, suffix, number of parts and kind of first number', () => {
  assert.ok(sameLine(v('1'), v('2')));
  assert.ok(sameLine(v('1-slim'), v('22-slim')));
  assert.ok(sameLine(v('1.2'), v('2.0')));
  assert.ok(sameLine(v('2024-01-15'), v('2025.02.01')), 'a date written with dots or dashes');
  assert.ok(!sameLine(v('1'), v('1.2')), 'precision is kept');
  assert.ok(!sameLine(v('1'), v('v2')), 'prefix');
  assert.ok(!sameLine(v('1-slim'), v('2')), 'variant');
  assert.ok(!sameLine(v('1-slim'), v('2-alpine')), 'variant');
  assert.ok(!sameLine(v('1.9'), v('2.0-rc1')), 'a pre-release is another suffix');
  assert.ok(!sameLine(v('1'), v('20240115')), 'a major version against a date');
  assert.ok(!sameLine(v('1'), v('2024')), 'a major version against a year');
});

test('compares numerically, leading zeros ignored, digits of any length', () => {
  assert.ok(compareVersions(v('1.10'), v('1.9')) > 0);
  assert.ok(compareVersions(v('v010'), v('v9')) > 0);
  assert.equal(compareVersions(v('v01'), v('v1')), 0);
  assert.ok(compareVersions(v('99999999999999999999'), v('99999999999999999998')) > 0, 'beyond a double');
  assert.ok(compareVersions(v('2024-01-15'), v('2023-12-31')) > 0);
});

test('offers the greatest newer tag of the same line, and nothing else', () => {
  const tags = ['1', '2', '10', '1.2', '1.3', '2.0', '1.2.3', '1.2.10', '1-slim', '3-slim', '4-alpine', 'latest', 'sha-9999', '20240101', '20250101', 'v5', '2024-01-15', '2024-06-01', '12.0-rc1'];
  assert.equal(newestOfLine('1', tags), '10');
  assert.equal(newestOfLine('2', tags), '10');
  assert.equal(newestOfLine('10', tags), undefined, 'already the newest');
  assert.equal(newestOfLine('1.2', tags), '2.0');
  assert.equal(newestOfLine('1.2.3', tags), '1.2.10');
  assert.equal(newestOfLine('1-slim', tags), '3-slim');
  assert.equal(newestOfLine('1-alpine', tags), '4-alpine');
  assert.equal(newestOfLine('v1', tags), 'v5');
  assert.equal(newestOfLine('20240101', tags), '20250101');
  assert.equal(newestOfLine('2024-01-15', tags), '2024-06-01');
  assert.equal(newestOfLine('11.0', tags), undefined, 'a pre-release is not offered');
  assert.equal(newestOfLine('latest', tags), undefined);
  assert.equal(newestOfLine('sha-1234', tags), undefined);
  assert.equal(newestOfLine('5', []), undefined);
});

test('the line of the test registry: base:1 to base:2, many:v001 to many:v025', () => {
  assert.equal(newestOfLine('1', ['1', '2']), '2');
  assert.equal(newestOfLine('v001', Array.from({ length: 25 }, (_, i) => `v${String(i + 1).padStart(3, '0')}`)), 'v025');
  // Tags listed in any order; an equal value under another spelling is not newer.
  assert.equal(newestOfLine('v1', ['v001', 'v01']), undefined);
  assert.equal(newestOfLine('1', ['3', '2', '1']), '3');
});
