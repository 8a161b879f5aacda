import { partitionFor } from '../partition.js';
import type { AppendOutcome, AppendRequest } from '../telemetry-log.js';
import type { CommitGroup } from './commit-group.js';
import type { LogFileSystem } from './file-system.js';
import type { GroupWriter } from './group-writer.js';
import { idempotencyKey, type IdempotencyIndex } from './idempotency-index.js';
import { locateKeys } from './locate-keys.js';
import type { PartitionLog } from './partition-log.js';

/** What the appender works with. */
export interface AppenderDeps {
  readonly fs: LogFileSystem;
  readonly partitions: readonly PartitionLog[];
  readonly index: IdempotencyIndex;
  readonly writer: GroupWriter;
  /** Throws `LogClosedError` once the log is closing. */
  readonly assertOpen: () => void;
}

function judge(stored: { partition: number; offset: number; contentHash: number }, contentHash: number): AppendOutcome {
  const kind = Object.is(stored.contentHash, contentHash) ? 'duplicate' : 'conflict';
  return { kind, partition: stored.partition, offset: stored.offset };
}

const keyOf = (r: AppendRequest): string => idempotencyKey(r.deviceId, r.boot, r.seq);

/**
 * Decides, record by record, between appending and answering from the idempotency index:
 * - a key being written (in flight) waits for that write, then is judged again;
 * - a key in the index within the conflict window is a duplicate or a conflict at once;
 * - an older retained key is located by a scan of segment headers, then judged;
 * - a key only retired (its record deleted by retention) is answered `retired`, not appended;
 * - any other key is staged into the current commit group, in request order.
 * Resolves once every record it staged is durable; rejects with the group's error if one fails.
 */
export class Appender {
  constructor(private readonly deps: AppenderDeps) {}

  async append(records: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const { index, writer } = this.deps;
    const partitionCount = this.deps.partitions.length;
    const outcomes = new Array<AppendOutcome>(records.length);
    let pending = records.map((_, i) => i);
    while (pending.length > 0) {
      const groups = new Set<CommitGroup>();
      const waits = new Set<Promise<void>>();
      const retry: number[] = [];
      const old: number[] = [];
      for (const i of pending) {
        const request = records[i];
        if (request === undefined) continue;
        const key = keyOf(request);
        const inFlight = writer.inFlight.get(key);
        if (inFlight !== undefined) {
          waits.add(inFlight.group.settled);
          retry.push(i);
          continue;
        }
        const known = index.lookup(request.deviceId, request.boot, request.seq);
        switch (known.kind) {
          case 'recent':
            outcomes[i] = judge(known, request.contentHash);
            break;
          case 'retained':
            old.push(i);
            break;
          case 'retired':
            outcomes[i] = { kind: 'retired' };
            break;
          case 'absent': {
            this.deps.assertOpen();
            const staged = writer.stage(request, key, partitionFor(request.key, partitionCount));
            groups.add(staged.group);
            outcomes[i] = { kind: 'appended', partition: staged.partition, offset: staged.offset };
            break;
          }
        }
      }
      if (old.length > 0) retry.push(...(await this.judgeOld(records, old, outcomes)));
      await Promise.all([...groups].map((group) => group.done));
      if (retry.length > 0) {
        await Promise.all(waits);
        writer.assertWritable();
      }
      pending = retry;
    }
    return outcomes;
  }

  /** Keys older than the conflict window: their hash and position come from the segments. */
  private async judgeOld(
    records: readonly AppendRequest[],
    old: number[],
    outcomes: AppendOutcome[],
  ): Promise<number[]> {
    const requests = old.flatMap((i) => records[i] ?? []);
    const partitionCount = this.deps.partitions.length;
    const keys = new Set(requests.map(keyOf));
    const preferred = new Set(requests.map((r) => partitionFor(r.key, partitionCount)));
    const found = await locateKeys(this.deps.fs, this.deps.partitions, keys, preferred);
    const retry: number[] = [];
    for (const i of old) {
      const request = records[i];
      if (request === undefined) continue;
      const location = found.get(keyOf(request));
      if (location !== undefined) {
        outcomes[i] = judge(location, request.contentHash);
        continue;
      }
      // Not on disk any more (deleted by retention meanwhile): the index must not claim it; judged
      // again, it is then retired (retention retires keys before it unlinks their segment).
      this.deps.index.delete(request.deviceId, request.boot, request.seq);
      retry.push(i);
    }
    return retry;
  }
}
