import { bindingAt, type Binding, type DeviceId, type PatientId } from '@wardstream/domain';

/**
 * Which patient a device is bound to at an event time (DESIGN 3.2: a reading belongs to the patient
 * bound at its `observedAt`). Called once per message on the ingest hot path, so implementations
 * answer from memory (the registry keeps a cache) and never block. Throwing makes the message
 * `unavailable` (not acknowledged), never keyed wrongly.
 */
export interface BindingResolver {
  patientAt(deviceId: DeviceId, at: number): PatientId | null;
}

/** A resolver over a fixed set of bindings: for tests, demos and the simulator. */
export class StaticBindingResolver implements BindingResolver {
  private readonly byDevice = new Map<DeviceId, Binding[]>();

  constructor(bindings: readonly Binding[] = []) {
    for (const b of [...bindings].sort((x, y) => x.fromAt - y.fromAt)) {
      const list = this.byDevice.get(b.deviceId);
      if (list === undefined) this.byDevice.set(b.deviceId, [b]);
      else list.push(b);
    }
  }

  patientAt(deviceId: DeviceId, at: number): PatientId | null {
    const list = this.byDevice.get(deviceId);
    return list === undefined ? null : (bindingAt(list, at)?.patientId ?? null);
  }
}
