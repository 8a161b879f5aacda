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

function checkId(kind: string, value: string): void {
  if (!isValidId(value)) {
    throw new RangeError(`invalid ${kind} "${value.slice(0, 80)}": use 1-64 of A-Z a-z 0-9 . _ -`);
  }
}

/** Brands a device id; throws a RangeError naming the rule when it is not a valid id. */
export function deviceId(value: string): DeviceId {
  checkId('device id', value);
  return value as DeviceId;
}

/** Brands a patient id; throws a RangeError naming the rule when it is not a valid id. */
export function patientId(value: string): PatientId {
  checkId('patient id', value);
  return value as PatientId;
}

/** Brands a ward id; throws a RangeError naming the rule when it is not a valid id. */
export function wardId(value: string): WardId {
  checkId('ward id', value);
  return value as WardId;
}
