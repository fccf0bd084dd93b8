import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Logger, setLogWriter, type LogWriter } from '../../../../../src/core/log.js';
import { ChangeLog, type Note } from '../../../../../src/plugins/sources/serial/change-log.js';

describe('ChangeLog', () => {
  const lines: string[] = [];
  let previous: LogWriter;
  before(() => {
    previous = setLogWriter((line) => lines.push(line));
  });
  after(() => {
    setLogWriter(previous);
  });

  const gone: Note[] = [
    {
      level: 'info',
      key: 'open ENOENT',
      message: 'Cannot open /dev/ttyACM0: No such file (try 1)',
    },
    { level: 'warning', key: 'none', message: 'No logging board found' },
  ];
  const refused: Note[] = [{ level: 'warning', key: 'refused B', message: 'Refusing board B' }];

  test('the same situation is logged once however often it repeats; a change is logged', () => {
    lines.length = 0;
    const changes = new ChangeLog(new Logger('ard'));
    assert.equal(changes.report(gone), true);
    for (let i = 0; i < 50; i++) {
      // The message may vary (attempt numbers, details); the key decides.
      assert.equal(
        changes.report(gone.map((n) => ({ ...n, message: `${n.message} #${i}` }))),
        false,
      );
    }
    assert.equal(changes.report(refused), true);
    assert.equal(changes.report(gone), true);
    assert.equal(changes.suppressed, 50);
    assert.deepEqual(
      lines.map((l) => l.replace(/^\S+ /, '')),
      [
        'INFO [ard] Cannot open /dev/ttyACM0: No such file (try 1)',
        'WARNING [ard] No logging board found',
        'WARNING [ard] Refusing board B',
        'INFO [ard] Cannot open /dev/ttyACM0: No such file (try 1)',
        'WARNING [ard] No logging board found',
      ],
    );
  });

  test('forget() makes the next report log even if it is the same', () => {
    lines.length = 0;
    const changes = new ChangeLog(new Logger('ard'));
    changes.report(refused);
    changes.forget();
    assert.equal(changes.report(refused), true);
    assert.equal(lines.length, 2);
  });

  test('the level is part of the situation', () => {
    const changes = new ChangeLog(new Logger('ard'));
    changes.report([{ level: 'info', key: 'k', message: 'm' }]);
    assert.equal(changes.report([{ level: 'warning', key: 'k', message: 'm' }]), true);
  });
});
