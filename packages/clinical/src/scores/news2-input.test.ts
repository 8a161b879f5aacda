import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNews2Input } from './news2-input.js';
import { NORMAL_NEWS2_INPUT } from '../testing/news2-inputs.js';

const VALID: Record<string, unknown> = { ...NORMAL_NEWS2_INPUT };

function rejects(value: unknown): { field: string | null; message: string } {
  const result = parseNews2Input(value);
  if (result.ok) assert.fail(`accepted ${JSON.stringify(value)}`);
  return { field: result.field, message: result.message };
}

describe('parseNews2Input', () => {
  it('accepts a complete input, fractional numbers included', () => {
    assert.deepEqual(parseNews2Input(VALID), { ok: true, input: VALID });
    assert.equal(parseNews2Input({ ...VALID, respirationRate: 24.5, temperatureC: 35.05 }).ok, true);
    for (const consciousness of ['A', 'C', 'V', 'P', 'U'])
      assert.equal(parseNews2Input({ ...VALID, consciousness }).ok, true);
    assert.equal(parseNews2Input({ ...VALID, spo2Scale: 2, onOxygen: true }).ok, true);
  });

  it('rejects each missing field, naming it', () => {
    for (const field of Object.keys(VALID)) {
      const { [field]: _absent, ...rest } = VALID;
      const error = rejects(rest);
      assert.equal(error.field, field);
      assert.match(error.message, /^missing; expected /);
    }
  });

  it('rejects a wrong type in each field, saying what was expected', () => {
    const wrong: Record<string, [unknown, RegExp]> = {
      respirationRate: ['16', /expected breaths per minute from 0 to 100, got "16"/],
      spo2: [null, /expected SpO2 in % from 0 to 100, got null/],
      spo2Scale: ['1', /expected SpO2 scale 1 or 2, got "1"/],
      onOxygen: ['yes', /expected true \(on oxygen\) or false \(on air\), got "yes"/],
      systolicBP: [[120], /expected systolic BP in mmHg from 0 to 300, got an array/],
      pulse: [{ bpm: 70 }, /expected pulse per minute from 0 to 300, got an object/],
      consciousness: ['a', /expected ACVPU "A", "C", "V", "P" or "U", got "a"/],
      temperatureC: [true, /expected temperature in °C from 25 to 45, got true/],
    };
    for (const [field, [value, message]] of Object.entries(wrong)) {
      const error = rejects({ ...VALID, [field]: value });
      assert.equal(error.field, field);
      assert.match(error.message, message);
    }
  });

  it('rejects values out of range or not finite', () => {
    const outOfRange: [string, unknown][] = [
      ['respirationRate', -1],
      ['respirationRate', 101],
      ['spo2', -0.5],
      ['spo2', 100.4],
      ['spo2Scale', 3],
      ['spo2Scale', 1.5],
      ['systolicBP', -10],
      ['systolicBP', 301],
      ['pulse', -1],
      ['pulse', 301],
      ['temperatureC', 24.9],
      ['temperatureC', 45.1],
      ['temperatureC', 98.6],
      ['pulse', NaN],
      ['pulse', Infinity],
    ];
    for (const [field, value] of outOfRange) {
      const error = rejects({ ...VALID, [field]: value });
      assert.equal(error.field, field, `${field} ${String(value)}`);
      assert.match(error.message, /^expected /);
    }
    assert.match(rejects({ ...VALID, temperatureC: 98.6 }).message, /got 98\.6$/);
    assert.equal(parseNews2Input({ ...VALID, temperatureC: 25, spo2: 0, pulse: 300 }).ok, true);
  });

  it('names an unknown field before anything else', () => {
    const error = rejects({ ...VALID, diastolicBP: 60 });
    assert.equal(error.field, 'diastolicBP');
    assert.match(error.message, /^unknown field; expected only respirationRate, spo2, /);
    assert.equal(rejects({ respRate: 16 }).field, 'respRate');
    assert.equal(rejects(JSON.parse('{"__proto__": {}, "pulse": 70}')).field, '__proto__');
  });

  it('checks fields in a fixed order, so the error does not depend on the key order', () => {
    assert.equal(rejects({ ...VALID, temperatureC: 'hot', respirationRate: -1 }).field, 'respirationRate');
    const reversed = { temperatureC: 'hot', consciousness: 'A', pulse: 'x', systolicBP: 120, onOxygen: 1 };
    assert.equal(rejects({ ...reversed, spo2Scale: 1, spo2: 101, respirationRate: 16 }).field, 'spo2');
    assert.equal(rejects({}).field, 'respirationRate');
  });

  it('rejects what is not an object, with no field', () => {
    for (const value of [null, 42, 'text', [VALID], undefined]) {
      const error = rejects(value);
      assert.equal(error.field, null);
      assert.match(error.message, /^expected a JSON object of observations/);
    }
  });
});
