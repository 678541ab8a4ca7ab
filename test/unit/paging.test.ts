import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectPages, nextLink, type Page } from '../../src/core/registry/paging';

const pages = (book: Record<string, Page<string>>) => {
  const asked: Array<string | undefined> = [];
  return { asked, fetch: async (c: string | undefined) => (asked.push(c), book[c ?? 'first']) };
};

test('follows Link cursors to the end, up to the limit', async () => {
  const p = pages({ first: { items: ['a', 'b'], next: '/p2' }, '/p2': { items: ['c'], next: '/p3' }, '/p3': { items: ['d'] } });
  assert.deepEqual(await collectPages(p.fetch, 100), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await collectPages(pages({ first: { items: ['a', 'b'], next: '/p2' }, '/p2': { items: ['c'] } }).fetch, 2), ['a', 'b']);
});

test('a registry linking to empty pages or back to a page already read ends the walk', async () => {
  const empty = pages({ first: { items: ['a'], next: '/e' }, '/e': { items: [], next: '/e2' }, '/e2': { items: [], next: '/e3' } });
  assert.deepEqual(await collectPages(empty.fetch, 100), ['a']);
  assert.equal(empty.asked.length, 2);
  const self = pages({ first: { items: ['a'], next: '/s' }, '/s': { items: ['b'], next: '/s' } });
  assert.deepEqual(await collectPages(self.fetch, 100), ['a', 'b']);
  assert.equal(self.asked.length, 2);
  const loop = pages({ first: { items: ['a'], next: '/x' }, '/x': { items: ['b'], next: '/y' }, '/y': { items: ['c'], next: '/x' } });
  assert.deepEqual(await collectPages(loop.fetch, 100), ['a', 'b', 'c']);
});

test('a page of 130,000 names does not overflow the stack', async () => {
  const big = Array.from({ length: 130_000 }, (_, i) => `t${i}`);
  assert.equal((await collectPages(async () => ({ items: big }), 200_000)).length, 130_000);
});

test('Link header parsing', () => {
  assert.equal(nextLink('</v2/_catalog?last=x&n=100>; rel="next"'), '/v2/_catalog?last=x&n=100');
  assert.equal(nextLink(null), undefined);
  assert.equal(nextLink('</x>; rel="prev"'), undefined);
});
