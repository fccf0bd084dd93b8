import { parseDuration } from '../../../io/duration.js';
import { timestampToUs } from '../../../io/record-table.js';
import { flag, path, textOrNull, z } from '../../options.js';

/** A bound of the time range: an instant, or a duration before the replay starts. */
export type TimeBound =
  { readonly kind: 'at'; readonly us: number } | { readonly kind: 'ago'; readonly seconds: number };

function timeBound(what: string) {
  return z
    .string()
    .nullable()
    .default(null)
    .transform((text, ctx): TimeBound | null => {
      if (text === null) return null;
      const ago = parseDuration(text);
      if (ago !== undefined) return { kind: 'ago', seconds: ago };
      const us = timestampToUs(text);
      if (us !== undefined) return { kind: 'at', us };
      ctx.addIssue({
        code: 'custom',
        message: `must be ISO 8601 text ("2024-05-06T22:00:00Z", "2024-05-06 22:00") or a duration before now ("12h", "30m") (${what})`,
      });
      return z.NEVER;
    });
}

export const schema = z.object({
  filename: path().describe(
    'SQLite file written by SQLiteDataSink; relative paths start from the working directory. It may be in use by a running datalogd.',
  ),
  speed: z
    .union([z.literal('max'), z.number().positive()])
    .default('max')
    .describe(
      "'max': as fast as the graph takes them; a number: the recorded pace times this (1: as recorded, 10: ten times faster).",
    ),
  start: timeBound('the first instant replayed').describe(
    'Replay records from this time on: ISO 8601 text, or a duration before now ("12h"); null: from the first.',
  ),
  end: timeBound('the instant replaying stops').describe(
    'Replay records before this time: ISO 8601 text, or a duration before now; null: to the last.',
  ),
  run: textOrNull().describe(
    "Replay only this run (its label, the run column); 'last': the latest run in the file; null: every run.",
  ),
  select: z
    .array(z.tuple([z.string(), z.unknown()]))
    .nullable()
    .default(null)
    .describe(
      'Replay only the records matching every [key, value] pair, as KeyValDataFilter matches (string values are regular expressions); null: all.',
    ),
  add_timestamp: flag(false).describe(
    'Give records stored without a timestamp one: the time they were received (a Date).',
  ),
});

export type ReplayOptions = z.output<typeof schema>;
