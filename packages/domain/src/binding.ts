import type { DeviceId, PatientId } from './ids.js';

/**
 * A device bound to a patient over a time range: admit (from) to discharge or transfer (to).
 * `to` is null while the binding is open. Ranges are half-open: [fromAt, toAt).
 */
export interface Binding {
  readonly id: string;
  readonly deviceId: DeviceId;
  readonly patientId: PatientId;
  readonly fromAt: number;
  readonly toAt: number | null;
}

/** The binding of one device in force at event time `at`, if any. */
export function bindingAt(bindings: readonly Binding[], at: number): Binding | undefined {
  // A device has few bindings in its life; a linear scan from the newest is the fast path.
  for (let i = bindings.length - 1; i >= 0; i--) {
    const b = bindings[i];
    if (b !== undefined && b.fromAt <= at && (b.toAt === null || at < b.toAt)) return b;
  }
  return undefined;
}

/** True when [fromAt, toAt) of `a` and `b` share an instant. */
export function bindingsOverlap(a: Pick<Binding, 'fromAt' | 'toAt'>, b: Pick<Binding, 'fromAt' | 'toAt'>): boolean {
  const aEnd = a.toAt ?? Infinity;
  const bEnd = b.toAt ?? Infinity;
  return a.fromAt < bEnd && b.fromAt < aEnd;
}
