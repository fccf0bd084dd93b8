import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandHome, siteConfigFiles, userConfigFile } from '../../../src/config/locations.js';

const HOME = '/home/me';

describe('siteConfigFiles', () => {
  test('defaults to /etc/xdg', () => {
    assert.deepEqual(siteConfigFiles({}, HOME), ['/etc/xdg/datalogd/datalogd.conf']);
  });

  test('uses only the first XDG_CONFIG_DIRS entry, like appdirs with multipath=False', () => {
    assert.deepEqual(siteConfigFiles({ XDG_CONFIG_DIRS: '/a/xdg/:/b/xdg' }, HOME), [
      '/a/xdg/datalogd/datalogd.conf',
    ]);
  });

  test('expands ~ in the entry', () => {
    assert.deepEqual(siteConfigFiles({ XDG_CONFIG_DIRS: '~/site' }, HOME), [
      '/home/me/site/datalogd/datalogd.conf',
    ]);
  });

  test('an empty variable or empty entries fall back to the next entry or the default', () => {
    assert.deepEqual(siteConfigFiles({ XDG_CONFIG_DIRS: '' }, HOME), [
      '/etc/xdg/datalogd/datalogd.conf',
    ]);
    assert.deepEqual(siteConfigFiles({ XDG_CONFIG_DIRS: '::/c' }, HOME), [
      '/c/datalogd/datalogd.conf',
    ]);
  });
});

describe('userConfigFile', () => {
  test('defaults to ~/.config', () => {
    assert.equal(userConfigFile({}, HOME), '/home/me/.config/datalogd/datalogd.conf');
  });

  test('honours XDG_CONFIG_HOME', () => {
    assert.equal(
      userConfigFile({ XDG_CONFIG_HOME: '/x/conf' }, HOME),
      '/x/conf/datalogd/datalogd.conf',
    );
  });

  test('an empty XDG_CONFIG_HOME counts as unset', () => {
    assert.equal(
      userConfigFile({ XDG_CONFIG_HOME: '' }, HOME),
      '/home/me/.config/datalogd/datalogd.conf',
    );
  });
});

describe('expandHome', () => {
  test('expands ~ and ~/ only', () => {
    assert.equal(expandHome('~', HOME), HOME);
    assert.equal(expandHome('~/p', HOME), '/home/me/p');
    assert.equal(expandHome('~other/p', HOME), '~other/p');
    assert.equal(expandHome('/abs/~/p', HOME), '/abs/~/p');
    assert.equal(expandHome('rel', HOME), 'rel');
  });
});
