import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PkiError } from './errors.js';
import { normalizeSerial, randomSerial } from './serial.js';

test('normalizeSerial gives one form for what people and tools print', () => {
  assert.equal(normalizeSerial('00:a1:0b'), 'A10B');
  assert.equal(normalizeSerial(' 0x00ff '), 'FF');
  assert.equal(normalizeSerial('0A 1B'), 'A1B');
  assert.equal(normalizeSerial('000'), '0');
  assert.equal(normalizeSerial('5D81EC5987548CC406C82B55CFA081F7'), '5D81EC5987548CC406C82B55CFA081F7');
  assert.throws(
    () => normalizeSerial('bed-7'),
    (e) => e instanceof PkiError && e.code === 'invalid-serial',
  );
  assert.throws(() => normalizeSerial(''), PkiError);
});

test('a fresh serial is 16 bytes, positive, and already in normalized form', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const serial = randomSerial();
    assert.match(serial, /^[4-7][0-9A-F]{31}$/);
    assert.equal(normalizeSerial(serial), serial);
    seen.add(serial);
  }
  assert.equal(seen.size, 200);
});
