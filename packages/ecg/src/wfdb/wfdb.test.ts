import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isBeatAnnotation } from './annotations.js';
import { parseHeader, WfdbError } from './header.js';
import { readWfdbAnnotations, readWfdbRecord } from './record.js';
import { readReferenceBeats } from './reference-beats.js';
import { decodeSignals, wfdbChecksum } from './signal.js';

const MITDB = new URL('../../test-data/mitdb/', import.meta.url).pathname;
const CHALLENGE = new URL('../../test-data/challenge2015/', import.meta.url).pathname;

test('record 100 (format 212, two channels): checksums, initial values and length equal its header', async () => {
  const record = await readWfdbRecord(`${MITDB}100`);
  assert.equal(record.fsHz, 360);
  assert.equal(record.length, 650_000);
  assert.deepEqual(
    record.channels.map((c) => [c.spec.description, c.spec.format, c.spec.gain, c.spec.baseline, c.spec.units]),
    [
      ['MLII', 212, 200, 1024, 'mV'],
      ['V5', 212, 200, 1024, 'mV'],
    ],
  );
  for (const channel of record.channels) {
    assert.equal(wfdbChecksum(channel.adc), channel.spec.checksum, `checksum of ${channel.spec.description}`);
    assert.equal(channel.adc[0], channel.spec.initialValue, `initial value of ${channel.spec.description}`);
  }
  // First samples of record 100 as rdsamp prints them (MLII, V5): 995 1011, 995 1011, 995 1011,
  // 995 1011, 995 1011, 995 1011, 995 1011, 995 1011, 1000 1008, 997 1008.
  assert.deepEqual([...record.channels[0]!.adc.subarray(0, 10)], [995, 995, 995, 995, 995, 995, 995, 995, 1000, 997]);
  assert.deepEqual(
    [...record.channels[1]!.adc.subarray(0, 10)],
    [1011, 1011, 1011, 1011, 1011, 1011, 1011, 1011, 1008, 1008],
  );
  assert.equal(record.channels[0]!.physical[0], (995 - 1024) / 200);
});

test('format 16 records decode to their header checksums; 102 is re-encoded from the same source as 100', async () => {
  for (const name of ['102', '105', '106', '116', '119']) {
    const record = await readWfdbRecord(`${MITDB}${name}_ch0.hea`);
    const channel = record.channels[0]!;
    assert.equal(channel.spec.format, 16);
    assert.equal(record.length, 650_000, name);
    assert.equal(wfdbChecksum(channel.adc), channel.spec.checksum, `checksum of ${name}`);
    assert.equal(channel.adc[0], channel.spec.initialValue, `initial value of ${name}`);
  }
});

test('format 212 with gain/units and zero baseline (Challenge 2015 v102s, four signals)', async () => {
  const record = await readWfdbRecord(`${CHALLENGE}v102s`);
  assert.equal(record.fsHz, 250);
  assert.equal(record.length, 75_000);
  assert.deepEqual(
    record.channels.map((c) => [c.spec.description, c.spec.gain, c.spec.baseline, c.spec.units]),
    [
      ['II', 2281, 0, 'mV'],
      ['V', 1856, 0, 'mV'],
      ['PLETH', 1250, 0, 'NU'],
      ['RESP', 38880, 0, 'NU'],
    ],
  );
  for (const channel of record.channels) assert.equal(wfdbChecksum(channel.adc), channel.spec.checksum);
});

test('format 212 decodes negative 12-bit values and an odd sample count', () => {
  // samples -1, 2047, -2048 packed as 212: (0xff, 0x7f|0xf, 0xff) then (0x00, 0x08, pad)
  const bytes = Uint8Array.from([0xff, 0x7f, 0xff, 0x00, 0x08, 0x00]);
  const [signal] = decodeSignals(bytes, 212, 1, 3);
  assert.deepEqual([...signal!], [-1, 2047, -2048]);
});

test('100.atr decodes to the same annotations as the decoded CSV', async () => {
  const annotations = await readWfdbAnnotations(`${MITDB}100`);
  const csv = (await readFile(`${MITDB}100_atr_decoded.csv`, 'utf8')).trim().split('\n').slice(1);
  assert.equal(annotations.length, csv.length);
  csv.forEach((line, i) => {
    const [sample, , symbol, aux] = line.split(',');
    assert.equal(annotations[i]!.sample, Number(sample), `sample of annotation ${i}`);
    assert.equal(annotations[i]!.symbol, symbol, `symbol of annotation ${i}`);
    assert.equal(annotations[i]!.aux, aux ?? '', `aux of annotation ${i}`);
  });
  assert.equal(annotations.filter(isBeatAnnotation).length, 2273);
});

test('reference beats: the .atr file and the CSV give the same 2273 beats for record 100', async () => {
  const fromAtr = await readReferenceBeats(`${MITDB}100.atr`);
  const fromCsv = await readReferenceBeats(`${MITDB}100_all.csv`);
  assert.equal(fromAtr.length, 2273);
  assert.deepEqual(fromAtr, fromCsv);
});

test('header errors name the line and the problem', () => {
  assert.throws(
    () => parseHeader('rec 1 360 100\nrec.dat 8 200\n', 'rec.hea'),
    (e: unknown) => {
      assert.ok(e instanceof WfdbError);
      assert.match(e.message, /rec\.hea:2: signal format 8 is not supported/);
      return true;
    },
  );
  assert.throws(() => parseHeader('rec 2 360\nrec.dat 16\n', 'rec.hea'), /names 2 signals but 1 signal lines follow/);
  assert.throws(() => parseHeader('rec/3 2 360\n', 'rec.hea'), /multi-segment/);
});
