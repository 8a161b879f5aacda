import type { DeviceId } from '@wardstream/domain';
import type { EnrollmentState, Registry } from './registry.js';

/**
 * Which devices may connect, as far as zero-touch enrollment goes, for the synchronous check the
 * MQTT endpoint makes at CONNECT. Loaded from the registry, then kept current by its enrollment
 * events, so an approval (or a rejection) takes effect for the next connection.
 */
export class ApprovalIndex {
  private readonly states = new Map<DeviceId, EnrollmentState>();
  private unsubscribe: (() => void) | undefined;

  private constructor() {}

  static async load(registry: Registry): Promise<ApprovalIndex> {
    const index = new ApprovalIndex();
    // Subscribed before the listing so a decision made while it loads is not missed; the listing
    // may predate such a decision, so it does not overwrite a device an event already set.
    let heard: Set<DeviceId> | null = new Set<DeviceId>();
    index.unsubscribe = registry.onEnrollmentChange((d) => {
      heard?.add(d.id);
      index.put(d.id, d.enrollment);
    });
    const listed = await registry.listEnrollments();
    for (const d of listed) if (!heard.has(d.id)) index.put(d.id, d.enrollment);
    heard = null;
    return index;
  }

  /**
   * The device's enrollment state; null for a device that did not enroll with a bootstrap
   * certificate (registered by an admin, first seen, or unknown).
   */
  state(deviceId: DeviceId): EnrollmentState | null {
    return this.states.get(deviceId) ?? null;
  }

  /**
   * False for a device whose enrollment is pending or rejected: the endpoint refuses it
   * (`device-not-approved`). True otherwise: its certificate was issued by an operator or approved.
   */
  isApproved(deviceId: DeviceId): boolean {
    const state = this.states.get(deviceId);
    return state === undefined || state === 'approved';
  }

  close(): void {
    this.unsubscribe?.();
  }

  private put(id: DeviceId, state: EnrollmentState | null): void {
    if (state === null) this.states.delete(id);
    else this.states.set(id, state);
  }
}
