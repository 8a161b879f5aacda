import { ManualClock } from '@wardstream/domain';
import type { BindingResolver } from '../binding-resolver.js';
import { StaticBindingResolver } from '../binding-resolver.js';
import { CountingGatewayMetrics } from '../counting-gateway-metrics.js';
import { IngestPipeline } from '../ingest-pipeline.js';
import type {
  DeviceAuthDecision,
  DeviceAuthRequest,
  PeerCertificateInfo,
  SecurityEvent,
} from '../mqtt/device-trust.js';
import type { MqttEndpointOptions } from '../mqtt/endpoint-options.js';
import { MqttEndpoint } from '../mqtt/mqtt-endpoint.js';
import { MemoryTelemetryLog } from './memory-telemetry-log.js';

/** Event time used by the tests: payloads carry it as `ts` and the manual clock starts there. */
export const TEST_NOW = 1_764_000_000_000;

/** A gateway on 127.0.0.1, an ephemeral port, an in-memory log and counting metrics. */
export interface GatewayHarness {
  readonly endpoint: MqttEndpoint;
  readonly pipeline: IngestPipeline;
  readonly log: MemoryTelemetryLog;
  readonly metrics: CountingGatewayMetrics;
  readonly clock: ManualClock;
  /** `mqtt://127.0.0.1:port` or `mqtts://…` with TLS. */
  readonly url: string;
  readonly internalErrors: unknown[];
  /** Every `onSecurityEvent` call, in order. */
  readonly securityEvents: SecurityEvent[];
  /** Every `onDeviceCertificate` call, in order. */
  readonly certificates: { readonly deviceId: string; readonly certificate: PeerCertificateInfo }[];
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<MqttEndpointOptions> {
  readonly bindings?: BindingResolver;
  readonly onDeviceConnected?: (deviceId: string) => void;
  readonly authorize?: (request: DeviceAuthRequest) => DeviceAuthDecision;
}

export async function startGateway(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const { bindings, onDeviceConnected, authorize, ...endpointOptions } = options;
  const clock = new ManualClock(TEST_NOW);
  const log = new MemoryTelemetryLog();
  const metrics = new CountingGatewayMetrics();
  const internalErrors: unknown[] = [];
  const securityEvents: SecurityEvent[] = [];
  const certificates: GatewayHarness['certificates'][number][] = [];
  const pipeline = new IngestPipeline({
    log,
    bindings: bindings ?? new StaticBindingResolver(),
    metrics,
    onInternalError: (e) => internalErrors.push(e),
  });
  const endpoint = await MqttEndpoint.listen(
    { host: '127.0.0.1', port: 0, identity: 'client-id', ...endpointOptions },
    {
      pipeline,
      metrics,
      clock,
      onInternalError: (e) => internalErrors.push(e),
      onSecurityEvent: (e) => securityEvents.push(e),
      onDeviceCertificate: (deviceId, certificate) => certificates.push({ deviceId, certificate }),
      ...(onDeviceConnected && { onDeviceConnected }),
      ...(authorize && { authorize }),
    },
  );
  const scheme = endpointOptions.tls === undefined ? 'mqtt' : 'mqtts';
  return {
    endpoint,
    pipeline,
    log,
    metrics,
    clock,
    url: `${scheme}://127.0.0.1:${endpoint.port}`,
    internalErrors,
    securityEvents,
    certificates,
    close: () => endpoint.close(),
  };
}
