import {
  NO_FLEET_COUNTERS,
  type Binding,
  type DeviceFleetStatus,
  type DeviceId,
  type PatientId,
  type WardId,
} from '@wardstream/domain';
import type { Device } from '@wardstream/registry';
import type { Hono } from 'hono';
import type { ApiDeps, FleetApiDeps } from '../deps.js';
import { attentionReasons } from '../fleet-attention.js';
import { isoOrNull } from '../json.js';
import { ParamErrors } from '../params.js';

/** The registry's facts about one device (none for a device seen but never registered). */
interface Registered {
  readonly device: Device | undefined;
  readonly binding: Binding | undefined;
}

/**
 * One device of the fleet: registry facts, what was observed of it, and why it needs attention. The
 * binding says whether and since when the device is bound and to which ward, never to whom: the fleet
 * is device data, and an admin reads no patient data without break-glass.
 */
function fleetRow(
  id: DeviceId,
  registered: Registered,
  status: DeviceFleetStatus | undefined,
  wardOf: (patient: PatientId) => WardId | null,
  fleet: FleetApiDeps,
  now: number,
) {
  const { device, binding } = registered;
  const enrollment = device?.enrollment ?? null;
  return {
    id,
    model: device?.model ?? null,
    enrollment,
    lastConnectedAt: isoOrNull(device?.lastConnectedAt ?? null),
    ...(fleet.isConnected === undefined ? {} : { connected: fleet.isConnected(id) }),
    binding:
      binding === undefined
        ? { bound: false, since: null, wardId: null }
        : { bound: true, since: new Date(binding.fromAt).toISOString(), wardId: wardOf(binding.patientId) },
    lastSeenAt: isoOrNull(status?.lastSeenAt ?? null),
    lastObservedAt: isoOrNull(status?.lastObservedAt ?? null),
    battery: status?.batteryFraction ?? null,
    rssiDbm: status?.rssiDbm ?? null,
    firmware: status?.firmware ?? null,
    clockSkewMs: status?.clockSkewMs ?? null,
    certificate:
      (status?.certificateNotAfter ?? null) === null
        ? null
        : { notAfter: new Date(status?.certificateNotAfter ?? 0).toISOString() },
    counters: status?.counters ?? NO_FLEET_COUNTERS,
    deviceErrors: status?.deviceErrors ?? [],
    attention: attentionReasons({ status, enrollment }, fleet.attention, fleet.since, now),
  };
}

/**
 * GET /api/v1/fleet[?attention=true]: every registered device and every device observed since the
 * process started, by id; with `attention=true` only those with at least one attention reason.
 */
export function mountFleetRoutes(app: Hono, deps: ApiDeps, fleet: FleetApiDeps): void {
  app.get('/api/v1/fleet', async (c) => {
    const errors = new ParamErrors();
    const filter = c.req.query('attention');
    if (filter !== undefined && filter !== 'true' && filter !== 'false')
      errors.add('attention', 'must be true or false');
    errors.throwIfAny();
    const [devices, bindings, patients] = await Promise.all([
      deps.registry.listDevices(),
      deps.registry.bindings({ openOnly: true }),
      deps.registry.listPatients(),
    ]);
    const now = deps.clock.now();
    const wards = new Map(patients.map((p) => [p.id, p.wardId]));
    const wardOf = (patient: PatientId) => wards.get(patient) ?? null;
    const registered = new Map<DeviceId, Registered>(
      devices.map((d) => [d.id, { device: d, binding: undefined }] as const),
    );
    for (const b of bindings) registered.set(b.deviceId, { device: registered.get(b.deviceId)?.device, binding: b });
    const observed = new Map(fleet.status().map((s) => [s.deviceId, s]));
    const ids = [...new Set([...registered.keys(), ...observed.keys()])].sort();
    const rows = ids.map((id) =>
      fleetRow(
        id,
        registered.get(id) ?? { device: undefined, binding: undefined },
        observed.get(id),
        wardOf,
        fleet,
        now,
      ),
    );
    return c.json({
      observedSince: new Date(fleet.since).toISOString(),
      limits: fleet.attention,
      devices: filter === 'true' ? rows.filter((r) => r.attention.length > 0) : rows,
    });
  });
}
