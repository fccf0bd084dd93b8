const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;

/**
 * A duration written as people write it in a config file: a number and one unit, `s`, `m`,
 * `h`, `d` or `w` ("30d", "12h", "1.5h"). Returns seconds, or undefined when the text is not
 * such a duration (the caller reports it as an option problem).
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, amount = '', unit = ''] = match;
  const seconds = Number(amount) * (UNIT_SECONDS[unit] ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
