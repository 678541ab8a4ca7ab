import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTokenFetch } from '../../src/core/registry/tokenFetch';
import type { RegistryHttp } from '../../src/core/registry/registryHttp';

const unusedHttp = {
  send: () => {
    throw new Error('nothing may be sent');
  },
} as unknown as RegistryHttp;

test('a password is never sent to a plain-HTTP token realm that is neither loopback nor listed insecure', async () => {
  const fetch = makeTokenFetch(unusedHttp, () => false);
  await assert.rejects(
    fetch('http://auth.example.com/token?scope=repository:app:pull', { headers: { Authorization: 'Basic dTpw' } }),
    (e: Error) => /The token service at auth\.example\.com uses plain HTTP, so the password is not sent to it; /.test(e.message) && !e.message.includes('dTpw'),
  );
});

test('anonymous token requests and https realms are not held back by that rule', async () => {
  let sent = 0;
  const http = { send: async () => (sent++, { res: { status: 200, header: () => null }, bytes: Buffer.from('{"token":"t"}'), url: new URL('http://x'), attempts: 1 }) } as unknown as RegistryHttp;
  const fetch = makeTokenFetch(http, () => false);
  assert.equal((await fetch('http://auth.example.com/token')).status, 200);
  assert.equal((await fetch('https://auth.example.com/token', { headers: { Authorization: 'Basic dTpw' } })).status, 200);
  assert.equal(sent, 2);
});
