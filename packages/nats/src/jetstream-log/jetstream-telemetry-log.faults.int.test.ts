import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { LogCorruptionError, LogUnavailableError, type AppendRequest, type TelemetryLog } from '@wardstream/log';
import { LOCAL_TEST_NATS_URL, NatsCluster, deleteLog, startTestNatsServer, uniquePrefix } from '../testing.js';
import { JetStreamTelemetryLog } from './jetstream-telemetry-log.js';
import type { JetStreamTelemetryLogOptions } from './options.js';
import { partitionSubject, streamName } from './names.js';

// Beyond the contract: against the local nats-server (127.0.0.1:4222), and one case against a
// nats-server the test starts on a free port and kills.

function record(deviceId: string, seq: number, contentHash = seq * 31 + 7, key = `patient-${deviceId}`): AppendRequest {
  return { key, deviceId, boot: 'b1', seq, contentHash, payload: new TextEncoder().encode(`${deviceId}/${seq}`) };
}

type Open = (extra?: Partial<JetStreamTelemetryLogOptions>) => Promise<TelemetryLog>;

/** Runs `body` with a fresh prefix on the local server, deleting the log's resources after. */
async function withPrefix(body: (open: Open, prefix: string) => Promise<void>): Promise<void> {
  const prefix = uniquePrefix();
  const logs: TelemetryLog[] = [];
  try {
    await body(async (extra = {}) => {
      const log = await JetStreamTelemetryLog.open({ servers: LOCAL_TEST_NATS_URL, prefix, replicas: 1, ...extra });
      logs.push(log);
      return log;
    }, prefix);
  } finally {
    for (const log of logs) await log.close();
    await deleteLog(prefix);
  }
}

void describe('JetStreamTelemetryLog beyond the contract', () => {
  void it('answers duplicate and conflict from the server after a reopen and to a second process', async () => {
    await withPrefix(async (open) => {
      const first = await open();
      const [stored] = await first.append([record('a', 1), record('a', 2)]);
      assert.ok(stored?.kind === 'appended');
      await first.close();
      const reopened = await open();
      const other = await open(); // another gateway: its own connection, no shared memory
      const [again, conflict] = await reopened.append([record('a', 1), record('a', 2, 99)]);
      assert.deepEqual(again, { ...stored, kind: 'duplicate' });
      assert.equal(conflict?.kind, 'conflict');
      const [fromOther] = await other.append([record('a', 1)]);
      assert.deepEqual(fromOther, { ...stored, kind: 'duplicate' });
      assert.equal(other.status().endOffsets.get(stored.partition), 2);
    });
  });

  void it('never moves a commit backwards, whoever commits and in whatever order', async () => {
    await withPrefix(async (open) => {
      const a = await open();
      const b = await open();
      await a.commit('processor', new Map([[0, 5]]));
      await a.commit('processor', new Map([[0, 3]]));
      assert.deepEqual(await a.committed('processor'), new Map([[0, 5]]));
      const values = Array.from({ length: 30 }, (_, i) => 6 + ((i * 7) % 30));
      await Promise.all(
        values.map((v, i) =>
          (i % 2 === 0 ? a : b).commit(
            'processor',
            new Map([
              [1, v],
              [0, v],
            ]),
          ),
        ),
      );
      const max = Math.max(...values);
      assert.deepEqual(
        await b.committed('processor'),
        new Map([
          [0, max],
          [1, max],
        ]),
      );
    });
  });

  void it('keeps consumers whose names differ only in separators apart', async () => {
    await withPrefix(async (open) => {
      const log = await open();
      const names = ['a.b', 'a_b', 'a=2Eb', 'a b', 'a/b', 'ä.b'];
      await Promise.all(names.map((name, i) => log.commit(name, new Map([[0, i + 1]]))));
      for (const [i, name] of names.entries()) assert.deepEqual(await log.committed(name), new Map([[0, i + 1]]));
    });
  });

  void it('adopts the stored partition count, and refuses another count or stream settings', async () => {
    await withPrefix(async (open) => {
      await (await open({ partitionCount: 3 })).close();
      assert.equal((await open()).partitionCount, 3);
      await assert.rejects(open({ partitionCount: 4 }), { code: 'CONFLICT', message: /3 partitions/ });
      await assert.rejects(open({ duplicateWindowMs: 60_000 }), {
        code: 'CONFLICT',
        message: /_P0: duplicate_window 120000000000 \(wanted 60000000000\)/,
      });
    });
  });

  void it('refuses to serve a message it cannot read, after the good ones before it', async () => {
    await withPrefix(async (open, prefix) => {
      const log = await open({ partitionCount: 1 });
      await log.append([record('a', 1)]);
      const nc = await connect({ servers: LOCAL_TEST_NATS_URL });
      try {
        // Published around the log, without its headers.
        await jetstream(nc).publish(partitionSubject(prefix, 0), 'x');
      } finally {
        await nc.close();
      }
      await log.append([record('a', 2)]);
      const first = await log.fetch(new Map([[0, 0]]), { maxRecords: 10, maxWaitMs: 0 });
      assert.deepEqual(
        first.map((e) => e.offset),
        [0],
      );
      await assert.rejects(log.fetch(new Map([[0, 1]]), { maxRecords: 10, maxWaitMs: 0 }), (error) => {
        assert.ok(error instanceof LogCorruptionError);
        assert.equal(error.offset, 1);
        return true;
      });
      const after = await log.fetch(new Map([[0, 2]]), { maxRecords: 10, maxWaitMs: 0 });
      assert.deepEqual(
        after.map((e) => [e.offset, e.seq]),
        [[2, 2]],
      );
    });
  });

  void it(
    'rejects appends while the server is down, says so in status, and recovers once it is back',
    { timeout: 60_000 },
    async () => {
      const server = await startTestNatsServer();
      const log = await JetStreamTelemetryLog.open({
        servers: server.url,
        prefix: uniquePrefix(),
        replicas: 1,
        publishTimeoutMs: 300,
        connectOptions: { reconnectTimeWait: 100 },
      });
      try {
        const [before] = await log.append([record('a', 1)]);
        assert.equal(before?.kind, 'appended');
        await server.kill();
        await assert.rejects(log.append([record('a', 2), record('b', 1)]), LogUnavailableError);
        assert.equal(log.status().state.kind, 'unavailable');
        await server.restart();
        // The client reconnects by itself; appends fail until it has (bounded by the test's timeout).
        let outcomes;
        for (;;) {
          try {
            outcomes = await log.append([record('a', 2), record('b', 1)]);
            break;
          } catch (error) {
            assert.ok(error instanceof LogUnavailableError);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['appended', 'appended']);
        assert.equal(log.status().state.kind, 'ok');
        const [resent] = await log.append([record('a', 1)]);
        assert.deepEqual(
          resent,
          { ...before, kind: 'duplicate' },
          'the record acknowledged before the kill survived it',
        );
      } finally {
        await log.close();
        await server.stop();
      }
    },
  );

  void it(
    'reads through a consumer on the stream leader, and moves it when the leader changes',
    { timeout: 120_000 },
    async () => {
      const cluster = await NatsCluster.start(3);
      const prefix = uniquePrefix();
      const stream = streamName(prefix, 0);
      const logs: TelemetryLog[] = [];
      const nc = await connect({ servers: cluster.urls }).catch(async (error: unknown) => {
        await cluster.stop();
        throw error;
      });
      try {
        /** Opens a log, retrying while the new cluster cannot place its streams yet (up to about 30 s). */
        const open = async (): Promise<TelemetryLog> => {
          for (let attempt = 1; ; attempt++) {
            try {
              const log = await JetStreamTelemetryLog.open({
                servers: cluster.urls,
                prefix,
                replicas: 3,
                partitionCount: 1,
              });
              logs.push(log);
              return log;
            } catch (error) {
              if (!(error instanceof LogUnavailableError) || attempt >= 30) throw error;
              await new Promise((resolve) => setTimeout(resolve, 1_000));
            }
          }
        };
        const writer = await open();
        const reader = await open();
        const jsm = await jetstreamManager(nc, { timeout: 10_000 });
        /** Where the reader's consumers live (it keeps one), and the stream's leader. */
        const placement = async (manager: JetStreamManager) => {
          const info = await manager.streams.info(stream);
          const consumers: string[] = [];
          for await (const consumer of manager.consumers.list(stream)) consumers.push(consumer.cluster?.leader ?? '?');
          return { leader: info.cluster?.leader, consumers };
        };
        const readUpTo = async (count: number, from: number) => {
          const seen: number[] = [];
          let offset = from;
          const deadline = Date.now() + 60_000;
          while (seen.length < count) {
            assert.ok(Date.now() < deadline, `read ${seen.length} of ${count} records in 60 s`);
            for (const entry of await reader.fetch(new Map([[0, offset]]), { maxRecords: 100, maxWaitMs: 1_000 })) {
              seen.push(entry.seq);
              offset = entry.offset + 1;
            }
          }
          return seen;
        };
        await writer.append(Array.from({ length: 20 }, (_, i) => record('a', i + 1)));
        assert.deepEqual(
          await readUpTo(20, 0),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        /** Polls the placement until `done` holds (the deletes of dropped consumers take a moment), up to 30 s. */
        const settle = async (done: (p: Awaited<ReturnType<typeof placement>>) => boolean) => {
          let seen = await placement(jsm);
          for (let i = 0; i < 60 && !done(seen); i++) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            seen = await placement(jsm).catch(() => seen);
          }
          return seen;
        };
        // Consumers are placed on any replica; the reader keeps only one on the leader.
        const before = await settle((p) => p.consumers.join() === p.leader);
        assert.deepEqual(before.consumers, [before.leader], JSON.stringify(before));

        await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 10_000 });
        const after = await settle((p) => p.leader !== before.leader && p.consumers.join() === p.leader);
        assert.notEqual(after.leader, before.leader, 'the stream has a new leader');
        assert.deepEqual(after.consumers, [after.leader], `the reader moved its consumer: ${JSON.stringify(after)}`);

        await writer.append(Array.from({ length: 20 }, (_, i) => record('a', i + 21)));
        assert.deepEqual(
          await readUpTo(20, 20),
          Array.from({ length: 20 }, (_, i) => i + 21),
          'and reads on, in order',
        );
      } finally {
        for (const log of logs) await log.close().catch(() => undefined);
        await nc.close().catch(() => undefined);
        await cluster.stop();
      }
    },
  );
});
