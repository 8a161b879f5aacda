import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WardstreamError } from '@wardstream/domain';
import { ByteWriter } from './byte-buffer.js';
import { decodeChunk, encodeChunk } from './chunk-codec.js';
import { ExactSum } from './exact-sum.js';
import { decodeNumbers, encodeNumbers } from './number-column.js';
import { SampleBuffer } from './samples.js';
import { SeqSet } from './seq-set.js';

/** A deterministic pseudo-random sequence (tests must not depend on luck). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const corrupt = (err: unknown) => err instanceof WardstreamError && err.code === 'CORRUPT';

describe('number columns', () => {
  test('give back the same float64 bits, whatever the values', () => {
    const next = random(7);
    const columns: number[][] = [
      [72, 72, 72],
      [36.6, 36.7, 36.65, 98.25, -0.125],
      [0.1 + 0.2, 1 / 3, Math.PI, -Math.E],
      [1_764_000_000_000, 1_764_000_001_000, 1_763_999_999_999.5],
      [-0, 0, -0],
      [Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_SAFE_INTEGER, 2 ** 60],
      [NaN, Infinity, -Infinity, 1],
      Array.from({ length: 500 }, () => Math.round(next() * 1e6) / 1e3),
      Array.from({ length: 500 }, () => (next() - 0.5) * 1e-300),
      [],
    ];
    for (const values of columns) {
      const decoded = Array.from(decodeNumbers(encodeNumbers(values)));
      assert.equal(decoded.length, values.length);
      values.forEach((v, i) => assert.ok(Object.is(decoded[i], v), `${v} came back as ${decoded[i]}`));
    }
  });

  test('store epoch milliseconds and one-decimal values in about two bytes each', () => {
    const times = Array.from({ length: 1_000 }, (_, i) => 1_764_000_000_000 + i * 1_000);
    const temps = Array.from({ length: 1_000 }, (_, i) => 36 + (i % 30) / 10);
    assert.ok(encodeNumbers(times).length < 2.1 * 1_000);
    assert.ok(encodeNumbers(temps).length < 1.1 * 1_000);
  });
});

describe('exact sums', () => {
  test('are correctly rounded and independent of order and grouping', () => {
    const sum = (values: number[]) => {
      const s = new ExactSum();
      for (const v of values) s.add(v);
      return s;
    };
    assert.equal(sum([1e100, 1, -1e100]).value(), 1);
    assert.equal(sum(Array.from({ length: 10 }, () => 0.1)).value(), 1);
    const next = random(3);
    const values = Array.from({ length: 2_000 }, () => (next() - 0.3) * 10 ** Math.floor(next() * 20));
    const whole = sum(values).value();
    const reversed = sum([...values].reverse()).value();
    const grouped = new ExactSum();
    for (let i = 0; i < values.length; i += 37) grouped.addParts(sum(values.slice(i, i + 37)).parts());
    assert.equal(reversed, whole);
    assert.equal(grouped.value(), whole);
  });
});

describe('seq sets', () => {
  test('hold exactly the seqs added, in few intervals, across encode and decode', () => {
    const next = random(11);
    const set = new SeqSet();
    const reference = new Set<number>();
    for (let i = 0; i < 5_000; i++) {
      const seq = i < 3_000 ? i : Math.floor(next() * 10_000);
      assert.equal(set.add(seq), !reference.has(seq));
      reference.add(seq);
    }
    const decoded = SeqSet.decode(set.encode(), 'test');
    for (const s of [set, decoded]) {
      assert.equal(s.size, reference.size);
      for (let seq = -1; seq < 10_001; seq++) assert.equal(s.has(seq), reference.has(seq), `seq ${seq}`);
    }
    assert.ok(set.intervals < reference.size / 2);
  });

  test('refuse a flipped byte', () => {
    const set = new SeqSet();
    for (let seq = 1; seq < 100; seq += 2) set.add(seq);
    const bytes = set.encode();
    bytes[2] = (bytes[2] ?? 0) ^ 1;
    assert.throws(() => SeqSet.decode(bytes, 'test'), corrupt);
  });
});

describe('chunks', () => {
  test('round-trip every column, with several boots and units', () => {
    const buffer = new SampleBuffer(4);
    const next = random(5);
    for (let i = 0; i < 300; i++) {
      const at = 1_764_000_000_000 + Math.floor(next() * 3_600_000);
      buffer.add(at, next() * 200, at + 40, i, i % 16, i % 50 === 0 ? 'b2' : 'b1', i % 7 === 0 ? '%' : '/min');
    }
    const encoded = encodeChunk(buffer, 10, 290, new ByteWriter());
    const chunk = decodeChunk(encoded.data, 'test');
    assert.equal(chunk.length, 280);
    for (let i = 0; i < 280; i++) {
      const j = i + 10;
      assert.equal(chunk.observedAt[i], buffer.observedAt[j]);
      assert.equal(chunk.value[i], buffer.value[j]);
      assert.equal(chunk.receivedAt[i], buffer.receivedAt[j]);
      assert.equal(chunk.seq[i], buffer.seq[j]);
      assert.equal(chunk.quality[i], buffer.quality[j]);
      assert.equal(chunk.boots[chunk.bootId[i]!], buffer.boots[buffer.bootId[j]!]);
      assert.equal(chunk.units[chunk.unitId[i]!], buffer.units[buffer.unitId[j]!]);
    }
    assert.equal(encoded.startAt, buffer.observedAt[10]);
    assert.equal(encoded.endAt, buffer.observedAt[289]);
    assert.deepEqual(
      [...buffer.observedAt.subarray(0, 300)],
      [...buffer.observedAt.subarray(0, 300)].sort((a, b) => a - b),
    );
  });

  test('refuse a flipped byte', () => {
    const buffer = new SampleBuffer();
    buffer.add(1, 2, 3, 4, 0, 'b', 'u');
    const data = Uint8Array.from(encodeChunk(buffer, 0, 1, new ByteWriter()).data);
    data[1] = (data[1] ?? 0) ^ 4;
    assert.throws(() => decodeChunk(data, 'test'), corrupt);
  });
});
