import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageType, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** Where Debian's nats-server package installs the server (2.9.10 on Debian 12). */
export const SYSTEM_NATS_SERVER_BINARY = '/usr/sbin/nats-server';

/** Where `scripts/fetch-nats-server.sh` puts Debian 13's nats-server (2.10). */
const FETCHED_NATS_SERVER_BINARY = fileURLToPath(new URL('../../../.tools/nats-server/nats-server', import.meta.url));

/**
 * The nats-server that test clusters run: `WARDSTREAM_TEST_NATS_SERVER` if set, else the one
 * `scripts/fetch-nats-server.sh` fetched (`.ci/run` fetches it), else the system's.
 */
export const NATS_SERVER_BINARY =
  (process.env.WARDSTREAM_TEST_NATS_SERVER ?? '') ||
  (existsSync(FETCHED_NATS_SERVER_BINARY) ? FETCHED_NATS_SERVER_BINARY : SYSTEM_NATS_SERVER_BINARY);

/** Whether `version` (e.g. `[2, 10, 27]`) is `major.minor` or later. */
export function versionAtLeast(version: readonly number[], major: number, minor: number): boolean {
  const [have = 0, haveMinor = 0] = version;
  return have > major || (have === major && haveMinor >= minor);
}

/** The version a nats-server binary reports, e.g. `[2, 10, 27]`. */
export function natsServerVersion(binary = NATS_SERVER_BINARY): [number, number, number] {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(out);
  if (match === null) throw new Error(`${binary} --version printed no version: ${out.trim()}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

interface Node {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly configPath: string;
  child: ChildProcess | undefined;
  output: string;
}

/**
 * A NATS cluster with JetStream on loopback ports, started from the `nats-server` binary for fault
 * tests and benchmarks: each node a child process with its own store directory, which a test may
 * kill (SIGKILL), pause (SIGSTOP) and resume, and restart on the same ports and store.
 */
export class NatsCluster {
  private constructor(
    private readonly dir: string,
    private readonly nodes: Node[],
    /** The binary every node runs. */
    readonly binary: string,
    /** Its version, e.g. `[2, 10, 27]`. */
    readonly version: readonly [number, number, number],
    /** Whether the nodes fsync every write before acknowledging it (`sync_interval: always`, 2.10+). */
    readonly syncAlways: boolean,
  ) {}

  /** e.g. `nats-server 2.10.27, sync_interval always`. */
  describe(): string {
    return `nats-server ${this.version.join('.')}, ${this.syncAlways ? 'sync_interval always' : 'default sync (every 2 minutes)'}`;
  }

  /** Starts `size` nodes and waits until JetStream answers with a meta leader. */
  static async start(size = 3, binary = NATS_SERVER_BINARY): Promise<NatsCluster> {
    const version = natsServerVersion(binary);
    // 2.10 and later fsync every write before acknowledging it with this; 2.9 rejects the setting.
    const syncAlways = versionAtLeast(version, 2, 10);
    const dir = await mkdtemp(join(tmpdir(), 'ws-nats-cluster-'));
    const ports = await Promise.all(Array.from({ length: size * 2 }, () => freeLoopbackPort()));
    const nodes: Node[] = [];
    for (let i = 0; i < size; i++) {
      const name = `n${i + 1}`;
      const port = ports[2 * i] ?? 0;
      const clusterPort = ports[2 * i + 1] ?? 0;
      const routes = Array.from({ length: size }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => `nats-route://127.0.0.1:${ports[2 * j + 1] ?? 0}`);
      const configPath = join(dir, `${name}.conf`);
      await writeFile(
        configPath,
        [
          `server_name: ${name}`,
          `listen: 127.0.0.1:${port}`,
          `jetstream { store_dir: "${join(dir, name)}"${syncAlways ? ', sync_interval: always' : ''} }`,
          `cluster { name: wardstream_test, listen: 127.0.0.1:${clusterPort}, routes: [${routes.join(', ')}] }`,
          '',
        ].join('\n'),
      );
      nodes.push({ name, port, clusterPort, configPath, child: undefined, output: '' });
    }
    const cluster = new NatsCluster(dir, nodes, binary, version, syncAlways);
    for (const node of nodes) cluster.launch(node, binary);
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Client URLs of every node, for a client's server list. */
  get urls(): string[] {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`);
  }

  get names(): string[] {
    return this.nodes.map((n) => n.name);
  }

  /** The node currently leading `stream` (its Raft group), by server name. */
  async streamLeader(stream: string): Promise<string> {
    const nc = await connect({ servers: this.urls, timeout: 5_000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 10_000 });
      const info = await jsm.streams.info(stream);
      const leader = info.cluster?.leader;
      if (leader === undefined) throw new Error(`stream ${stream} has no leader now`);
      return leader;
    } finally {
      await nc.close();
    }
  }

  /** kill -9 of one node: no shutdown code runs. */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    const child = node.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    node.child = undefined;
  }

  /** Starts a killed node again on its ports and store. */
  restart(name: string): void {
    this.launch(this.node(name), this.binary);
  }

  /** SIGSTOP: the node stops answering but keeps its connections (a hung machine). */
  pause(name: string): void {
    this.node(name).child?.kill('SIGSTOP');
  }

  resume(name: string): void {
    this.node(name).child?.kill('SIGCONT');
  }

  /** What a node printed, for failure messages. */
  output(name: string): string {
    return this.node(name).output;
  }

  /** Stops every node and removes the stores. */
  async stop(): Promise<void> {
    for (const node of this.nodes) {
      node.child?.kill('SIGCONT');
      await this.kill(node.name);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private node(name: string): Node {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name} in the cluster`);
    return node;
  }

  private launch(node: Node, binary: string): void {
    const child = spawn(binary, ['-c', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      node.output = (node.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    node.child = child;
  }

  private async waitForJetStream(): Promise<void> {
    const deadline = Date.now() + 30_000;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const nc = await connect({ servers: this.urls, timeout: 2_000 });
        try {
          const jsm = await jetstreamManager(nc, { timeout: 5_000 });
          await jsm.getAccountInfo();
          await this.waitForPlacement(jsm);
          return;
        } finally {
          await nc.close();
        }
      } catch (err) {
        last = err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error(
      `the NATS cluster did not elect a JetStream leader within 30 s: ${String(last)}\n${this.nodes.map((n) => n.output.slice(-2000)).join('\n')}`,
    );
  }

  /**
   * Answering is not yet placing: waits, up to 30 s, until a stream on every node can be created.
   * Best effort: a cluster still refusing then ("no suitable peers") is returned anyway, and the
   * caller's own first request meets what it meets, as before this wait existed.
   */
  private async waitForPlacement(jsm: JetStreamManager): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const name = `WS_CLUSTER_READY_${process.pid}_${attempt}`;
      try {
        await jsm.streams.add({
          name,
          subjects: [`ws.cluster.ready.${process.pid}.${attempt}`],
          num_replicas: this.nodes.length,
          storage: StorageType.Memory,
        });
        await jsm.streams.delete(name).catch(() => false);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no TCP port was assigned'));
        else resolve(address.port);
      });
    });
  });
}
