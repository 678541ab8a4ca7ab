import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_RETRY_POLICY,
  HostBackoff,
  backoffDelay,
  decideRetry,
  isRateLimitLow,
  isRetryableStatus,
  parseRateLimit,
  parseRetryAfter,
} from '../../src/core/registry/retryPolicy';
import { checkFollow, sameOrigin } from '../../src/core/registry/origin';

const NOW = Date.parse('2026-11-29T12:00:00Z');

describe('retry policy', () => {
  test('retryable statuses are the "not now" ones', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s), String(s));
    for (const s of [200, 201, 400, 401, 403, 404, 405, 413, 501]) assert.ok(!isRetryableStatus(s), String(s));
  });

  test('Retry-After: seconds, HTTP date, past date, garbage', () => {
    assert.equal(parseRetryAfter('1', NOW), 1000);
    assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
    assert.equal(parseRetryAfter('Sun, 29 Nov 2026 12:00:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', NOW), 0, 'a past date means now');
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('-5', NOW), undefined);
    assert.equal(parseRetryAfter('2026-11-29', NOW), undefined, 'not an HTTP date');
  });

  test('backoff doubles with ±20 % jitter and stops growing at the cap', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(p, 1, () => 0.5), 100);
    assert.equal(backoffDelay(p, 2, () => 0.5), 200);
    assert.equal(backoffDelay(p, 3, () => 0.5), 400);
    assert.equal(backoffDelay(p, 10, () => 0.5), 1000);
    assert.equal(backoffDelay(p, 1, () => 0), 80);
    assert.equal(backoffDelay(p, 1, () => 0.999999), 120);
  });

  test('decideRetry: attempts, budget, Retry-After first, Retry-After beyond the cap', () => {
    const p = { ...DEFAULT_RETRY_POLICY, retries: 2, budgetMs: 10_000, retryAfterCapMs: 5_000 };
    const base = { startedAt: NOW, now: NOW };
    assert.deepEqual(decideRetry(p, { ...base, attempt: 1, status: 429, retryAfterMs: 1000 }), { retry: true, delayMs: 1000, reason: 'HTTP 429' });
    assert.equal(decideRetry(p, { ...base, attempt: 2 }, () => 0.5).retry, true);
    assert.deepEqual(decideRetry(p, { ...base, attempt: 3 }), { retry: false, why: 'attempts' });
    assert.deepEqual(decideRetry(p, { ...base, attempt: 1, retryAfterMs: 3_600_000 }), { retry: false, why: 'retry-after-too-long', retryAfterMs: 3_600_000 });
    assert.deepEqual(decideRetry(p, { attempt: 1, startedAt: NOW - 9_900, now: NOW, retryAfterMs: 1000 }), { retry: false, why: 'budget' });
  });

  test('per-host backoff holds every request to that host, and only that host', () => {
    const b = new HostBackoff();
    b.holdUntil('r:5000', NOW + 2000);
    b.holdUntil('r:5000', NOW + 1000);
    assert.equal(b.waitFor('r:5000', NOW), 2000, 'never moves backwards');
    assert.equal(b.waitFor('other:5000', NOW), 0);
    assert.equal(b.waitFor('r:5000', NOW + 2500), 0);
  });

  test('a host closed by a wait past the cap refuses with its sentence until then, and only that host', () => {
    const b = new HostBackoff();
    b.closeUntil('r:5000', NOW + 3_600_000, 'come back in an hour');
    b.closeUntil('r:5000', NOW + 60_000, 'come back in a minute');
    assert.equal(b.closedMessage('r:5000', NOW), 'come back in an hour', 'never shortened');
    assert.equal(b.closedMessage('other:5000', NOW), undefined);
    assert.equal(b.closedMessage('r:5000', NOW + 3_600_000), undefined, 'open again once the time has come');
  });

  test('Docker Hub rate-limit headers', () => {
    assert.deepEqual(parseRateLimit('5;w=21600', '100;w=21600'), { remaining: 5, limit: 100, windowS: 21600 });
    assert.equal(isRateLimitLow({ remaining: 5, limit: 100 }), true);
    assert.equal(isRateLimitLow({ remaining: 50, limit: 100 }), false);
    assert.equal(parseRateLimit(null, null), undefined);
    assert.equal(parseRateLimit('lots', null), undefined);
  });
});

describe('origins', () => {
  test('scheme, host and port make an origin', () => {
    assert.ok(sameOrigin('https://r.example/v2/', 'https://r.example:443/x'));
    assert.ok(!sameOrigin('http://127.0.0.1:5000/', 'http://127.0.0.1:5001/'));
    assert.ok(!sameOrigin('https://r.example/', 'http://r.example/'));
    assert.ok(!sameOrigin('https://r.example/', 'https://s3.r.example/'));
  });

  test('follows relative and absolute locations, never down to http or to other schemes', () => {
    const from = new URL('https://r.example/v2/app/blobs/sha256:x');
    const rel = checkFollow(from, '/storage/blob?sig=1');
    assert.ok(rel.ok && rel.url.toString() === 'https://r.example/storage/blob?sig=1');
    assert.ok(checkFollow(from, 'https://bucket.s3.example/b').ok);
    const down = checkFollow(from, 'http://r.example/b');
    assert.ok(!down.ok && /downgrade/.test(down.why));
    assert.ok(!checkFollow(from, 'file:///etc/passwd').ok);
    assert.ok(!checkFollow(from, 'https://user:pw@evil.example/').ok);
    assert.ok(checkFollow(new URL('http://127.0.0.1:5000/v2/'), 'http://127.0.0.1:6000/x').ok);
  });
});
