import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SerialPortInfo } from '../../../../../src/plugins/sources/serial/ports.js';
import {
  describeCriteria,
  isDevicePath,
  selectPorts,
  type PortCriteria,
} from '../../../../../src/plugins/sources/serial/select.js';

function port(p: Partial<SerialPortInfo> & { path: string }): SerialPortInfo {
  return {
    manufacturer: undefined,
    product: undefined,
    vendorId: undefined,
    productId: undefined,
    serialNumber: undefined,
    location: undefined,
    ...p,
  };
}

const UNO = port({
  path: '/dev/ttyACM0',
  manufacturer: 'Arduino (www.arduino.cc)',
  product: 'Arduino Uno',
  vendorId: 0x2341,
  productId: 0x0043,
  serialNumber: '85735313233351F0E1A1',
  location: '1-1.2:1.0',
});
const FTDI = port({
  path: '/dev/ttyUSB0',
  manufacturer: 'FTDI',
  product: 'FT232R USB UART',
  vendorId: 0x0403,
  productId: 0x6001,
  serialNumber: 'A50285BI',
  location: '1-1.3',
});
const BUILTIN = port({ path: '/dev/ttyS4' });
const PORTS = [UNO, FTDI, BUILTIN];

const NONE: PortCriteria = {
  port: null,
  vid: null,
  pid: null,
  serialNumber: null,
  location: null,
};

function paths(criteria: Partial<PortCriteria>): string[] {
  return selectPorts(PORTS, { ...NONE, ...criteria }).map((p) => p.path);
}

describe('selectPorts', () => {
  test('no criteria: every port, in list order', () => {
    assert.deepEqual(paths({}), ['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyS4']);
  });

  const byPattern: [string, string[]][] = [
    ['ACM', ['/dev/ttyACM0']],
    ['ttyusb', ['/dev/ttyUSB0']],
    ['usb', ['/dev/ttyACM0', '/dev/ttyUSB0']], // "USB VID:PID=..." in every USB port's hardware id
    ['arduino', ['/dev/ttyACM0']],
    ['2341:0043', ['/dev/ttyACM0']],
    ['VID:PID=0403', ['/dev/ttyUSB0']],
    ['SER=A502', ['/dev/ttyUSB0']],
    ['LOCATION=1-1\\.2', ['/dev/ttyACM0']],
    ['uart', ['/dev/ttyUSB0']],
    ['tty(S|USB)', ['/dev/ttyUSB0', '/dev/ttyS4']],
    ['nothing-like-this', []],
  ];
  for (const [pattern, expected] of byPattern) {
    test(`port pattern ${pattern}`, () => {
      assert.deepEqual(paths({ port: pattern }), expected);
    });
  }

  test('with a port pattern the other criteria are not used (as in Python datalogd)', () => {
    assert.deepEqual(paths({ port: 'ACM', vid: 0x0403 }), ['/dev/ttyACM0']);
  });

  test('vid and pid compare as numbers', () => {
    assert.deepEqual(paths({ vid: 0x2341 }), ['/dev/ttyACM0']);
    assert.deepEqual(paths({ vid: 0x2341, pid: 0x0043 }), ['/dev/ttyACM0']);
    assert.deepEqual(paths({ vid: 0x2341, pid: 0x6001 }), []);
    assert.deepEqual(paths({ pid: 0x6001 }), ['/dev/ttyUSB0']);
  });

  test('serial_number and location match from the start, like re.match', () => {
    assert.deepEqual(paths({ serialNumber: '8573' }), ['/dev/ttyACM0']);
    assert.deepEqual(paths({ serialNumber: '5313' }), [], 'not a search');
    assert.deepEqual(paths({ serialNumber: '.*F0E1' }), ['/dev/ttyACM0']);
    assert.deepEqual(paths({ location: '1-1' }), ['/dev/ttyACM0', '/dev/ttyUSB0']);
    assert.deepEqual(paths({ location: '1-1\\.3' }), ['/dev/ttyUSB0']);
  });

  test('an empty pattern needs the field to exist', () => {
    assert.deepEqual(paths({ serialNumber: '' }), ['/dev/ttyACM0', '/dev/ttyUSB0']);
  });

  test('an invalid pattern selects nothing', () => {
    assert.deepEqual(paths({ port: '(' }), []);
    assert.deepEqual(paths({ serialNumber: '[' }), []);
  });
});

describe('isDevicePath', () => {
  test('paths and COM names are devices; fragments are patterns', () => {
    for (const p of ['/dev/ttyACM0', '/tmp/x/host', 'COM3', 'com12', '\\\\.\\COM15']) {
      assert.equal(isDevicePath(p), true, p);
    }
    for (const p of ['ttyACM', 'usb', 'Arduino', '2341:0043', 'COM']) {
      assert.equal(isDevicePath(p), false, p);
    }
  });
});

describe('describeCriteria', () => {
  test('names what is set, ids in hex', () => {
    assert.equal(describeCriteria(NONE), 'any port');
    assert.equal(
      describeCriteria({ ...NONE, vid: 0x2341, pid: 0x43, serialNumber: '85' }),
      'vid=0x2341 pid=0x0043 serial_number=85',
    );
  });
});
