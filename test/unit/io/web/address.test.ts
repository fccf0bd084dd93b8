import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_WEB_PORT,
  defaultWebAddress,
  isLoopback,
  parseWebAddress,
  resolveWebAddress,
  setDefaultWebAddress,
  webUrl,
} from '../../../../src/io/web/address.js';

test('[HOST:]PORT as --http writes it; the host is 127.0.0.1 when omitted', () => {
  assert.deepEqual(parseWebAddress('8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseWebAddress('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseWebAddress('[::1]:9000'), { host: '::1', port: 9000 });
  assert.deepEqual(parseWebAddress(' localhost:45480 '), { host: 'localhost', port: 45480 });
  for (const bad of ['', 'http', '70000', 'host:', ':80x', '1.2.3.4:99999']) {
    assert.equal(typeof parseWebAddress(bad), 'string', `"${bad}" is refused`);
  }
});

test('loopback is 127.0.0.0/8, ::1 and localhost; nothing else', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '[::1]']) {
    assert.equal(isLoopback(host), true, host);
  }
  for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.org', '128.0.0.1', '']) {
    assert.equal(isLoopback(host), false, host);
  }
});

test('URLs put IPv6 hosts in brackets', () => {
  assert.equal(webUrl('127.0.0.1', 45480), 'http://127.0.0.1:45480/');
  assert.equal(webUrl('::1', 8080, '/plot/p/'), 'http://[::1]:8080/plot/p/');
});

test('the process-wide default fills what a user left unset, and the runtime can change it', () => {
  const before = defaultWebAddress();
  assert.deepEqual(before, { host: '127.0.0.1', port: DEFAULT_WEB_PORT });
  try {
    setDefaultWebAddress({ host: '0.0.0.0', port: 9999, token: 't' });
    assert.deepEqual(resolveWebAddress(null, null), { host: '0.0.0.0', port: 9999 });
    assert.deepEqual(resolveWebAddress('127.0.0.1', null), { host: '127.0.0.1', port: 9999 });
    assert.equal(defaultWebAddress().token, 't');
  } finally {
    setDefaultWebAddress(before);
  }
});
