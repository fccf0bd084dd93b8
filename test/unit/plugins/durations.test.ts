/**
 * Every duration option of every built-in means what it says at any size: a Node.js timer
 * holds at most 2^31-1 ms (about 24.8 days) and fires at once beyond it, so an option that
 * feeds a timer is range-checked by its schema (`seconds()` of the options kit), and one
 * that does not is shown to be correct whatever its size.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { z } from 'zod';
import type { OptionsSchema, PluginClass } from '../../../src/core/node.js';
import { loadBuiltinPlugins } from '../../../src/plugins/index.js';
import { MAX_TIMER_SECONDS } from '../../../src/plugins/options.js';
import { Retention } from '../../../src/plugins/sinks/sqlite/retention.js';
import { DURATIONS } from '../../helpers/duration-options.js';

/** Options the detector below would take for durations, and why they are not. */
const NOT_DURATIONS: Readonly<Record<string, string>> = {};

const DURATION_NAME = /interval|timeout|delay|period|stall|window|^keep$|^reconnect_|^retry_|_age$/;
// "seconds", not "second": CSV's layout speaks of the second key, a flow filter of pulses per second.
const DURATION_TEXT = /\bseconds\b|\bduration\b/i;

let classes: PluginClass[];
before(async () => {
  classes = await loadBuiltinPlugins();
});

function schemaOf(className: string): OptionsSchema {
  const schema = classes.find((cls) => cls.name === className)?.optionsSchema;
  assert.ok(schema !== undefined, `${className} is a built-in with a schema`);
  return schema;
}

function fieldOf(className: string, option: string): z.ZodType | undefined {
  return (schemaOf(className).shape as Record<string, z.ZodType | undefined>)[option];
}

function accepts(className: string, option: string, value: unknown): boolean {
  const field = fieldOf(className, option);
  assert.ok(field !== undefined, `${className} has an option ${option}`);
  return field.safeParse(value).success;
}

describe('duration options of the built-ins', () => {
  test('the table lists every option that looks like a duration, and only those', () => {
    const found: string[] = [];
    for (const cls of classes) {
      const shape = (cls.optionsSchema?.shape ?? {}) as Record<string, z.ZodType>;
      for (const [option, field] of Object.entries(shape)) {
        const text = field.description ?? '';
        if (DURATION_NAME.test(option) || DURATION_TEXT.test(text)) {
          found.push(`${cls.name}.${option}`);
        }
      }
    }
    const listed = Object.entries(DURATIONS).flatMap(([cls, options]) =>
      Object.keys(options).map((option) => `${cls}.${option}`),
    );
    assert.deepEqual(found.sort(), [...listed, ...Object.keys(NOT_DURATIONS)].sort());
  });

  for (const [className, options] of Object.entries(DURATIONS)) {
    for (const [option, duration] of Object.entries(options)) {
      if (duration.kind === 'timer') {
        const max = duration.max ?? MAX_TIMER_SECONDS;
        test(`${className}.${option}: at most ${max} seconds, and finite`, () => {
          assert.ok(accepts(className, option, max), `${max} is accepted`);
          assert.ok(accepts(className, option, 1), '1 is accepted');
          for (const value of [max + 1, 1e7, 3e6 > max ? 3e6 : max * 2, Infinity, NaN]) {
            assert.ok(!accepts(className, option, value), `${value} is refused`);
          }
          const issue = fieldOf(className, option)?.safeParse(max + 1).error?.issues[0];
          assert.match(issue?.message ?? '', new RegExp(`at most ${max} seconds`));
        });
      } else {
        test(`${className}.${option}: correct at any size (${duration.why})`, () => {
          assert.ok(accepts(className, option, duration.huge));
        });
      }
    }
  }

  test('SQLiteDataSink keep: however long, retention looks at most every 60 s, never at once', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const cutoffs: number[] = [];
    const retention = new Retention({
      keepSeconds: 100_000_000 * 604_800,
      deleteOlder: (cutoffUs) => {
        cutoffs.push(cutoffUs);
        return 0;
      },
      report: () => 0,
      target: 'test',
      deleted: () => undefined,
      now: () => 1_700_000_000_000,
    });
    retention.start();
    t.mock.timers.tick(59_999);
    assert.equal(cutoffs.length, 0, 'a timer beyond 2^31-1 ms would have fired at once');
    t.mock.timers.tick(1);
    assert.equal(cutoffs.length, 1);
    assert.ok((cutoffs[0] ?? 0) < 0, 'nothing is old enough: the cutoff is before 1970');
    retention.stop();
  });
});
