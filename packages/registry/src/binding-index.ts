import { bindingAt, type Binding, type DeviceId, type PatientId } from '@wardstream/domain';
import type { Registry } from './registry.js';

/**
 * An in-memory index of every binding, for the synchronous lookup the gateway does per message.
 * It follows the registry's change events, so an admission takes effect for the next message.
 */
export class BindingIndex {
  private readonly byDevice = new Map<DeviceId, Binding[]>();
  private unsubscribe: (() => void) | undefined;

  private constructor() {}

  static async load(registry: Registry): Promise<BindingIndex> {
    const index = new BindingIndex();
    // Subscribed before the listing so a change made while it loads is not missed; the listing may
    // predate such a change (another process's discharge), so it does not overwrite a binding an
    // event already set.
    let heard: Set<string> | null = new Set<string>();
    index.unsubscribe = registry.onBindingChange((b) => {
      heard?.add(b.id);
      index.put(b);
    });
    const listed = await registry.bindings();
    for (const b of listed) if (!heard.has(b.id)) index.put(b);
    heard = null;
    return index;
  }

  /** The patient bound to `deviceId` at event time `at`, or null. */
  patientAt(deviceId: DeviceId, at: number): PatientId | null {
    const list = this.byDevice.get(deviceId);
    return list === undefined ? null : (bindingAt(list, at)?.patientId ?? null);
  }

  close(): void {
    this.unsubscribe?.();
  }

  private put(binding: Binding): void {
    const list = (this.byDevice.get(binding.deviceId) ?? []).filter((b) => b.id !== binding.id);
    list.push(binding);
    list.sort((a, b) => a.fromAt - b.fromAt);
    this.byDevice.set(binding.deviceId, list);
  }
}
