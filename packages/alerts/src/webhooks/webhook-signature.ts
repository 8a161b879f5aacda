import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of a webhook request. */
export const SIGNATURE_HEADER = 'x-wardstream-signature';

/**
 * The `x-wardstream-signature` value for `body` sent at `timestampSeconds` (Unix seconds):
 * `t=<timestampSeconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (the scheme Stripe uses).
 * Signing the timestamp with the body lets a receiver refuse replays of an old request.
 */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/**
 * Checks a received `x-wardstream-signature` header against the raw request body (the exact
 * bytes received, decoded as UTF-8, before any JSON parsing). True when the timestamp is within
 * `toleranceSeconds` of `nowSeconds` and one `v1` value equals the HMAC of `"<t>.<body>"`
 * (several `v1` values are accepted so a sender can sign with an old and a new secret while the
 * secret rotates). Compares in constant time; a malformed header is false, never a throw.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (value === undefined || rest.length > 0) return false;
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1') {
      candidates.push(value);
    }
  }
  if (timestamp === null || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  let matched = false;
  for (const candidate of candidates) {
    if (!/^[0-9a-f]{64}$/i.test(candidate)) continue;
    // Every candidate is compared (no early exit), so timing reveals nothing about which matched.
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) matched = true;
  }
  return matched;
}

function hmacHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}
