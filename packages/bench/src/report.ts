import type { AlarmLatencyResult, EndToEndResult, IngestBenchOptions, RelayResult } from './ingest-bench.js';
import type { LoadResult } from './loadgen.js';
import type { MtlsCostResult } from './mtls-bench.js';
import type { QrsResult } from './qrs-bench.js';
import type { QueryResult } from './query-bench.js';
import type { ScaledBenchResult } from './scaled-bench.js';
import type { WaveformResult } from './waveform-bench.js';

export interface BenchResults {
  readonly date: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; mosquitto: string };
  readonly ingest: IngestBenchOptions;
  endToEnd?: EndToEndResult;
  latency?: LoadResult;
  alarm?: AlarmLatencyResult;
  aedes?: RelayResult;
  mosquitto?: RelayResult;
  query?: QueryResult;
  qrs?: QrsResult;
  waveform?: WaveformResult;
  mtls?: MtlsCostResult;
  scaled?: ScaledBenchResult;
}

const n = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '—');
const ratio = (a: number, b: number | undefined) => (b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

/** The Markdown section docs/BENCHMARKS.md records. */
export function formatReport(r: BenchResults): string {
  const lines: string[] = [];
  const o = r.ingest;
  lines.push(`## Run of ${r.date}`, '');
  lines.push(
    `Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.mosquitto}.`,
  );
  const ingestRan = [r.endToEnd, r.latency, r.alarm, r.aedes, r.mosquitto, r.mtls].some((x) => x !== undefined);
  if (!ingestRan) lines.push('');
  else
    lines.push(
      `Load: ${o.devices} MQTT ${o.protocolVersion === 5 ? '5' : '3.1.1'} devices (MQTT.js, one process), QoS 1, 7 readings per message (≈ 515-byte JSON), ` +
        `${o.window} unacknowledged per device when saturating; ${o.warmupMs / 1000} s warm-up, ${o.durationMs / 1000} s measured. ` +
        'Everything on the same 2 cores: the load generator, the system under test, and (for relays) the subscriber.',
      '',
    );
  const e2e = r.endToEnd;
  const relayA = r.aedes;
  const relayM = r.mosquitto;
  if (e2e !== undefined || relayA !== undefined || relayM !== undefined) {
    lines.push(
      '| Target (same client load) | acknowledged msg/s | delivered msg/s | readings/s | PUBACK p50 / p99 ms |',
      '|---|---|---|---|---|',
    );
    if (e2e !== undefined) {
      lines.push(
        `| Wardstream end to end (PUBACK after fsync; delivered = written to the store) | ${n(e2e.load.ackedPerS)} | ${n(e2e.storedMessagesPerS)} | ${n(e2e.storedReadingsPerS)} | ${e2e.load.ackLatencyMs.p50} / ${e2e.load.ackLatencyMs.p99} |`,
      );
    }
    for (const [name, relay] of [
      ['aedes relay (no persistence) → 1 subscriber', relayA],
      ['Mosquitto relay (no persistence) → 1 subscriber', relayM],
    ] as const) {
      if (relay !== undefined) {
        lines.push(
          `| ${name} | ${n(relay.load.ackedPerS)} | ${n(relay.receivedPerS)} | ${n(relay.receivedPerS * 7)} | ${relay.load.ackLatencyMs.p50} / ${relay.load.ackLatencyMs.p99} |`,
        );
      }
    }
    lines.push('');
    if (e2e !== undefined) {
      lines.push(
        `Ratios, Wardstream stored msg/s ÷ relay delivered msg/s: aedes ${ratio(e2e.storedMessagesPerS, relayA?.receivedPerS)}, Mosquitto ${ratio(e2e.storedMessagesPerS, relayM?.receivedPerS)}. ` +
          `Processor lag at the end of the window: ${n(e2e.lagAtEnd)} messages.`,
        '',
      );
    }
  }
  if (r.scaled !== undefined) lines.push(...formatScaled(r.scaled, e2e));
  const lat = r.latency;
  if (lat !== undefined) {
    lines.push(
      `Fixed offered load of ${n(o.fixedRatePerS)} messages/s (${n(o.fixedRatePerS * 7)} readings/s): issued ${n(lat.sentPerS)} msg/s, acknowledged ${n(lat.ackedPerS)} msg/s.`,
      '',
      '| Latency | p50 ms | p99 ms | max ms | samples |',
      '|---|---|---|---|---|',
      `| publish → PUBACK (durable in the log) | ${lat.ackLatencyMs.p50} | ${lat.ackLatencyMs.p99} | ${lat.ackLatencyMs.max} | ${n(lat.ackLatencyMs.count)} |`,
    );
    if (lat.storedLatencyMs !== undefined) {
      lines.push(
        `| publish → stored (written to the store, seen on the device's live feed; 4 devices sampled) | ${lat.storedLatencyMs.p50} | ${lat.storedLatencyMs.p99} | ${lat.storedLatencyMs.max} | ${n(lat.storedLatencyMs.count)} |`,
      );
    }
    lines.push('');
  }
  if (r.alarm !== undefined) lines.push(...alarmSection(r.alarm, o), '');
  const q = r.query;
  if (q !== undefined) {
    lines.push(
      `Query: "last 5 minutes of one metric for one patient" on a store of ${n(q.readings)} readings (${q.patients} patients × ${q.codes} codes at 1 Hz, file ${n(q.fileMiB)} MiB, filled at ${n(q.fillReadingsPerS)} readings/s): ` +
        `p50 ${q.latencyMs.p50} ms, p99 ${q.latencyMs.p99} ms, max ${q.latencyMs.max} ms over ${n(q.latencyMs.count)} queries at random patients; each returned ${q.rowsPerQuery} readings.`,
      '',
    );
  }
  if (r.mtls !== undefined) lines.push(...mtlsSection(r.mtls, o), '');
  if (r.qrs !== undefined) lines.push(...qrsSection(r.qrs), '');
  if (r.waveform !== undefined) lines.push(...waveformSection(r.waveform), '');
  return `${lines.join('\n')}\n`;
}

/** DESIGN.md §4: p99 device publish → alert visible ≤ 100 ms (there at 10,000 msg/s). */
const ALARM_TARGET_P99_MS = 100;

function alarmSection(a: AlarmLatencyResult, o: IngestBenchOptions): string[] {
  const { load, rule } = a;
  const lines = [
    `Device publish → alarm on the live feed at ${n(o.fixedRatePerS)} msg/s (issued ${n(load.sentPerS)}, acknowledged ${n(load.ackedPerS)} msg/s): ` +
      `${a.patients} patients had the rule \`${rule.id}\` (${rule.codes.join(', ')} ${rule.direction === 'atOrAbove' ? '≥' : '≤'} ${rule.limit}, ` +
      `delay ${rule.delayMs} ms, clear delay ${rule.clearDelayMs} ms, hysteresis ${rule.hysteresis}, ${rule.latching ? 'latching' : 'not latching'}); ` +
      `their devices sent heart rate ${a.triggerHeartRateBpm} every ${a.every}th message. Timed in the load generator: publish by the MQTT client → \`event: alarm\` (\`raised\`) parsed from \`/api/v1/patients/{id}/live\`; ` +
      'the load generator shares the 2 cores with the platform.',
    '',
  ];
  const al = load.alarms;
  if (al === undefined) return [...lines, 'No alarm results (the load generator did not follow any patient).'];
  const met = al.alarmsSeen === al.alarmsExpected && al.alarmLatencyMs.p99 <= ALARM_TARGET_P99_MS;
  lines.push(
    '| Latency | p50 ms | p99 ms | max ms | alarms expected | alarms seen | target p99 |',
    '|---|---|---|---|---|---|---|',
    `| publish → alarm raised on the patient live feed | ${al.alarmLatencyMs.p50} | ${al.alarmLatencyMs.p99} | ${al.alarmLatencyMs.max} | ${n(al.alarmsExpected)} | ${n(al.alarmsSeen)} | ≤ ${ALARM_TARGET_P99_MS} ms: ${met ? 'met' : 'not met'} |`,
  );
  if (al.alarmsUnmatched > 0 || al.feedsLost > 0) {
    lines.push(
      '',
      `Also: ${n(al.alarmsUnmatched)} raised alarms matched no trigger; ${n(al.feedsLost)} live feeds ended before the run did.`,
    );
  }
  return lines;
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

/** Gateway CPU per acknowledged message, µs. */
const cpuPerMessageUs = (load: LoadResult) => ((load.cpuCores?.['gateway'] ?? NaN) * 1e6) / load.ackedPerS;

function mtlsSection(m: MtlsCostResult, o: IngestBenchOptions): string[] {
  const row = (name: string, load: LoadResult) =>
    `| ${name} | ${n(load.sentPerS)} | ${n(load.ackedPerS)} | ${load.ackLatencyMs.p50} / ${load.ackLatencyMs.p99} | ` +
    `${f2(load.cpuCores?.['gateway'] ?? NaN)} | ${n(cpuPerMessageUs(load))} | ${f2(load.cpuCores?.['loadgen'] ?? NaN)} | ${n(load.connectMs)} |`;
  const ratios = (tls: LoadResult, plain: LoadResult) =>
    `acknowledged msg/s ${ratio(tls.ackedPerS, plain.ackedPerS)}, PUBACK p50 ${ratio(tls.ackLatencyMs.p50, plain.ackLatencyMs.p50)}, ` +
    `p99 ${ratio(tls.ackLatencyMs.p99, plain.ackLatencyMs.p99)}, gateway CPU per message ${ratio(cpuPerMessageUs(tls), cpuPerMessageUs(plain))}, ` +
    `connecting ${o.devices} devices ${ratio(tls.connectMs, plain.connectMs)}`;
  const refused = [m.plain, m.tls].flatMap((t) => Object.entries(t.target.refusals));
  return [
    `Cost of mutual TLS on ingest: the same ${o.devices} devices and load against the gateway alone (\`gateway-target.js\`: ` +
      'MQTT endpoint → wire validation → durable log append with fsync → PUBACK; no processor, store or API), ' +
      `once over plain TCP (identity from the client id) and once over mutual TLS ≥ 1.2 (identity from the client certificate; ${m.credentials}). ` +
      `Paced at ${n(o.fixedRatePerS)} msg/s, then saturated with ${o.window} unacknowledged per device. CPU is user + system over the measured window.`,
    '',
    '| Transport, load | offered msg/s | acknowledged msg/s | PUBACK p50 / p99 ms | gateway CPU (cores) | gateway CPU µs/msg | load generator CPU (cores) | connect all devices, ms |',
    '|---|---|---|---|---|---|---|---|',
    row('plain TCP, paced', m.plain.paced),
    row('mutual TLS, paced', m.tls.paced),
    row('plain TCP, saturated', m.plain.saturated),
    row('mutual TLS, saturated', m.tls.saturated),
    '',
    `Ratios TLS ÷ plain, paced: ${ratios(m.tls.paced, m.plain.paced)}. Saturated: ${ratios(m.tls.saturated, m.plain.saturated)}.` +
      (refused.length === 0
        ? ''
        : ` The targets refused: ${refused.map(([reason, count]) => `${reason} ${n(count)}`).join(', ')}.`),
  ];
}

function qrsSection(q: QrsResult): string[] {
  const best = Math.max(...q.runs.map((x) => x.samplesPerSecond));
  return [
    `QRS detection on one core: \`measureDetectorThroughput(${q.seconds})\` of @wardstream/ecg (streaming QrsDetector over MIT-BIH record 100, 360 Hz, chunks of 360 samples), each run in a fresh Node process.`,
    '',
    '| Run | samples/s | 250 Hz leads per core | samples | wall ms | process CPU ms |',
    '|---|---|---|---|---|---|',
    ...q.runs.map(
      (x, i) =>
        `| ${i + 1} | ${n(x.samplesPerSecond)} | ${n(x.leadsPerCore250Hz)} | ${n(x.samples)} | ${n(x.ms)} | ${n(x.cpuMs)} |`,
    ),
    '',
    `Target ≥ ${n(q.targetSamplesPerS)} samples/s: ${q.runs.every((x) => x.samplesPerSecond >= q.targetSamplesPerS) ? 'met in every run' : q.runs.some((x) => x.samplesPerSecond >= q.targetSamplesPerS) ? 'met in some runs' : 'not met'} (best ${n(best)}).`,
  ];
}

function waveformSection(w: WaveformResult): string[] {
  const o = w.options;
  const p = w.paced.wardstream;
  const lines = [
    `Waveform ingest: ${o.beds} beds, each one MQTT ${o.protocolVersion === 5 ? '5' : '3.1.1'} client (MQTT.js, one load process) sending QoS 1 telemetry with an ECG lead II segment ` +
      `(MDC_ECG_ELEC_POTL_II, ${o.fsHz} Hz, ${w.samplesPerMessage} samples, mV, synthetic with noise) and 2 numeric readings every ${o.chunkMs} ms (≈ ${n(w.payloadBytes)}-byte JSON); ` +
      `${o.warmupMs / 1000} s warm-up, ${o.durationMs / 1000} s measured. The load generator and the target share the same 2 cores.`,
    '',
    '| Paced load | offered msg/s | acknowledged msg/s | samples/s acknowledged | PUBACK p50 / p99 ms | publish → stored p50 / p99 ms | target CPU (cores) | load generator CPU (cores) |',
    '|---|---|---|---|---|---|---|---|',
    `| Wardstream \`up\` (PUBACK after fsync) | ${n(p.load.sentPerS)} | ${n(p.load.ackedPerS)} | ${n(p.load.ackedSamplesPerS)} | ${p.load.ackLatencyMs.p50} / ${p.load.ackLatencyMs.p99} | ` +
      `${p.load.storedLatencyMs === undefined ? 'not measured' : `${p.load.storedLatencyMs.p50} / ${p.load.storedLatencyMs.p99} (${o.liveDevices} devices, ${n(p.load.storedLatencyMs.count)} samples)`} | ` +
      `${f2(p.load.cpuCores['platform'] ?? NaN)} | ${f2(p.load.cpuCores['loadgen'] ?? NaN)} |`,
  ];
  const m = w.paced.mosquitto;
  if (m !== undefined) {
    lines.push(
      `| Mosquitto relay → 1 subscriber (no persistence) | ${n(m.load.sentPerS)} | ${n(m.load.ackedPerS)} (delivered ${n(m.receivedPerS)}) | ${n(m.load.ackedSamplesPerS)} | ${m.load.ackLatencyMs.p50} / ${m.load.ackLatencyMs.p99} | — | ` +
        `${f2(m.load.cpuCores['mosquitto'] ?? NaN)} | ${f2(m.load.cpuCores['loadgen'] ?? NaN)} |`,
    );
  }
  const v = p.verify;
  lines.push(
    '',
    `Read back through \`GET /api/v1/devices/{id}/waveforms\` once the processor's lag was 0 (${n(p.drainMs)} ms after the load generator finished; it waits ≥ 1 s for the last PUBACKs), ${v.devicesChecked} devices, whole run: ` +
      `${n(v.ackedMessages)} segments acknowledged (${n(v.ackedSamples)} samples), ${n(v.storedSegments)} returned (${n(v.storedSamples)} samples): ` +
      `**${n(v.lost)} lost, ${n(v.duplicated)} duplicated, ${n(v.altered)} altered**, ${n(v.storedNotAcked)} stored without a PUBACK seen.`,
  );
  const s = p.storage;
  if (s !== undefined) {
    lines.push(
      '',
      `On disk after a clean stop: store.db (+ WAL) grew ${n(s.storeBytesAfter - s.storeBytesBefore)} bytes, **${f2(s.fileBytesPerSample)} bytes per sample** ` +
        '(the file also holds the 2 readings of each message)' +
        (s.sqlite === undefined
          ? ''
          : `; SQLite dbstat: waveform table and indexes ${f2(s.sqlite.tableAndIndexBytesPerSample)} bytes/sample, sample blobs alone ${f2(s.sqlite.blobBytesPerSample)} bytes/sample (${n(s.sqlite.segments)} segments); ` +
            `WAL ${n(s.walBytesAfter)} bytes, free pages ${n(s.sqlite.freeBytes)} bytes; pages by object: ${Object.entries(
              s.sqlite.pagesByObject,
            )
              .slice(0, 6)
              .map(([name, bytes]) => `${name} ${n(bytes)}`)
              .join(', ')}`) +
        `. The durable log (raw JSON messages) holds ${f2(s.logBytesPerSample)} bytes per sample.`,
    );
  }
  const sat = w.saturated;
  if (sat !== undefined) {
    const sw = sat.wardstream;
    const sm = sat.mosquitto;
    lines.push(
      '',
      `Saturated (capacity, not a clinical load): the same payloads, each bed keeping ${o.window} unacknowledged, ${o.maxDurationMs / 1000} s measured.`,
      '',
      '| Saturated | acknowledged msg/s | delivered msg/s | samples/s delivered | PUBACK p50 / p99 ms | target CPU (cores) | load generator CPU (cores) |',
      '|---|---|---|---|---|---|---|',
      `| Wardstream \`up\` (delivered = written to the store) | ${n(sw.load.ackedPerS)} | ${n(sw.load.storedMessagesPerS ?? NaN)} | ${n((sw.load.storedMessagesPerS ?? NaN) * w.samplesPerMessage)} | ${sw.load.ackLatencyMs.p50} / ${sw.load.ackLatencyMs.p99} | ${f2(sw.load.cpuCores['platform'] ?? NaN)} | ${f2(sw.load.cpuCores['loadgen'] ?? NaN)} |`,
    );
    if (sm !== undefined) {
      lines.push(
        `| Mosquitto relay → 1 subscriber | ${n(sm.load.ackedPerS)} | ${n(sm.receivedPerS)} | ${n(sm.receivedPerS * w.samplesPerMessage)} | ${sm.load.ackLatencyMs.p50} / ${sm.load.ackLatencyMs.p99} | ${f2(sm.load.cpuCores['mosquitto'] ?? NaN)} | ${f2(sm.load.cpuCores['loadgen'] ?? NaN)} |`,
      );
    }
    const sv = sw.verify;
    lines.push(
      '',
      `Ratio Wardstream delivered ÷ Mosquitto delivered (saturated): ${ratio(sw.load.storedMessagesPerS ?? NaN, sm?.receivedPerS)}. ` +
        `Read back (${sv.devicesChecked} devices): ${n(sv.ackedMessages)} acknowledged segments, ${n(sv.lost)} lost, ${n(sv.duplicated)} duplicated, ${n(sv.altered)} altered; processor lag 0 ${n(sw.drainMs)} ms after the load generator finished.`,
    );
  }
  if (m !== undefined) {
    lines.push(
      '',
      `Paced ratios, Wardstream ÷ Mosquitto: acknowledged msg/s ${ratio(p.load.ackedPerS, m.load.ackedPerS)}, CPU ${ratio(p.load.cpuCores['platform'] ?? NaN, m.load.cpuCores['mosquitto'])}.`,
    );
  }
  return lines;
}

/** The scaled-out shape beside the embedded one, and PostgreSQL ingest on its own. */
function formatScaled(s: ScaledBenchResult, embedded: EndToEndResult | undefined): string[] {
  const lines = [
    `### Scaled-out shape (local NATS JetStream ${s.nats}, 1 node, replicas 1; local PostgreSQL; ${s.partitions} partitions)`,
    '',
    'Each role its own process (`wardstream gateway|processor`), the same device load as above, all on the same 2 cores.',
    '',
    '| Shape | acknowledged msg/s | stored msg/s | readings/s | PUBACK p50 / p99 ms | lag at end | stored ÷ embedded |',
    '|---|---|---|---|---|---|---|',
  ];
  if (embedded !== undefined) {
    lines.push(
      `| embedded (\`wardstream up\`) | ${n(embedded.load.ackedPerS)} | ${n(embedded.storedMessagesPerS)} | ${n(embedded.storedReadingsPerS)} | ${embedded.load.ackLatencyMs.p50} / ${embedded.load.ackLatencyMs.p99} | ${n(embedded.lagAtEnd)} | 1.00× |`,
    );
  }
  for (const run of s.runs) {
    lines.push(
      `| ${run.gateways} gateway + ${run.processors} processor${run.processors > 1 ? 's' : ''} | ${n(run.load.ackedPerS)} | ${n(run.storedMessagesPerS)} | ${n(run.storedReadingsPerS)} | ${run.load.ackLatencyMs.p50} / ${run.load.ackLatencyMs.p99} | ${n(run.lagAtEnd)} | ${ratio(run.storedMessagesPerS, embedded?.storedMessagesPerS)} |`,
    );
  }
  const cores = (c: Record<string, number> | undefined) =>
    Object.entries(c ?? {})
      .map(([name, v]) => `${name} ${v.toFixed(2)}`)
      .join(', ');
  lines.push('', 'Cores used during the measured window (of 2):');
  for (const run of s.runs) lines.push(`- ${run.processors} processor(s): ${cores(run.load.cpuCores)}`);
  lines.push(
    '',
    '| PostgreSQL ingest (PostgresReadingStore.write, one transaction per batch) | messages/s | reading rows/s | batch p50 / p99 ms |',
    '|---|---|---|---|',
  );
  for (const p of s.pgIngest) {
    lines.push(
      `| ${p.writers} writer${p.writers > 1 ? 's' : ''}, ${p.messagesPerBatch} messages × ${p.readingsPerMessage} readings per batch | ${n(p.messagesPerS)} | ${n(p.rowsPerS)} | ${p.batchMs.p50} / ${p.batchMs.p99} |`,
    );
  }
  lines.push('');
  return lines;
}
