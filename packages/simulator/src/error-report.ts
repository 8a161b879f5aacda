import type { ErrorReport } from './transport.js';

const decoder = new TextDecoder();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a message of the errors topic (`wardstream/v1/devices/{id}/errors`), as the gateway sends it:
 * `{"seq": 17, "boot": "b7", "reason": "unknown-code", "detail": "…", "problems": […], "at": …}`, with seq
 * and boot null (or absent) when the gateway could not read them from the payload. Lenient: `code`/`error` stand for `reason`, `message`
 * for `detail`, and a payload that is not such JSON becomes the reason itself.
 */
export function parseErrorReport(payload: Uint8Array): ErrorReport {
  const text = decoder.decode(payload);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { reason: text.slice(0, 500) };
  }
  if (!isRecord(body)) return { reason: text.slice(0, 500) };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const reason = str(body['reason']) ?? str(body['code']) ?? str(body['error']) ?? text.slice(0, 500);
  const detail = str(body['detail']) ?? str(body['message']);
  const { seq, boot } = body;
  return {
    reason,
    ...(detail === undefined ? {} : { detail }),
    ...(typeof seq === 'number' && Number.isSafeInteger(seq) ? { seq } : {}),
    ...(typeof boot === 'string' ? { boot } : {}),
  };
}
