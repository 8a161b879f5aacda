import type { DeviceId } from '@wardstream/domain';

/** Topic names of the device wire contract (DESIGN 3.1). */
const PREFIX = 'wardstream/v1/devices/';
const TELEMETRY = '/telemetry';

/** Where device `id` publishes its telemetry (QoS 1). */
export function telemetryTopic(id: DeviceId): string {
  return `${PREFIX}${id}${TELEMETRY}`;
}

/** Where the gateway reports refused messages and items of device `id` (JSON, QoS 0). */
export function errorsTopic(id: DeviceId): string {
  return `${PREFIX}${id}/errors`;
}

/**
 * A PUBLISH topic that is not the connection's own telemetry topic: another device's telemetry
 * topic (`not-authorized`: a device may only publish under its own id) or no telemetry topic at all.
 */
export function classifyForeignTopic(topic: string): 'not-authorized' | 'topic-invalid' {
  if (topic.startsWith(PREFIX) && topic.endsWith(TELEMETRY)) {
    const id = topic.slice(PREFIX.length, topic.length - TELEMETRY.length);
    if (id.length > 0 && !id.includes('/')) return 'not-authorized';
  }
  return 'topic-invalid';
}

/** MQTT wildcard characters in a topic filter [MQTT-4.7.1]. */
export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/** A shared subscription filter [MQTT-4.8.2]. */
export function isSharedSubscription(filter: string): boolean {
  return filter.startsWith('$share/');
}
