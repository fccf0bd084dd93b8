/**
 * Python datalogd's default run id, the one every store tags a daemon start with: local time
 * `YYYYMMDD-HHMMSS`.
 */
export function defaultRunId(when: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${when.getFullYear()}${two(when.getMonth() + 1)}${two(when.getDate())}-` +
    `${two(when.getHours())}${two(when.getMinutes())}${two(when.getSeconds())}`
  );
}
