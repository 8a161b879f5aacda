import { LogUnavailableError } from '@wardstream/log';

function causeCode(error: Error): string | undefined {
  const { cause } = error;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return undefined;
}

/**
 * One line naming why an append failed, for a device (MQTT 5 Reason String) and an operator,
 * e.g. `telemetry log unavailable: disk full (ENOSPC)`. Failures other than
 * `LogUnavailableError` are bugs or a closed log; they are described, and still never acknowledged.
 */
export function describeLogFailure(error: unknown): string {
  if (error instanceof LogUnavailableError) {
    const code = causeCode(error);
    const suffix = code === undefined || error.message.includes(code) ? '' : ` (${code})`;
    return `telemetry log unavailable: ${error.message}${suffix}`;
  }
  if (error instanceof Error) return `telemetry log failed: ${error.name}: ${error.message}`;
  return `telemetry log failed: ${String(error)}`;
}
