import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerQueue } from './answer-queue.js';
import type { PublishOutcome } from './publish-outcome.js';

const stored = (seq: number): PublishOutcome => ({ kind: 'stored', boot: '', seq, problems: [] });

describe('AnswerQueue', () => {
  it('releases outcomes in push order only, whatever order they settle in', () => {
    const q = new AnswerQueue(2);
    const tokens = [11, 12, 0, 13, 14].map((id) => q.push(id));
    assert.equal(q.qos1, 4);
    const released: number[] = [];
    const drain = () => {
      while (q.peekSettled() !== undefined) {
        released.push(q.headPacketId());
        q.shift();
      }
    };
    for (const i of [4, 2, 1, 3]) {
      q.settle(tokens[i]!, stored(i));
      drain();
    }
    assert.deepEqual(released, []);
    q.settle(tokens[0]!, stored(0));
    drain();
    assert.deepEqual(released, [11, 12, 0, 13, 14]);
    assert.equal(q.size, 0);
    assert.equal(q.qos1, 0);
  });

  it('ignores outcomes of entries dropped by clear()', () => {
    const q = new AnswerQueue();
    const token = q.push(1);
    q.clear();
    q.settle(token, stored(1));
    assert.equal(q.peekSettled(), undefined);
    assert.equal(q.size, 0);
  });
});
