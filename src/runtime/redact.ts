const SECRET_OPTION = /pass(word)?|token|secret|api_?key|credential/i;

/**
 * Option values whose names say they are secrets, shown as `[redacted]`: they never reach a
 * log line or a drawing of the graph. An `*_env` option names a variable, not a secret.
 */
export function redactSecrets(options: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) shown[key] = redactedValue(key, value);
  return shown;
}

export function redactedValue(key: string, value: unknown): unknown {
  const secret = SECRET_OPTION.test(key) && !key.endsWith('_env') && value !== null && value !== '';
  return secret ? REDACTED : value;
}

export const REDACTED = '[redacted]';
