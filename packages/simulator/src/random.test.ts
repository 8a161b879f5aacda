import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from './random.js';

test('the same seed gives the same sequence, another seed another one', () => {
  const a = new Random('42');
  const b = new Random('42');
  const c = new Random('43');
  const seqA = Array.from({ length: 20 }, () => a.next());
  assert.deepEqual(
    seqA,
    Array.from({ length: 20 }, () => b.next()),
  );
  assert.notDeepEqual(
    seqA,
    Array.from({ length: 20 }, () => c.next()),
  );
});

test('a fork depends on the seed and its label, not on how far the parent has drawn', () => {
  const a = new Random('s');
  const b = new Random('s');
  b.next();
  b.normal();
  assert.equal(a.fork('x').next(), b.fork('x').next());
  assert.notEqual(a.fork('x').next(), a.fork('y').next());
});

test('uniform and normal variates have the right moments', () => {
  const r = new Random('moments');
  const n = 20_000;
  const u = Array.from({ length: n }, () => r.next());
  assert.ok(u.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(u.reduce((s, x) => s + x, 0) / n - 0.5) < 0.01);
  const z = Array.from({ length: n }, () => r.normal());
  const mean = z.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
});

test('int, pick and token stay within their bounds', () => {
  const r = new Random('bounds');
  for (let i = 0; i < 1000; i++) {
    const k = r.int(3, 7);
    assert.ok(Number.isInteger(k) && k >= 3 && k < 7);
  }
  assert.throws(() => r.pick([]), RangeError);
  assert.match(r.token(6), /^[0-9a-z]{6}$/);
});
