import { isValidId, type DeviceId } from '@wardstream/domain';
import type { IdentityMode } from './endpoint-options.js';

/**
 * The device a connection speaks for, or null when its identity is not acceptable. In `certificate`
 * mode the client id must be empty or equal to the certificate's CN; in `client-id` mode the client
 * id is the (unauthenticated) identity. The caller refuses a null with CONNACK 0x85 (v5,
 * [MQTT-3.1.3-8]) or 0x02 (3.1.1, [MQTT-3.1.3-9]).
 */
export function resolveDeviceId(mode: IdentityMode, clientId: string, certificateCn: string | null): DeviceId | null {
  const id = mode === 'certificate' ? certificateCn : clientId;
  if (id === null || !isValidId(id)) return null;
  if (mode === 'certificate' && clientId !== '' && clientId !== id) return null;
  return id as DeviceId;
}
