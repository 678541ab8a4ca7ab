import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCreated, createdNanos } from '../../src/core/tags/created';

test('orders config dates to the nanosecond, across time zones', () => {
  assert.equal(compareCreated('2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z'), 1, 'the tag now names a newer image');
  assert.equal(compareCreated('2024-06-01T00:00:00Z', '2024-01-01T00:00:00Z'), -1, 'the tag moved back');
  assert.equal(compareCreated('2026-11-29T18:19:16.557096795Z', '2026-11-29T18:19:16.557096796Z'), 1, 'same millisecond');
  assert.equal(compareCreated('2024-01-01T12:00:00+02:00', '2024-01-01T10:00:00Z'), 0, 'the same instant');
  assert.equal(compareCreated('2024-01-01T10:00:00.5Z', '2024-01-01T10:00:00.500000000Z'), 0);
  assert.equal(createdNanos('2024-01-01t10:00:00z'), createdNanos('2024-01-01T10:00:00Z'));
});

test('says nothing when a date is missing, unreadable, the epoch or Go\'s zero time', () => {
  for (const bad of [undefined, '', 'yesterday', '2024-01-01', '2024-13-45T99:00:00Z', '1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z']) {
    assert.equal(compareCreated(bad, '2024-01-01T00:00:00Z'), undefined, String(bad));
    assert.equal(compareCreated('2024-01-01T00:00:00Z', bad), undefined, String(bad));
  }
});
