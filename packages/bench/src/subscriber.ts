/**
 * The relay reference's receiving side, in its own process: subscribes to every device telemetry
 * topic at QoS 0 and counts what arrives during the measured window. `node subscriber.js '<json>'`;
 * prints a JSON line when done.
 */
import { connectAsync } from 'mqtt';

interface SubscriberSpec {
  readonly url: string;
  readonly warmupMs: number;
  readonly durationMs: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SubscriberSpec;
const client = await connectAsync(spec.url, {
  clientId: `bench-sub-${process.pid}`,
  protocolVersion: 4,
  reconnectPeriod: 0,
});
await client.subscribeAsync('wardstream/v1/devices/+/telemetry', { qos: 0 });
process.stdout.write('subscribed\n');
let received = 0;
let measuring = false;
client.on('message', () => {
  if (measuring) received++;
});
// The subscriber starts counting when told to, so it measures the same window as the publishers.
process.stdin.once('data', () => {
  setTimeout(() => {
    measuring = true;
    setTimeout(() => {
      measuring = false;
      process.stdout.write(`${JSON.stringify({ received, receivedPerS: (received * 1000) / spec.durationMs })}\n`);
      void client.endAsync(true).then(() => process.exit(0));
    }, spec.durationMs);
  }, spec.warmupMs);
});
