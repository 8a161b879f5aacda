import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ownerOf, PartitionLeases, type LeaseHandler, type LeaseReleaseReason } from './partition-leases.js';

const NATS_URL = 'nats://127.0.0.1:4222';
const PARTITIONS = 8;
const TTL_MS = 2_000;

/** Records every grant and release, and fails the test if two members ever hold one partition at once. */
class Ownership {
  readonly holder = new Map<number, string>();
  readonly overlaps: string[] = [];
  readonly releases: { member: string; partition: number; reason: LeaseReleaseReason }[] = [];

  handler(member: string): LeaseHandler {
    return {
      acquired: (partition) => {
        const other = this.holder.get(partition);
        if (other !== undefined) this.overlaps.push(`${member} took ${partition} while ${other} held it`);
        this.holder.set(partition, member);
        return Promise.resolve();
      },
      released: (partition, reason) => {
        if (this.holder.get(partition) === member) this.holder.delete(partition);
        this.releases.push({ member, partition, reason });
        return Promise.resolve();
      },
    };
  }

  heldBy(member: string): number[] {
    return [...this.holder].filter(([, m]) => m === member).map(([p]) => p);
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void describe('PartitionLeases (NATS KV, against the local server)', () => {
  let nc: NatsConnection;
  const prefixes: string[] = [];
  const started: PartitionLeases[] = [];
  const prefix = () => {
    const p = `WS_TEST_${randomBytes(4).toString('hex')}`;
    prefixes.push(p);
    return p;
  };
  const start = async (p: string, member: string, ownership: Ownership) => {
    const leases = await PartitionLeases.start(
      nc,
      { prefix: p, partitionCount: PARTITIONS, memberId: member, ttlMs: TTL_MS },
      ownership.handler(member),
    );
    started.push(leases);
    return leases;
  };

  before(async () => {
    nc = await connect({ servers: NATS_URL });
  });
  after(async () => {
    for (const l of started) await l.stop().catch(() => undefined);
    const jsm = await jetstreamManager(nc);
    for (const p of prefixes) {
      for (const b of ['LEASES', 'MEMBERS']) await jsm.streams.delete(`KV_${p}_${b}`).catch(() => undefined);
    }
    await nc.close();
  });

  void it('a lone member takes every partition; a second one joining takes its share, with never two owners at once', async () => {
    const p = prefix();
    const ownership = new Ownership();
    const a = await start(p, 'member-a', ownership);
    await until('member-a holds every partition', () => ownership.heldBy('member-a').length === PARTITIONS);
    const b = await start(p, 'member-b', ownership);
    const expectedB = hashShare('member-b', ['member-a', 'member-b']);
    assert.ok(expectedB.length > 0 && expectedB.length < PARTITIONS, 'the hash splits 8 partitions between two');
    await until('member-b holds its share', () => ownership.heldBy('member-b').length === expectedB.length);
    assert.deepEqual(ownership.heldBy('member-b').sort(), expectedB);
    assert.deepEqual(b.owned(), expectedB);
    assert.equal(a.owned().length + b.owned().length, PARTITIONS);
    assert.deepEqual(ownership.overlaps, []);
    assert.ok(ownership.releases.every((r) => r.member === 'member-a' && r.reason === 'rebalance'));
  });

  void it('refuses to join buckets whose TTL differs from its own', async () => {
    const p = prefix();
    const ownership = new Ownership();
    await start(p, 'member-a', ownership);
    await assert.rejects(
      PartitionLeases.start(
        nc,
        { prefix: p, partitionCount: PARTITIONS, memberId: 'member-b', ttlMs: TTL_MS * 2 },
        ownership.handler('member-b'),
      ),
      { code: 'CONFLICT', message: new RegExp(`lapses after ${TTL_MS} ms, not ${TTL_MS * 2}`) },
    );
  });

  void it('a member that leaves hands its partitions over at once; one that dies loses them after the TTL', async () => {
    const p = prefix();
    const ownership = new Ownership();
    await start(p, 'member-a', ownership);
    const b = await start(p, 'member-b', ownership);
    const c = await start(p, 'member-c', ownership);
    const three = ['member-a', 'member-b', 'member-c'];
    await until('the three members hold what the hash gives each', () =>
      three.every((m) => sameSet(ownership.heldBy(m), hashShare(m, three))),
    );
    await b.stop();
    await until(
      'member-b is gone and its partitions are held by others',
      () => [...ownership.holder.values()].every((m) => m !== 'member-b') && ownership.holder.size === PARTITIONS,
    );
    // A crash: member-c stops renewing without releasing; its leases lapse on the server.
    const orphaned = ownership.heldBy('member-c');
    c.abandon();
    for (const partition of orphaned) ownership.holder.delete(partition); // the dead member holds nothing
    await until('member-a took the dead member’s partitions', () => ownership.heldBy('member-a').length === PARTITIONS);
    assert.deepEqual(ownership.overlaps, []);
  });
});

/** The partitions rendezvous hashing gives `member` among `members`. */
function hashShare(member: string, members: readonly string[]): number[] {
  return Array.from({ length: PARTITIONS }, (_, i) => i).filter((i) => ownerOf(i, members) === member);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
