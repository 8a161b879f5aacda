import type { RejectReason } from '@wardstream/domain';
import type { GatewayMetrics, MqttProtocolLevel, RefusalReason } from './gateway-metrics.js';
import type { IngestRejectReason } from './ingest-answer.js';

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** `GatewayMetrics` kept in memory, for tests and the benchmark: read the fields. */
export class CountingGatewayMetrics implements GatewayMetrics {
  messagesAccepted = 0;
  readingsAccepted = 0;
  duplicates = 0;
  unavailable = 0;
  connectionsOpened = 0;
  connectionsOpen = 0;
  malformedPackets = 0;
  oversizePackets = 0;
  readonly rejections = new Map<IngestRejectReason, number>();
  readonly itemRejections = new Map<RejectReason, number>();
  readonly refusals = new Map<RefusalReason, number>();
  readonly protocolVersions = new Map<MqttProtocolLevel, number>();

  /** Messages refused because the log held different content under the same key. */
  get conflicts(): number {
    return this.rejections.get('conflict') ?? 0;
  }

  messageAccepted(readings: number): void {
    this.messagesAccepted++;
    this.readingsAccepted += readings;
  }
  messageDuplicate(): void {
    this.duplicates++;
  }
  messageRejected(reason: IngestRejectReason): void {
    bump(this.rejections, reason);
  }
  itemRejected(reason: RejectReason): void {
    bump(this.itemRejections, reason);
  }
  messageUnavailable(): void {
    this.unavailable++;
  }
  connectionOpened(protocol: MqttProtocolLevel): void {
    this.connectionsOpened++;
    this.connectionsOpen++;
    bump(this.protocolVersions, protocol);
  }
  connectionClosed(): void {
    this.connectionsOpen--;
  }
  refused(reason: RefusalReason): void {
    bump(this.refusals, reason);
  }
  malformedPacket(): void {
    this.malformedPackets++;
  }
  oversizePacket(): void {
    this.oversizePackets++;
  }
}
