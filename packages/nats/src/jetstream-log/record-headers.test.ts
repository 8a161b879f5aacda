import assert from 'node:assert/strict';
import { it } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { consumerKey } from './names.js';
import { MSG_ID_HEADER, messageId, readRecordHeaders, recordHeaders } from './record-headers.js';

void it('message ids of distinct keys differ even when the ids hold the separator', () => {
  const keys: [string, string, number][] = [
    ['a:b', 'c', 1],
    ['a', 'b:c', 1],
    ['a', 'b', 1],
    ['a:b:c', '', 1],
    ['a', 'b:1', 0],
  ];
  const ids = keys.map(([d, b, s]) => messageId(d, b, s));
  assert.equal(new Set(ids).size, keys.length, ids.join(' '));
});

void it('reads back the key and the exact content hash from a message’s headers', () => {
  for (const contentHash of [0, -0, 1.5, -42, 2 ** 53 - 1]) {
    const h = recordHeaders(contentHash);
    h.set(MSG_ID_HEADER, messageId('dév:1', ' boot ', 7));
    const read = readRecordHeaders(h);
    assert.ok('key' in read);
    assert.deepEqual(read.key, { deviceId: 'dév:1', boot: ' boot ', seq: 7 });
    assert.ok(Object.is(read.contentHash, contentHash));
  }
  assert.ok('problem' in readRecordHeaders(undefined));
  assert.ok('problem' in readRecordHeaders(headers()));
});

void it('gives consumers whose names differ only in separators distinct KV keys', () => {
  const names = ['a.b', 'a_b', 'a=2Eb', 'a b', 'a/b', 'ä.b', 'a-b'];
  const keys = names.map((n) => consumerKey(n, 0));
  assert.equal(new Set(keys).size, names.length, keys.join(' '));
  assert.ok(
    keys.every((k) => /^[-_=A-Za-z0-9]+\.0$/.test(k)),
    keys.join(' '),
  );
});
