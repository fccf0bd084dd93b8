import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { presentedToken, tokenCookie, tokenMatches } from '../../../../src/io/web/token.js';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

test('a token is read from the query, then a Bearer header, then the cookie', () => {
  const url = (q: string): URL => new URL(`http://h/p${q}`);
  assert.deepEqual(presentedToken(request({ authorization: 'Bearer b' }), url('?token=q')), {
    value: 'q',
    from: 'query',
  });
  assert.deepEqual(presentedToken(request({ authorization: 'bearer  b ' }), url('')), {
    value: 'b',
    from: 'header',
  });
  assert.deepEqual(presentedToken(request({ cookie: 'a=1; datalogd_token=c%20d' }), url('')), {
    value: 'c d',
    from: 'cookie',
  });
  assert.equal(presentedToken(request({ authorization: 'Basic xyz' }), url('')), undefined);
  assert.equal(presentedToken(request({ cookie: 'datalogd_token=%E0' }), url('')), undefined);
});

test('tokens compare whole, whatever their lengths', () => {
  assert.equal(tokenMatches('secret', 'secret'), true);
  assert.equal(tokenMatches('secret', 'secre'), false);
  assert.equal(tokenMatches('secret', 'secret '), false);
  assert.equal(tokenMatches('secret', ''), false);
  assert.equal(tokenMatches('secret', undefined), false);
});

test('the cookie is for the whole server, not readable by scripts, and not sent cross-site', () => {
  assert.equal(tokenCookie('a b'), 'datalogd_token=a%20b; Path=/; HttpOnly; SameSite=Strict');
});
