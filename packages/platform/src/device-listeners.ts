import type { Clock, DeviceId } from '@wardstream/domain';
import {
  MqttEndpoint,
  type DeviceAuthRequest,
  type IngestPipeline,
  type PeerCertificateInfo,
  type SecurityEvent,
} from '@wardstream/gateway';
import type { DeviceTrust } from './device-trust.js';
import type { Logger } from './logger.js';
import type { PlatformMetrics } from './metrics.js';

export interface DeviceListenersOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: PlatformMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where a device's connection is recorded (the registry's last-connected time). */
  readonly deviceConnected: (id: DeviceId, at: number) => Promise<void>;
  readonly trust: DeviceTrust;
  /** The mutual-TLS listener. */
  readonly host: string;
  readonly port: number;
  /** The development plaintext listener's port on 127.0.0.1, if any. */
  readonly devPlaintextPort: number | undefined;
  readonly maxPayloadBytes: number;
  readonly onDeviceCertificate?: (id: DeviceId, certificate: PeerCertificateInfo) => void;
}

/** The MQTT listeners of a process that takes devices' messages (embedded platform, gateway role). */
export interface DeviceListeners {
  readonly endpoint: MqttEndpoint;
  readonly plaintext: MqttEndpoint | undefined;
}

/**
 * Opens the mutual-TLS MQTT endpoint (and the development plaintext one, loopback only whatever
 * the host: it authenticates no one), with device trust, security-event metrics and logs, and
 * revocations applied to live sessions. The caller closes both endpoints.
 */
export async function listenForDevices(o: DeviceListenersOptions): Promise<DeviceListeners> {
  const { logger, metrics, clock } = o;
  const endpointDeps = {
    pipeline: o.pipeline,
    metrics: metrics.gateway,
    clock,
    onDeviceConnected: (id: DeviceId) => {
      o.deviceConnected(id, clock.now()).catch((err: unknown) => {
        logger.warn('registry', 'could not record a connection', { error: String(err) });
      });
    },
    ...(o.onDeviceCertificate === undefined ? {} : { onDeviceCertificate: o.onDeviceCertificate }),
    onInternalError: (err: unknown) => logger.error('gateway', 'internal error', { error: String(err) }),
    authorize: (request: DeviceAuthRequest) => o.trust.authorize(request),
    onSecurityEvent: (event: SecurityEvent) => {
      metrics.securityEvent('mqtt', event.reason);
      logger.warn('security', 'device refused', { ...event, at: new Date(event.at).toISOString() });
    },
  };
  // Packets up to 1 MiB are read and answered (an oversize payload gets `payload-too-large`);
  // only larger ones are refused from their header by closing the connection (bounded memory).
  const maxPacketBytes = Math.max(1024 * 1024, o.maxPayloadBytes + 4096);
  const endpoint = await MqttEndpoint.listen(
    { host: o.host, port: o.port, identity: 'certificate', maxPacketBytes, tls: o.trust.tls },
    endpointDeps,
  );
  o.trust.onRevocationsChanged(() => {
    const cut = endpoint.reauthorizeNow();
    if (cut > 0) logger.warn('security', 'disconnected devices whose certificate was revoked', { connections: cut });
  });
  let plaintext: MqttEndpoint | undefined;
  if (o.devPlaintextPort !== undefined) {
    try {
      plaintext = await MqttEndpoint.listen(
        { host: '127.0.0.1', port: o.devPlaintextPort, identity: 'client-id', maxPacketBytes },
        endpointDeps,
      );
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    logger.warn('gateway', 'development plaintext listener: the MQTT client id is trusted, no authentication', {
      url: `mqtt://127.0.0.1:${plaintext.port}`,
    });
  }
  return { endpoint, plaintext };
}
