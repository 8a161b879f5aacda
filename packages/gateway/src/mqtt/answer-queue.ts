import type { PublishOutcome } from './publish-outcome.js';

/**
 * The PUBLISHes of one connection that have not been answered yet, in arrival order, so that
 * PUBACKs leave in the order the PUBLISHes came [MQTT-4.6.0-2] although appends may settle in any
 * order. A ring buffer of parallel arrays: no allocation per message once it has grown.
 * Each entry is identified by a token (a counter); `packetId` 0 marks a QoS 0 publish (no PUBACK).
 */
export class AnswerQueue {
  private packetIds: number[];
  private outcomes: (PublishOutcome | undefined)[];
  private mask: number;
  private headToken = 0;
  private tailToken = 0;
  /** Entries of QoS 1 (packetId > 0). */
  qos1 = 0;

  constructor(initialCapacity = 16) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.packetIds = new Array<number>(capacity).fill(0);
    this.outcomes = new Array<PublishOutcome | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.tailToken - this.headToken;
  }

  /** Adds an unanswered publish; returns its token. */
  push(packetId: number): number {
    if (this.size > this.mask) this.grow();
    const token = this.tailToken++;
    const i = token & this.mask;
    this.packetIds[i] = packetId;
    this.outcomes[i] = undefined;
    if (packetId > 0) this.qos1++;
    return token;
  }

  /** Records the outcome of `token`; ignored when the entry is gone (the queue was cleared). */
  settle(token: number, outcome: PublishOutcome): void {
    if (token < this.headToken || token >= this.tailToken) return;
    this.outcomes[token & this.mask] = outcome;
  }

  /** The oldest entry's outcome once it is settled; undefined while it is pending or the queue is empty. */
  peekSettled(): PublishOutcome | undefined {
    return this.size === 0 ? undefined : this.outcomes[this.headToken & this.mask];
  }

  /** Packet id of the oldest entry. */
  headPacketId(): number {
    return this.packetIds[this.headToken & this.mask] ?? 0;
  }

  /** Removes the oldest entry. */
  shift(): void {
    if (this.size === 0) return;
    const i = this.headToken & this.mask;
    if ((this.packetIds[i] ?? 0) > 0) this.qos1--;
    this.outcomes[i] = undefined;
    this.headToken++;
  }

  /** Drops every entry; outcomes settling later are ignored. */
  clear(): void {
    this.outcomes.fill(undefined);
    this.headToken = this.tailToken;
    this.qos1 = 0;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const packetIds = new Array<number>(capacity).fill(0);
    const outcomes = new Array<PublishOutcome | undefined>(capacity).fill(undefined);
    const newMask = capacity - 1;
    for (let t = this.headToken; t < this.tailToken; t++) {
      packetIds[t & newMask] = this.packetIds[t & this.mask] ?? 0;
      outcomes[t & newMask] = this.outcomes[t & this.mask];
    }
    this.packetIds = packetIds;
    this.outcomes = outcomes;
    this.mask = newMask;
  }
}
