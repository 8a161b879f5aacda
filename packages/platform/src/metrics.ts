import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayMetrics, IngestRejectReason, MqttProtocolLevel, RefusalReason } from '@wardstream/gateway';
import type { ProcessorMetrics } from '@wardstream/processor';
import type { RejectReason } from '@wardstream/domain';

/** Every Prometheus metric of one platform process, on its own registry (no global state). */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly gateway: GatewayMetrics;
  readonly processor: ProcessorMetrics;
  /** Counts a log record the processor could not read and skipped (reported, never silent). */
  readonly processorSkipped: (reason: string) => void;
  /**
   * Counts a security event: a refusal on security grounds by the MQTT endpoint (`mqtt`), the
   * enrollment endpoint (`enrollment`) or the HTTP API (`http`), by reason.
   */
  readonly securityEvent: (source: 'mqtt' | 'enrollment' | 'http', reason: string) => void;

  constructor() {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'wardstream_process_' });
    const security = new Counter({
      name: 'wardstream_security_events_total',
      help: 'Refusals on security grounds (certificate, identity, authorization, token), by source and reason',
      labelNames: ['source', 'reason'],
      registers: [r],
    });
    this.securityEvent = (source, reason) => security.inc({ source, reason });
    const messages = new Counter({
      name: 'wardstream_gateway_messages_total',
      help: 'Telemetry messages by outcome',
      labelNames: ['outcome'],
      registers: [r],
    });
    const readings = new Counter({
      name: 'wardstream_gateway_readings_total',
      help: 'Numeric readings appended to the log',
      registers: [r],
    });
    const rejected = new Counter({
      name: 'wardstream_gateway_rejected_messages_total',
      help: 'Messages refused whole, by reason',
      labelNames: ['reason'],
      registers: [r],
    });
    const items = new Counter({
      name: 'wardstream_gateway_rejected_items_total',
      help: 'Readings, waveforms or status refused inside accepted messages, by reason',
      labelNames: ['reason'],
      registers: [r],
    });
    const connections = new Gauge({
      name: 'wardstream_gateway_connections',
      help: 'Open device connections',
      registers: [r],
    });
    const opened = new Counter({
      name: 'wardstream_gateway_connections_opened_total',
      help: 'Accepted device connections by MQTT protocol level',
      labelNames: ['protocol'],
      registers: [r],
    });
    const refused = new Counter({
      name: 'wardstream_gateway_refusals_total',
      help: 'Connections, publishes or subscriptions refused, by reason',
      labelNames: ['reason'],
      registers: [r],
    });
    const malformed = new Counter({
      name: 'wardstream_gateway_malformed_packets_total',
      help: 'MQTT packets that could not be parsed',
      registers: [r],
    });
    const oversize = new Counter({
      name: 'wardstream_gateway_oversize_packets_total',
      help: 'MQTT packets above the maximum packet size',
      registers: [r],
    });
    this.gateway = {
      messageAccepted: (n: number) => {
        messages.inc({ outcome: 'stored' });
        readings.inc(n);
      },
      messageDuplicate: () => messages.inc({ outcome: 'duplicate' }),
      messageRejected: (reason: IngestRejectReason) => {
        messages.inc({ outcome: 'rejected' });
        rejected.inc({ reason });
      },
      itemRejected: (reason: RejectReason) => items.inc({ reason }),
      messageUnavailable: () => messages.inc({ outcome: 'unavailable' }),
      connectionOpened: (protocol: MqttProtocolLevel) => {
        connections.inc();
        opened.inc({ protocol: String(protocol) });
      },
      connectionClosed: () => connections.dec(),
      refused: (reason: RefusalReason) => refused.inc({ reason }),
      malformedPacket: () => malformed.inc(),
      oversizePacket: () => oversize.inc(),
    };

    const stored = new Counter({
      name: 'wardstream_processor_messages_total',
      help: 'Messages written to the store',
      registers: [r],
    });
    const storedReadings = new Counter({
      name: 'wardstream_processor_readings_total',
      help: 'Readings written to the store',
      registers: [r],
    });
    const duplicates = new Counter({
      name: 'wardstream_processor_duplicates_total',
      help: 'Messages already stored (replays, re-sends beyond the log window)',
      registers: [r],
    });
    const late = new Counter({
      name: 'wardstream_processor_late_messages_total',
      help: 'Messages later than the allowed lateness (stored, flagged late)',
      registers: [r],
    });
    const latency = new Histogram({
      name: 'wardstream_processor_ingest_to_store_seconds',
      help: 'Gateway receipt to written in the store (visible to queries)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [r],
    });
    const skipped = new Counter({
      name: 'wardstream_processor_skipped_records_total',
      help: 'Log records that could not be read (checksum or format) and were skipped; their readings are not stored',
      labelNames: ['reason'],
      registers: [r],
    });
    this.processorSkipped = (reason) => skipped.inc({ reason });
    const lag = new Gauge({
      name: 'wardstream_processor_lag_messages',
      help: 'Messages in the log not yet processed',
      registers: [r],
    });
    this.processor = {
      batch: (s) => {
        stored.inc(s.messages);
        storedReadings.inc(s.readings);
        duplicates.inc(s.duplicates);
        late.inc(s.late);
      },
      storedLatency: (ms) => latency.observe(ms / 1000),
      lag: (n) => lag.set(n),
    };
  }

  /** Adds a gauge whose value is read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
