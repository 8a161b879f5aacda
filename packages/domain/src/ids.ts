/** Branded identifiers: a `DeviceId` cannot be passed where a `PatientId` is expected. */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DeviceId = Brand<string, 'DeviceId'>;
export type PatientId = Brand<string, 'PatientId'>;
export type WardId = Brand<string, 'WardId'>;

/**
 * Identifiers appear in MQTT topics and URLs, so they are restricted to a safe alphabet:
 * letters, digits, `.`, `_`, `-`, 1–64 characters. No `/`, `+`, `#` (MQTT topic syntax, [MQTT-4.7]).
 */
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

function brandOrThrow<T>(kind: string, value: string): T {
  if (!isValidId(value)) {
    throw new RangeError(`invalid ${kind} "${value.slice(0, 80)}": use 1-64 of A-Z a-z 0-9 . _ -`);
  }
  return value as T;
}

export function deviceId(value: string): DeviceId {
  return brandOrThrow<DeviceId>('device id', value);
}

export function patientId(value: string): PatientId {
  return brandOrThrow<PatientId>('patient id', value);
}

export function wardId(value: string): WardId {
  return brandOrThrow<WardId>('ward id', value);
}
