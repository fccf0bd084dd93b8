import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuntimeCode } from '../../../../../src/core/errors.js';
import { Logger } from '../../../../../src/core/log.js';
import {
  ChangeLog,
  type Note,
  type ProblemPath,
} from '../../../../../src/plugins/sources/serial/change-log.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

/** What the change log handed to the node's problem path: reports and quiet repeats. */
function recordingPath(): ProblemPath & { reported: string[]; repeated: RuntimeCode[] } {
  const reported: string[] = [];
  const repeated: RuntimeCode[] = [];
  return {
    reported,
    repeated,
    report: (code, message) => {
      reported.push(`${code} ${message}`);
      return reported.length;
    },
    countRepeat: (code) => {
      repeated.push(code);
    },
  };
}

describe('ChangeLog', () => {
  const log = captureLogEachTest();

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
    const changes = new ChangeLog(new Logger('ard'), recordingPath());
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
      log.current.lines.map((l) => l.replace(/^\S+ /, '')),
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
    const changes = new ChangeLog(new Logger('ard'), recordingPath());
    changes.report(refused);
    changes.forget();
    assert.equal(changes.report(refused), true);
    assert.equal(log.current.lines.length, 2);
  });

  test('the level is part of the situation', () => {
    const changes = new ChangeLog(new Logger('ard'), recordingPath());
    changes.report([{ level: 'info', key: 'k', message: 'm' }]);
    assert.equal(changes.report([{ level: 'warning', key: 'k', message: 'm' }]), true);
  });

  test('a problem is reported with its code when the situation changes, and counted quietly while it repeats', () => {
    const problems = recordingPath();
    const changes = new ChangeLog(new Logger('ard'), problems);
    const refusal: Note[] = [
      { code: 'DATALOGD_ERR_SERIAL_REFUSED', key: 'p refused B', message: 'Refusing board B' },
      { level: 'warning', key: 'none', message: 'No logging board found' },
    ];
    for (let i = 0; i < 4; i++) changes.report(refusal);
    assert.deepEqual(problems.reported, ['DATALOGD_ERR_SERIAL_REFUSED Refusing board B']);
    assert.deepEqual(problems.repeated, [
      'DATALOGD_ERR_SERIAL_REFUSED',
      'DATALOGD_ERR_SERIAL_REFUSED',
      'DATALOGD_ERR_SERIAL_REFUSED',
    ]);
    assert.deepEqual(
      log.current.lines.map((l) => l.replace(/^\S+ /, '')),
      ['WARNING [ard] No logging board found'],
      'the problem itself is logged by the node, not here',
    );
    changes.report(gone);
    changes.report(refusal);
    assert.equal(problems.reported.length, 2, 'a change reports the problem again');
  });
});
