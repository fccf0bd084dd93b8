/**
 * The duration options of every built-in, for the tests that check each means what it says
 * at any size (test/unit/plugins/durations.test.ts keeps this table complete).
 */

/** A timer's option, refused beyond `max` (default: what a timer holds). */
export interface TimerOption {
  readonly kind: 'timer';
  readonly max?: number;
}

/** A duration that never reaches a timer as it is; `why` says what makes it safe. */
export interface SafeOption {
  readonly kind: 'any size';
  readonly why: string;
  /** The largest value worth writing, which the schema must accept. */
  readonly huge: unknown;
}

export type Duration = TimerOption | SafeOption;

const TIMER: TimerOption = { kind: 'timer' };

export const DURATIONS: Readonly<Record<string, Readonly<Record<string, Duration>>>> = {
  RandomWalkDataSource: { interval: TIMER },
  HeartbeatDataSource: { interval: TIMER },
  LibSensorsDataSource: { interval: TIMER },
  SerialDataSource: { probe_timeout: TIMER, reconnect_min: TIMER, reconnect_max: TIMER },
  ReplayDataSource: {
    start: { kind: 'any size', why: 'an instant computed as now minus it', huge: '100000000w' },
    end: { kind: 'any size', why: 'an instant computed as now minus it', huge: '100000000w' },
  },
  SinkTimerDataFilter: { info: TIMER, warning: TIMER },
  SocketDataFilter: { reconnect_min: TIMER, reconnect_max: TIMER, stall_timeout: TIMER },
  FileDataSink: { flush_interval: TIMER, rotate_interval: TIMER },
  InfluxDBDataSink: {
    flush_interval: TIMER,
    timeout: TIMER,
    retry_min: TIMER,
    retry_max: TIMER,
    close_timeout: TIMER,
  },
  InfluxDB2DataSink: {
    flush_interval: TIMER,
    timeout: TIMER,
    retry_min: TIMER,
    retry_max: TIMER,
    close_timeout: TIMER,
  },
  SQLiteDataSink: {
    keep: { kind: 'any size', why: 'checked at most every 60 s (test below)', huge: '100000000w' },
    flush_interval: TIMER,
    busy_timeout: { kind: 'timer', max: 5 },
    retry_min: TIMER,
    retry_max: TIMER,
    close_timeout: TIMER,
  },
  PostgreSQLDataSink: {
    flush_interval: TIMER,
    timeout: TIMER,
    retry_min: TIMER,
    retry_max: TIMER,
    close_timeout: TIMER,
  },
  LivePlotDataSink: { window: TIMER },
  MatplotlibDataSink: { min_interval: TIMER },
};
