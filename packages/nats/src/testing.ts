import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { offsetsBucket } from './jetstream-log/names.js';

/** The NATS server with JetStream that `.ci/run` starts on loopback. */
export const LOCAL_TEST_NATS_URL = 'nats://127.0.0.1:4222';

/** A fresh log prefix for one test, e.g. `WS_TEST_3f9a0c21d4e7`, so tests can run concurrently. */
export function uniquePrefix(base = 'WS_TEST'): string {
  return `${base}_${randomBytes(6).toString('hex')}`;
}

/**
 * Deletes every NATS resource of the log with this prefix: its partition streams
 * (`<prefix>_P<n>`) and the offsets bucket's stream (`KV_<prefix>_OFFSETS`). Missing ones are fine.
 */
export async function deleteLog(prefix: string, servers: string = LOCAL_TEST_NATS_URL): Promise<void> {
  const nc = await connect({ servers, name: 'wardstream-test-cleanup' });
  try {
    const jsm = await jetstreamManager(nc);
    const partition = new RegExp(`^${prefix}_P\\d+$`);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) names.push(name);
    const doomed = names.filter((name) => partition.test(name) || name === `KV_${offsetsBucket(prefix)}`);
    await Promise.all(doomed.map((name) => jsm.streams.delete(name)));
  } finally {
    await nc.close();
  }
}
export { NatsCluster, NATS_SERVER_BINARY } from './nats-cluster.js';
