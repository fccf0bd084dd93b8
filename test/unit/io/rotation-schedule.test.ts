import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { nextRotation } from '../../../src/io/rotation-schedule.js';

const HOUR = 3_600_000;
let savedZone: string | undefined;

beforeEach(() => {
  savedZone = process.env.TZ;
});
afterEach(() => {
  if (savedZone === undefined) delete process.env.TZ;
  else process.env.TZ = savedZone;
});

/** `TZ` set for the rest of the test: Node reads it again when it changes. */
function inZone(zone: string): void {
  process.env.TZ = zone;
}

describe('nextRotation', () => {
  test('hourly: the next full local hour, from within the hour and from the hour itself', () => {
    inZone('Europe/Berlin');
    const at = (h: number, m = 0, s = 0, ms = 0): number =>
      new Date(2024, 4, 9, h, m, s, ms).getTime();
    assert.equal(nextRotation('hourly', at(13, 59, 59, 999)), at(14));
    assert.equal(nextRotation('hourly', at(13, 0, 0, 1)), at(14));
    assert.equal(nextRotation('hourly', at(14)), at(15), 'on the hour: the one after');
  });

  test('hourly: the hour that repeats when summer time ends gives a file of its own', () => {
    inZone('Europe/Berlin');
    // 27 October 2024: 03:00 CEST (01:00Z) becomes 02:00 CET, so 02:xx happens twice.
    const firstPass = Date.UTC(2024, 9, 27, 0, 30); // 02:30 CEST
    const secondPass = Date.UTC(2024, 9, 27, 1, 30); // 02:30 CET
    assert.equal(nextRotation('hourly', firstPass), Date.UTC(2024, 9, 27, 1, 0));
    assert.equal(nextRotation('hourly', secondPass), Date.UTC(2024, 9, 27, 2, 0));
  });

  test('hourly: a zone half an hour off UTC turns its hours at :30 UTC', () => {
    inZone('Asia/Kolkata');
    assert.equal(nextRotation('hourly', Date.UTC(2024, 4, 9, 4, 45)), Date.UTC(2024, 4, 9, 5, 30));
  });

  test('daily: local midnight, on 23- and 25-hour days too', () => {
    inZone('Europe/Berlin');
    const midnight = (month: number, day: number): number => new Date(2024, month, day).getTime();
    assert.equal(nextRotation('daily', new Date(2024, 4, 9, 13, 5).getTime()), midnight(4, 10));
    assert.equal(nextRotation('daily', midnight(4, 10)), midnight(4, 11), 'at midnight: the next');
    // 31 March 2024 has 23 hours in Berlin, 27 October 25.
    assert.equal(nextRotation('daily', midnight(2, 31)) - midnight(2, 31), 23 * HOUR);
    assert.equal(nextRotation('daily', midnight(9, 27)) - midnight(9, 27), 25 * HOUR);
    assert.equal(new Date(nextRotation('daily', midnight(9, 27))).getHours(), 0);
  });

  test('daily: across the end of a month and a year', () => {
    inZone('America/New_York');
    assert.equal(
      nextRotation('daily', new Date(2024, 11, 31, 23, 59, 59, 999).getTime()),
      new Date(2025, 0, 1).getTime(),
    );
    assert.equal(
      nextRotation('daily', new Date(2024, 1, 29, 8).getTime()),
      new Date(2024, 2, 1).getTime(),
    );
  });

  test('a number of seconds: that long after', () => {
    assert.equal(nextRotation(90, 1_000_000), 1_090_000);
    assert.equal(nextRotation(0.5, 1_000_000), 1_000_500);
  });
});
