/**
 * A rough throughput measurement of the MQTT endpoint + ingest pipeline into the in-memory log
 * (not the durable one): `node packages/gateway/dist/testing/measure-ingest.js [seconds] [devices]
 * [processes] [v4|v5] [tls]`. Publishers are MQTT.js clients in child processes, each device keeping
 * at most WINDOW QoS 1 publishes unacknowledged. Prints acknowledged messages and readings per second.
 * The platform's benchmark (packages/bench) is the reference; this isolates the gateway.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync, type IClientOptions } from 'mqtt';
import type { Clock } from '@wardstream/domain';
import { StaticBindingResolver } from '../binding-resolver.js';
import { CountingGatewayMetrics } from '../counting-gateway-metrics.js';
import { IngestPipeline } from '../ingest-pipeline.js';
import { MqttEndpoint } from '../mqtt/mqtt-endpoint.js';
import { createTestPki } from './certs.js';
import { MemoryTelemetryLog } from './memory-telemetry-log.js';

const WINDOW = 32;
const READINGS = [
  { code: 'heart_rate', value: 72, unit: '/min' },
  { code: 'spo2', value: 97, unit: '%' },
  { code: 'resp_rate', value: 14, unit: '/min' },
  { code: 'temp', value: 36.9, unit: 'Cel' },
  { code: 'nibp_sys', value: 121, unit: 'mm[Hg]' },
  { code: 'nibp_dia', value: 79, unit: 'mm[Hg]' },
  { code: 'MDC_PULS_OXIM_PULS_RATE', value: 73, unit: '/min' },
];

interface PublisherArgs {
  readonly url: string;
  /** Device ids, each with its client certificate when TLS is on. */
  readonly devices: readonly { id: string; tls?: { key: string; cert: string; ca: string } }[];
  readonly protocolVersion: 4 | 5;
}

async function publish(args: PublisherArgs): Promise<void> {
  let running = true;
  process.on('message', () => (running = false));
  await Promise.all(
    args.devices.map(async ({ id, tls }) => {
      const options: IClientOptions = {
        clientId: id,
        protocolVersion: args.protocolVersion,
        reconnectPeriod: 0,
        ...(tls && { ...tls, rejectUnauthorized: true }),
      };
      const client = await connectAsync(args.url, options);
      const topic = `wardstream/v1/devices/${id}/telemetry`;
      let seq = 0;
      await new Promise<void>((resolve) => {
        const next = (): void => {
          if (!running) {
            resolve();
            return;
          }
          seq++;
          const body = JSON.stringify({ seq, boot: 'bench', ts: Date.now(), readings: READINGS });
          client.publish(topic, body, { qos: 1 }, next);
        };
        for (let i = 0; i < WINDOW; i++) next();
      });
      await client.endAsync(true);
    }),
  );
  process.exit(0);
}

async function measure(): Promise<void> {
  const [seconds = '10', deviceCount = '40', processes = '1', version = 'v5', tlsArg = ''] = process.argv.slice(2);
  const useTls = tlsArg === 'tls';
  const pki = useTls ? createTestPki() : null;
  const metrics = new CountingGatewayMetrics();
  const clock: Clock = { now: () => Date.now() };
  const pipeline = new IngestPipeline({
    log: new MemoryTelemetryLog(),
    bindings: new StaticBindingResolver(),
    metrics,
  });
  const endpoint = await MqttEndpoint.listen(
    {
      port: 0,
      identity: pki === null ? 'client-id' : 'certificate',
      ...(pki && { tls: { ...pki.server, ca: pki.ca } }),
    },
    { pipeline, metrics, clock },
  );
  const url = `${pki === null ? 'mqtt' : 'mqtts'}://127.0.0.1:${endpoint.port}`;
  const perProcess = Math.ceil(Number(deviceCount) / Number(processes));
  const children = Array.from({ length: Number(processes) }, (_, p) => {
    const devices = Array.from({ length: perProcess }, (_, d) => {
      const id = `bench-${p}-${d}`;
      return pki === null ? { id } : { id, tls: { ...pki.device(id), ca: pki.ca } };
    });
    const args: PublisherArgs = { url, devices, protocolVersion: version === 'v4' ? 4 : 5 };
    return fork(fileURLToPath(import.meta.url), ['publisher', JSON.stringify(args)]);
  });
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // connect and warm up
  const start = {
    at: Date.now(),
    cpu: process.cpuUsage(),
    messages: metrics.messagesAccepted,
    readings: metrics.readingsAccepted,
  };
  await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  const elapsedSec = (Date.now() - start.at) / 1000;
  const messages = metrics.messagesAccepted - start.messages;
  const readings = metrics.readingsAccepted - start.readings;
  const cpu = process.cpuUsage(start.cpu);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  for (const child of children) child.send('stop');
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
  await endpoint.close();
  pki?.dispose();
  console.log(
    JSON.stringify({
      protocol: version,
      tls: useTls,
      devices: Number(deviceCount),
      publisherProcesses: Number(processes),
      window: WINDOW,
      messagesPerSec: Math.round(messages / elapsedSec),
      readingsPerSec: Math.round(readings / elapsedSec),
      /** CPU of the gateway process (one core = 100), and its cost per message. */
      gatewayCpuPercent: Math.round((100 * cpuSec) / elapsedSec),
      gatewayCpuMicrosPerMessage: Math.round((cpuSec * 1e6) / Math.max(1, messages)),
    }),
  );
}

if (process.argv[2] === 'publisher') await publish(JSON.parse(process.argv[3] ?? '{}') as PublisherArgs);
else await measure();
