import { randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

/**
 * The one form of a certificate serial number used everywhere (inventory, revocation list, CLI,
 * gateway): upper-case hex, no colons, no leading zeros ("0" for zero). Accepts what people and
 * tools print: `0x` prefix, colon or space separated bytes, lower case, the leading `00` of a DER
 * integer, and Node's `getPeerCertificate().serialNumber`. Throws a PkiError `invalid-serial` for
 * anything that is not hex.
 */
export function normalizeSerial(serial: string): string {
  let hex = serial.trim().replace(/[:\s]/g, '');
  if (/^0x/i.test(hex)) hex = hex.slice(2);
  if (!/^[0-9a-fA-F]+$/.test(hex)) {
    throw new PkiError('invalid-serial', `"${serial.slice(0, 80)}" is not a certificate serial (hex digits expected)`);
  }
  return hex.toUpperCase().replace(/^0+(?=.)/, '');
}

/** normalizeSerial, or null when the text is not a serial (a device id, say). */
export function tryNormalizeSerial(serial: string): string | null {
  try {
    return normalizeSerial(serial);
  } catch {
    return null;
  }
}

/**
 * A fresh serial: 16 random bytes (RFC 5280 4.1.2.2 allows up to 20; CA/B Forum asks for at least
 * 64 bits of randomness), the first byte in 0x40-0x7F so the DER integer is positive without a
 * padding byte and has no leading zero digit: the hex we sign is then exactly its normalized form.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString('hex').toUpperCase();
}
