import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogUnavailableError } from '../errors.js';
import type { AppendRequest } from '../telemetry-log.js';
import { FaultInjectingFileSystem } from './fault-injecting-file-system.js';
import { errnoCode, nodeFileSystem } from './file-system.js';
import type { FileTelemetryLog } from './file-telemetry-log.js';
import { eventually, keyOf, readAll, records, tempLog } from './test-support.js';

function rejectsWith(code: string): (error: unknown) => boolean {
  return (error) => error instanceof LogUnavailableError && errnoCode(error.cause) === code;
}

function unavailableReason(log: FileTelemetryLog): string {
  const state = log.status().state;
  return state.kind === 'unavailable' ? state.reason : 'ok';
}

/** Appends in several concurrent calls, as devices do; resolves what each call did. */
function appendConcurrently(log: FileTelemetryLog, batch: AppendRequest[]): Promise<PromiseSettledResult<unknown>[]> {
  const calls = [];
  for (let i = 0; i < batch.length; i += 5) calls.push(log.append(batch.slice(i, i + 5)));
  return Promise.allSettled(calls);
}

describe('FileTelemetryLog write faults', () => {
  it('stops acknowledging on ENOSPC and EIO, repairs itself, and keeps exactly what it acknowledged', async () => {
    const fs = new FaultInjectingFileSystem();
    const storage = await tempLog({ fileSystem: fs, recoveryIntervalMs: 5, partitionCount: 3 });
    let log = await storage.open();
    const acknowledged: AppendRequest[] = [];
    const refused: AppendRequest[] = [];
    try {
      const a = [...records('a', 1, 10), ...records('b', 1, 10), ...records('c', 1, 10)];
      await log.append(a);
      acknowledged.push(...a);
      const endsBefore = log.status().endOffsets;

      fs.writeFault = 'ENOSPC';
      const b = [...records('a', 11, 10), ...records('b', 11, 10)];
      const results = await appendConcurrently(log, b);
      refused.push(...b);
      for (const result of results) {
        assert.equal(result.status, 'rejected');
        assert.ok(rejectsWith('ENOSPC')(result.reason));
      }
      assert.match(unavailableReason(log), /^ENOSPC on write of .*\.seg$/);
      const c = records('c', 11, 5);
      await assert.rejects(log.append(c), LogUnavailableError);
      refused.push(...c);
      assert.deepEqual(log.status().endOffsets, endsBefore, 'nothing refused became readable');
      assert.deepEqual((await readAll(log)).map(keyOf).sort(), acknowledged.map(keyOf).sort());

      fs.writeFault = undefined;
      await eventually(() => log.status().state.kind === 'ok');
      const d = records('a', 21, 10);
      const dOutcomes = await log.append(d);
      acknowledged.push(...d);
      const aPartition = dOutcomes[0]?.kind === 'appended' ? dOutcomes[0].partition : -1;
      assert.deepEqual(
        dOutcomes.map((o) => [o.kind, o.kind === 'retired' ? undefined : o.offset]),
        d.map((_, i) => ['appended', (endsBefore.get(aPartition) ?? 0) + i]),
        'offsets continue after the last acknowledged record',
      );

      fs.datasyncFault = 'EIO';
      const e = [...records('b', 21, 10), ...records('c', 21, 10)];
      for (const result of await appendConcurrently(log, e)) {
        assert.equal(result.status, 'rejected');
        assert.ok(rejectsWith('EIO')(result.reason));
      }
      refused.push(...e);
      fs.datasyncFault = undefined;
      await eventually(() => log.status().state.kind === 'ok');
      const f = [...records('b', 31, 5), ...records('c', 31, 5)];
      await log.append(f);
      acknowledged.push(...f);
      assert.deepEqual(fs.fsyncRetries, [], 'no fdatasync was retried on a handle whose fdatasync failed');
      assert.ok(fs.failures.length > 0);
    } finally {
      await log.close();
    }
    try {
      log = await storage.open({ fileSystem: nodeFileSystem() });
      assert.equal(log.status().truncatedBytes, 0, 'the repair cut the failed bytes before reopen');
      const stored = (await readAll(log)).map(keyOf);
      assert.equal(new Set(stored).size, stored.length, 'nothing stored twice');
      assert.deepEqual([...stored].sort(), acknowledged.map(keyOf).sort(), 'all acknowledged, none refused');
      const retried = await log.append(refused);
      assert.ok(
        retried.every((o) => o.kind === 'appended'),
        'refused keys were never in the index',
      );
      await log.close();
    } finally {
      await storage.cleanup();
    }
  });

  it('stays unavailable while the fault lasts and names the failing operation', async () => {
    const fs = new FaultInjectingFileSystem();
    const storage = await tempLog({ fileSystem: fs, recoveryIntervalMs: 1, partitionCount: 1 });
    const log = await storage.open();
    try {
      await log.append(records('a', 1, 3));
      fs.datasyncFault = 'EIO';
      await assert.rejects(log.append(records('a', 4, 3)), rejectsWith('EIO'));
      const reason = (): string => unavailableReason(log);
      assert.match(reason(), /^EIO on fdatasync of .*\.seg$/);
      await eventually(() => reason().includes('recovering'));
      assert.match(reason(), /^EIO on truncate of .*\.seg \(recovering\)$/);
      fs.datasyncFault = undefined;
      await eventually(() => log.status().state.kind === 'ok');
      assert.deepEqual(await log.append(records('a', 4, 1)), [{ kind: 'appended', partition: 0, offset: 3 }]);
      assert.deepEqual(fs.fsyncRetries, []);
    } finally {
      await log.close();
      await storage.cleanup();
    }
  });
});
