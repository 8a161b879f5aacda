import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { offsetsBucket } from './jetstream-log/names.js';
import { NATS_SERVER_BINARY } from './nats-cluster.js';

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
export { NatsCluster, NATS_SERVER_BINARY, versionAtLeast } from './nats-cluster.js';

/** A nats-server with JetStream that a test started on a free loopback port (see `startTestNatsServer`). */
export interface TestNatsServer {
  readonly url: string;
  readonly storeDir: string;
  /** SIGKILLs the server (no clean shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and store directory, and waits until it accepts clients. */
  restart(): Promise<void>;
  /** Kills the server and removes its store directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntilAccepting(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
      await nc.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nats-server at ${url} did not accept clients`);
}

/**
 * Starts `nats-server -js` on a free loopback port with a fresh store directory, for tests that
 * kill or restart a server. Call `stop()` in a `finally`.
 */
export async function startTestNatsServer(binary: string = NATS_SERVER_BINARY): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'wardstream-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const started = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: 'ignore',
    });
    child = started;
    await waitUntilAccepting(url, started);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    storeDir,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
