import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineFromNumerics, parseNumericsCsv } from './bidmc.js';
import { loadNumericsRecords } from './bidmc-files.js';
import { Random } from './random.js';

const CSV = 'Time [s], HR, PULSE, RESP, SpO2\n0,80,79,16,97\n1,82,NaN,18,NaN\n2,84,81,17,99\n';

test('numerics parse by header, skipping NaN cells', () => {
  const r = parseNumericsCsv('bidmc_x', CSV);
  assert.deepEqual(r.heartRateBpm, [80, 82, 84]);
  assert.deepEqual(r.pulseRateBpm, [79, 81]);
  assert.deepEqual(r.spo2Percent, [97, 99]);
  assert.throws(() => parseNumericsCsv('bad', 'Time, HR\n0,1\n'), /lacks PULSE, RESP, SpO2/);
});

test('a BIDMC baseline takes the record levels and names its source', () => {
  const b = baselineFromNumerics(parseNumericsCsv('bidmc_x', CSV), new Random('b'));
  assert.equal(b.source, 'bidmc_x');
  assert.equal(b.heartRateBpm, 82);
  assert.equal(b.spo2Percent, 98);
  assert.equal(b.respRatePerMin, 17);
  assert.equal(b.pulseOffsetBpm, 80 - 82);
  assert.ok(b.diastolicMmHg < b.systolicMmHg);
});

test('the package data folder holds the BIDMC numerics copies', async () => {
  const records = await loadNumericsRecords();
  assert.equal(records.length, 8);
  for (const r of records) {
    assert.match(r.name, /^bidmc_\d\d$/);
    assert.equal(r.heartRateBpm.length, 481);
  }
});
