/**
 * The mTLS-cost benchmark's target: the MQTT device endpoint and its durable ingest path alone, in
 * its own process. `node gateway-target.js '<json GatewayTargetSpec>'`; prints `listening` once the
 * port is bound, closes cleanly on SIGTERM.
 *
 * It is `wardstream up`'s ingest path (wire validation, batched append to the FileTelemetryLog with
 * fsync, PUBACK after it) without the processor, store and API, so that a plain-TCP run and a
 * mutual-TLS run differ by the transport only and its CPU is the gateway's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '@wardstream/domain';
import { CountingGatewayMetrics, IngestPipeline, MqttEndpoint, StaticBindingResolver } from '@wardstream/gateway';
import { FileTelemetryLog } from '@wardstream/log';

export interface GatewayTargetSpec {
  readonly port: number;
  readonly dataDir: string;
  /** PEM paths: mutual TLS with the device id from the certificate; absent, plain TCP and the client id. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string; readonly caPath: string };
}

/** The platform's default partition count, so the log's group commit sees the same batches. */
const PARTITIONS = 8;

const clock: Clock = { now: () => Date.now() };

async function serve(spec: GatewayTargetSpec): Promise<void> {
  const log = await FileTelemetryLog.open({ dir: join(spec.dataDir, 'log'), partitionCount: PARTITIONS, clock });
  const metrics = new CountingGatewayMetrics();
  const onInternalError = (error: unknown) => {
    process.stderr.write(`gateway-target: internal error: ${String(error)}\n`);
  };
  const pipeline = new IngestPipeline({ log, bindings: new StaticBindingResolver(), metrics, onInternalError });
  const { tls } = spec;
  const endpoint = await MqttEndpoint.listen(
    {
      host: '127.0.0.1',
      port: spec.port,
      identity: tls === undefined ? 'client-id' : 'certificate',
      ...(tls !== undefined && {
        tls: { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), ca: readFileSync(tls.caPath) },
      }),
    },
    { pipeline, metrics, clock, onInternalError },
  );
  process.once('SIGTERM', () => {
    void (async () => {
      await endpoint.close();
      await log.close();
      // The refusals tell a broken run (e.g. certificates refused) from a slow one.
      process.stdout.write(
        `${JSON.stringify({ accepted: metrics.messagesAccepted, refusals: Object.fromEntries(metrics.refusals) })}\n`,
      );
      process.exit(0);
    })();
  });
  process.stdout.write('listening\n');
}

const arg = process.argv[2];
if (arg === undefined) {
  process.stderr.write("usage: node gateway-target.js '<json GatewayTargetSpec>'\n");
  process.exit(2);
}
await serve(JSON.parse(arg) as GatewayTargetSpec);
