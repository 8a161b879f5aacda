import { hostname } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { WardstreamError } from '@wardstream/domain';

/**
 * What the owner of partitions does when it gains or gives one up. `acquired` starts processing the
 * partition from its committed position; `released` stops it (finishing the batch in hand) and
 * resolves only when nothing more of the partition will be written.
 */
export interface LeaseHandler {
  /** `epoch` grows with every grant of the partition (the lease's revision): a fencing token. */
  acquired(partition: number, epoch: number): Promise<void>;
  /**
   * - `rebalance`: another live member should own it; the lease is deleted after this resolves.
   * - `lost`: the lease could not be renewed in time or was taken; another member may own it already.
   * - `stop`: this member is leaving.
   */
  released(partition: number, reason: LeaseReleaseReason): Promise<void>;
}

export type LeaseReleaseReason = 'rebalance' | 'lost' | 'stop';

export interface PartitionLeasesOptions {
  /** Names the two KV buckets: `<prefix>_LEASES` and `<prefix>_MEMBERS`. */
  readonly prefix: string;
  readonly partitionCount: number;
  /** Unique per running processor (a restarted process is a new member). */
  readonly memberId: string;
  /**
   * A lease or membership not renewed for this long lapses (the buckets' max age, enforced by the
   * server): the time a dead processor's partitions wait before another takes them. Default 10 s.
   */
  readonly ttlMs?: number;
  /** Replicas of the buckets: 3 in a 3-node cluster, 1 on a single server. Default 1. */
  readonly replicas?: number;
}

export interface PartitionLeasesDeps {
  readonly onWarning?: (message: string, err: Error) => void;
  /** Told of every grant and release, for logs and metrics. */
  readonly onChange?: (change: LeaseChange) => void;
}

export type LeaseChange =
  | { readonly kind: 'acquired'; readonly partition: number; readonly epoch: number }
  | { readonly kind: 'released'; readonly partition: number; readonly reason: LeaseReleaseReason };

export const DEFAULT_LEASE_TTL_MS = 10_000;

/** A KV name part: letters, digits, `-` and `_` (NATS stream and key rules). */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

interface Held {
  revision: number;
  /** When the last renewal (or the grant) was confirmed by the server. */
  renewedAt: number;
  /** Fires when the lease must be considered lost (see `armDeadline`). */
  deadline?: NodeJS.Timeout;
}

/**
 * Partition ownership for processors sharing the telemetry log (DESIGN 3.4), on NATS KV:
 *
 * - Each member heartbeats a key in `<prefix>_MEMBERS`; a member that stops heartbeating lapses
 *   after `ttlMs` (the bucket's max age).
 * - Each partition has a lease key in `<prefix>_LEASES`, created by its owner (`create` fails
 *   while another holds it) and renewed by compare-and-set on its revision; a lapsed lease is
 *   removed by the server after `ttlMs`.
 * - Who should own a partition is decided by rendezvous hashing over the live members, which every
 *   member computes alike: members joining or leaving move only the partitions that must move. An
 *   owner gives up a partition that should move (stops it, then deletes the lease); the new owner
 *   takes it when the lease is free.
 * - An owner that cannot renew a lease for `ttlMs` minus one tick stops the partition itself,
 *   before the lease can lapse and be granted to another member.
 *
 * Ownership is therefore exclusive while the clocks' rates agree and a member is not paused longer
 * than a tick; a paused member (SIGSTOP) can overlap with the next owner. The processors are
 * built for it: the store is idempotent on (deviceId, boot, seq) and keeps a checkpoint per
 * partition, so an overlap stores nothing twice and loses nothing.
 */
export class PartitionLeases {
  private readonly held = new Map<number, Held>();
  private readonly ttlMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private liveMembers: string[] = [];

  private constructor(
    private readonly leases: KV,
    private readonly members: KV,
    private readonly options: PartitionLeasesOptions,
    private readonly handler: LeaseHandler,
    private readonly deps: PartitionLeasesDeps,
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.tickMs = Math.max(100, Math.floor(this.ttlMs / 4));
  }

  /** Opens (or creates) the buckets, joins as a member and starts taking partitions. */
  static async start(
    connection: NatsConnection,
    options: PartitionLeasesOptions,
    handler: LeaseHandler,
    deps: PartitionLeasesDeps = {},
  ): Promise<PartitionLeases> {
    const problems = checkOptions(options);
    if (problems.length > 0) {
      throw new WardstreamError('INVALID_INPUT', `invalid partition lease options: ${problems.join('; ')}`);
    }
    const kvm = new Kvm(connection);
    const bucket = { ttl: options.ttlMs ?? DEFAULT_LEASE_TTL_MS, replicas: options.replicas ?? 1, history: 1 };
    const leases = await kvm.create(`${options.prefix}_LEASES`, bucket);
    const members = await kvm.create(`${options.prefix}_MEMBERS`, bucket);
    // An existing bucket keeps its settings whatever `create` is given: a TTL or replica count that
    // differs would make leases lapse at another time than this member counts on.
    const jsm = await jetstreamManager(connection);
    const mismatches: string[] = [];
    for (const name of [`${options.prefix}_LEASES`, `${options.prefix}_MEMBERS`]) {
      const { config } = await jsm.streams.info(`KV_${name}`);
      const ttlMs = Math.round(config.max_age / 1_000_000);
      if (ttlMs !== bucket.ttl) mismatches.push(`bucket ${name} lapses after ${ttlMs} ms, not ${bucket.ttl}`);
      if (config.num_replicas !== bucket.replicas) {
        mismatches.push(`bucket ${name} has ${config.num_replicas} replicas, not ${bucket.replicas}`);
      }
    }
    if (mismatches.length > 0) {
      throw new WardstreamError(
        'CONFLICT',
        `partition leases: ${mismatches.join('; ')}: every processor must use the same --lease-ttl-ms and --replicas (or delete the buckets while no processor runs)`,
      );
    }
    const self = new PartitionLeases(leases, members, options, handler, deps);
    await self.tick();
    self.schedule();
    return self;
  }

  /** The partitions this member holds now, ascending. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether this member may still act for `partition`: it holds the lease and its last renewal is
   * recent enough that the lease cannot have lapsed on the server (read from the clock now, so it
   * is right even after the process was paused).
   */
  holds(partition: number): boolean {
    const held = this.held.get(partition);
    return held !== undefined && !this.stopped && Date.now() - held.renewedAt < this.ttlMs - this.tickMs;
  }

  /** The members seen alive at the last tick, sorted. */
  memberIds(): readonly string[] {
    return this.liveMembers;
  }

  /** Stops every partition held, deletes the leases and the membership, so others take over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    for (const partition of this.owned()) await this.giveUp(partition, 'stop', true);
    await this.members.delete(this.memberKey()).catch((err: unknown) => this.warn('could not leave the members', err));
  }

  /**
   * For crash tests: stops renewing without releasing anything, as a killed process would; the
   * leases lapse after the TTL. The handler is not told.
   */
  abandon(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const held of this.held.values()) clearTimeout(held.deadline);
    this.held.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err: unknown) => this.warn('lease round failed; retrying', err))
        .finally(() => this.schedule());
    }, this.tickMs);
  }

  private async tick(): Promise<void> {
    await this.heartbeat();
    await this.renew();
    this.liveMembers = await this.readMembers();
    const wanted = new Set(
      range(this.options.partitionCount).filter((p) => ownerOf(p, this.liveMembers) === this.options.memberId),
    );
    for (const partition of this.owned()) {
      if (!wanted.has(partition) && !this.stopped) await this.giveUp(partition, 'rebalance', true);
    }
    for (const partition of wanted) {
      if (!this.held.has(partition) && !this.stopped) await this.take(partition);
    }
  }

  private async heartbeat(): Promise<void> {
    const value = JSON.stringify({ host: hostname(), pid: process.pid, at: Date.now() });
    await this.members.put(this.memberKey(), value).catch((err: unknown) => this.warn('heartbeat failed', err));
  }

  private async readMembers(): Promise<string[]> {
    const ids: string[] = [];
    for await (const key of await this.members.keys()) ids.push(key.slice('m.'.length));
    // Until the server lists our own heartbeat, count ourselves in: we are alive.
    if (!ids.includes(this.options.memberId)) ids.push(this.options.memberId);
    return ids.sort();
  }

  /** Renews every lease held, at once; a lease not renewed in time is given up before it can lapse. */
  private async renew(): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([partition, held]) => {
        try {
          held.revision = await this.leases.update(leaseKey(partition), this.leaseValue(), held.revision, this.tickMs);
          held.renewedAt = Date.now();
          this.armDeadline(partition, held);
        } catch (err) {
          if (isWrongRevision(err)) {
            await this.giveUp(partition, 'lost', false);
            return;
          }
          this.warn(`could not renew the lease of partition ${partition}`, err);
          if (Date.now() - held.renewedAt >= this.ttlMs - this.tickMs) await this.giveUp(partition, 'lost', false);
        }
      }),
    );
  }

  /**
   * Stops the partition when its lease was last confirmed a TTL minus one tick ago, whatever the
   * rounds are doing (a renewal stuck on a NATS timeout, a slow start of another partition).
   */
  private armDeadline(partition: number, held: Held): void {
    clearTimeout(held.deadline);
    const left = held.renewedAt + this.ttlMs - this.tickMs - Date.now();
    held.deadline = setTimeout(
      () => {
        if (this.held.get(partition) !== held || this.stopped) return;
        this.warn(`the lease of partition ${partition} was not renewed in time`, new Error('lease deadline passed'));
        void this.giveUp(partition, 'lost', false);
      },
      Math.max(0, left),
    );
    held.deadline.unref();
  }

  private async take(partition: number): Promise<void> {
    let revision: number;
    try {
      revision = await this.leases.create(leaseKey(partition), this.leaseValue());
    } catch (err) {
      if (!isWrongRevision(err) && !isExists(err)) this.warn(`could not take the lease of partition ${partition}`, err);
      return; // still held by another member, which gives it up when it sees the membership
    }
    const held: Held = { revision, renewedAt: Date.now() };
    this.held.set(partition, held);
    this.armDeadline(partition, held);
    try {
      await this.handler.acquired(partition, revision);
      this.deps.onChange?.({ kind: 'acquired', partition, epoch: revision });
    } catch (err) {
      this.warn(`could not start partition ${partition}; giving its lease back`, err);
      clearTimeout(held.deadline);
      this.held.delete(partition);
      await this.leases
        .delete(leaseKey(partition), { previousSeq: revision })
        .catch((e: unknown) => this.warn('could not give a lease back', e));
    }
  }

  /** Stops the partition through the handler, then (when still ours) deletes its lease. */
  private async giveUp(partition: number, reason: LeaseReleaseReason, deleteLease: boolean): Promise<void> {
    const held = this.held.get(partition);
    if (held === undefined) return;
    clearTimeout(held.deadline);
    this.held.delete(partition);
    try {
      await this.handler.released(partition, reason);
    } catch (err) {
      this.warn(`stopping partition ${partition} failed`, err);
    }
    this.deps.onChange?.({ kind: 'released', partition, reason });
    if (!deleteLease) return;
    await this.leases
      .delete(leaseKey(partition), { previousSeq: held.revision })
      .catch((err: unknown) => this.warn(`could not delete the lease of partition ${partition}`, err));
  }

  private leaseValue(): string {
    return JSON.stringify({ owner: this.options.memberId, at: Date.now() });
  }

  private memberKey(): string {
    return `m.${this.options.memberId}`;
  }

  private warn(message: string, err: unknown): void {
    this.deps.onWarning?.(message, err instanceof Error ? err : new Error(String(err)));
  }
}

function leaseKey(partition: number): string {
  return `p.${partition}`;
}

/** Rendezvous (highest random weight) hashing: the member with the largest hash of (member, partition). */
export function ownerOf(partition: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const weight = fnv1a(`${member}\u0000${partition}`);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche so that similar member names spread over partitions.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

function isWrongRevision(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}

function isExists(err: unknown): boolean {
  return err instanceof Error && /exists/i.test(err.message);
}

function checkOptions(options: PartitionLeasesOptions): string[] {
  const problems: string[] = [];
  if (!NAME.test(options.prefix)) problems.push('prefix must be 1-64 letters, digits, - or _');
  if (!NAME.test(options.memberId)) problems.push('memberId must be 1-64 letters, digits, - or _');
  if (!Number.isInteger(options.partitionCount) || options.partitionCount < 1 || options.partitionCount > 1024) {
    problems.push('partitionCount must be an integer in 1..1024');
  }
  const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  if (!Number.isInteger(ttl) || ttl < 1000 || ttl > 600_000) problems.push('ttlMs must be an integer in 1000..600000');
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) problems.push('replicas must be an integer in 1..5');
  return problems;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
