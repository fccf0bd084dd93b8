import type { DataRecord } from '../../../core/node.js';
import type { FieldValue, Point } from './line-protocol.js';
import { timestampToNs } from './time.js';

/** How records become points; the same for the 1.x and the 2.x sink. */
export interface MappingOptions {
  readonly measurement: string;
  /** The tag that names the run: `run_id` (2.x sink) or `run` (1.x sink, as in Python). */
  readonly runTag: string;
  readonly runId: string;
  /** A record key whose value names the field, tried before `name`. */
  readonly fieldKey: string | null;
  /** A record key holding the value, tried before `value`. */
  readonly fieldValue: string | null;
}

export type MapResult =
  | { readonly ok: true; readonly point: Point; readonly badTimestamp: boolean }
  | { readonly ok: false; readonly reason: string };

const NO_PARTS: readonly string[] = [];
const TYPE_ID: readonly string[] = ['type', 'id'];
const TYPE_ONLY: readonly string[] = ['type'];

/** Keys that never become tags, whatever the record holds. */
const NEVER_TAGS: ReadonlySet<string> = new Set(['value', 'name', 'label', 'timestamp']);

/**
 * One record to one point (Python datalogd's InfluxDB2 mapping, with its bugs fixed):
 * - field key: `record[fieldKey]`, else `name`, else `label`, else `<type>_<id>` when both
 *   exist, else `type`, else `data`;
 * - field value: `record[fieldValue]`, else `value`; a number (finite), boolean or string,
 *   anything else skips the record;
 * - tags: the run tag, then every other key with a scalar value, except `value`, `name`,
 *   `label`, `timestamp` and the keys the field key and value came from;
 * - time: the record's `timestamp` (a Date or ISO text), else the receipt's time.
 */
export function recordToPoint(
  record: DataRecord,
  options: MappingOptions,
  receiptTimeNs: string,
): MapResult {
  const valueKey =
    options.fieldValue !== null && record[options.fieldValue] !== undefined
      ? options.fieldValue
      : 'value';
  const value = fieldValueOf(record[valueKey]);
  if (typeof value === 'object') return { ok: false, reason: value.reason };

  const { key, parts } = fieldKeyOf(record, options.fieldKey);
  const runTag = options.runTag;
  const tags: [string, string][] = [[runTag, options.runId]];
  for (const name in record) {
    if (name === '' || name === valueKey || NEVER_TAGS.has(name) || parts.includes(name)) continue;
    const text = scalarText(record[name]);
    if (text === undefined) continue;
    // A record's own run tag wins, as in Python datalogd.
    if (name === runTag) (tags[0] as [string, string])[1] = text;
    else tags.push([name, text]);
  }
  if (tags.length > 1) tags.sort(byKey);

  const stamp = record.timestamp;
  const stampNs = stamp === undefined || stamp === null ? undefined : timestampToNs(stamp);
  return {
    ok: true,
    badTimestamp: stamp !== undefined && stamp !== null && stampNs === undefined,
    point: {
      measurement: options.measurement,
      tags,
      fields: [[key, value]],
      timeNs: stampNs ?? receiptTimeNs,
    },
  };
}

function byKey(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function fieldKeyOf(
  record: DataRecord,
  fieldKey: string | null,
): { readonly key: string; readonly parts: readonly string[] } {
  if (fieldKey !== null) {
    const chosen = scalarText(record[fieldKey]);
    if (chosen !== undefined) return { key: chosen, parts: [fieldKey] };
  }
  const name = scalarText(record.name);
  if (name !== undefined) return { key: name, parts: NO_PARTS };
  const label = scalarText(record.label);
  if (label !== undefined) return { key: label, parts: NO_PARTS };
  const type = scalarText(record.type);
  const id = scalarText(record.id);
  if (type !== undefined && id !== undefined) return { key: `${type}_${id}`, parts: TYPE_ID };
  if (type !== undefined) return { key: type, parts: TYPE_ONLY };
  return { key: 'data', parts: NO_PARTS };
}

function fieldValueOf(value: unknown): FieldValue | { readonly reason: string } {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : { reason: `the value ${value} cannot be stored` };
  }
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined) return { reason: 'it has no value' };
  if (value === null) return { reason: 'its value is null' };
  if (Array.isArray(value)) return { reason: 'its value is a list' };
  return { reason: `its value is of type ${typeof value === 'object' ? 'object' : typeof value}` };
}

/** Text for a tag or a field key: non-empty strings, numbers and booleans. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
