import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdempotencyIndex } from './idempotency-index.js';

describe('IdempotencyIndex', () => {
  it('remembers hash and position for the last `window` messages of a device, and presence for all', () => {
    const index = new IdempotencyIndex(3);
    for (let seq = 1; seq <= 5; seq++) index.add('d', 'b1', seq, seq * 10, 2, 100 + seq);
    assert.deepEqual(index.lookup('d', 'b1', 5), { kind: 'recent', contentHash: 50, partition: 2, offset: 105 });
    assert.deepEqual(index.lookup('d', 'b1', 3), { kind: 'recent', contentHash: 30, partition: 2, offset: 103 });
    assert.deepEqual(index.lookup('d', 'b1', 2), { kind: 'retained' });
    assert.deepEqual(index.lookup('d', 'b1', 6), { kind: 'absent' });
    assert.deepEqual(index.lookup('d', 'b2', 5), { kind: 'absent' });
    assert.deepEqual(index.lookup('e', 'b1', 5), { kind: 'absent' });
  });

  it('keeps boots apart and forgets deleted keys', () => {
    const index = new IdempotencyIndex(8);
    index.add('d', 'b1', 1, 11, 0, 0);
    index.add('d', 'b2', 1, 21, 0, 1);
    assert.equal(index.lookup('d', 'b1', 1).kind, 'recent');
    index.delete('d', 'b1', 1);
    assert.deepEqual(index.lookup('d', 'b1', 1), { kind: 'absent' });
    assert.deepEqual(index.lookup('d', 'b2', 1), { kind: 'recent', contentHash: 21, partition: 0, offset: 1 });
  });

  it('finds the newest copy of a key appended again after its deletion', () => {
    const index = new IdempotencyIndex(8);
    index.add('d', 'b1', 1, 11, 0, 0);
    index.delete('d', 'b1', 1);
    index.add('d', 'b1', 1, 12, 1, 40);
    assert.deepEqual(index.lookup('d', 'b1', 1), { kind: 'recent', contentHash: 12, partition: 1, offset: 40 });
  });

  it('answers `retired` for a key only the retired set holds; a retained key wins', () => {
    const retired = {
      has: (deviceId: string, boot: string, seq: number) => deviceId === 'd' && boot === '' && seq <= 5,
    };
    const index = new IdempotencyIndex(8, retired);
    index.add('d', '', 5, 55, 0, 9);
    assert.deepEqual(index.lookup('d', '', 4), { kind: 'retired' });
    assert.deepEqual(index.lookup('d', '', 5), { kind: 'recent', contentHash: 55, partition: 0, offset: 9 });
    assert.deepEqual(index.lookup('d', '', 6), { kind: 'absent' });
    assert.deepEqual(index.lookup('d', 'b2', 4), { kind: 'absent' });
    index.delete('d', '', 5);
    assert.deepEqual(index.lookup('d', '', 5), { kind: 'retired' });
  });
});
