import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Catalogue } from '@wardstream/domain';
import { ChannelError, planChannels } from './channel-map.js';
import { parseSignalsCsv, readRecording, RecordingError, type Recording } from './recording.js';

/** MIT-BIH record 100 and Challenge 2015 record v102s, as packages/ecg keeps them. */
const MITDB_100 = fileURLToPath(new URL('../../../ecg/test-data/mitdb/100.hea', import.meta.url));
const V102S = fileURLToPath(new URL('../../../ecg/test-data/challenge2015/v102s', import.meta.url));

/** The first lines of a BIDMC `*_Signals.csv` (PhysioNet bidmc 1.0.0), 125 Hz. */
const BIDMC_CSV = `Time [s], RESP, PLETH, V, AVR, II
0,0.35386,0.43597,0.52101,0.30499,0.68475
0.008,0.35679,0.43206,0.50929,0.30303,0.70235
0.016,0.35972,0.42815,0.50147,0.30108,0.71505

0.024,0.36266,0.42424,0.49365,0.29912,0.72483
0.032,0.36559,0.42033,0.48583,0.29619,0.73071
`;

const catalogue = new Catalogue();

function csvError(text: string, message: RegExp, fsHz?: number): void {
  assert.throws(
    () => parseSignalsCsv(text, 'rec', 'rec.csv', fsHz),
    (err: unknown) => err instanceof RecordingError && message.test(err.message),
  );
}

describe('wardstream replay: recordings', () => {
  it('reads a BIDMC signals CSV: rate from the time column, channels without the time, blank lines skipped', () => {
    const rec = parseSignalsCsv(BIDMC_CSV, 'bidmc_01_Signals', 'bidmc_01_Signals.csv');
    assert.equal(rec.fsHz, 125);
    assert.equal(rec.length, 5);
    assert.deepEqual(
      rec.channels.map((c) => [c.name, c.unit]),
      [
        ['RESP', undefined],
        ['PLETH', undefined],
        ['V', undefined],
        ['AVR', undefined],
        ['II', undefined],
      ],
    );
    assert.deepEqual(Array.from(rec.channels[4]!.samples), [0.68475, 0.70235, 0.71505, 0.72483, 0.73071]);
  });

  it('takes units in brackets, times in ms, and --fs without a time column', () => {
    const rec = parseSignalsCsv('t [ms],II [uV],PLETH\n0,100,1\n4,-200,2\n8,300,3\n', 'r', 'r.csv');
    assert.equal(rec.fsHz, 250);
    assert.deepEqual(
      rec.channels.map((c) => [c.name, c.unit]),
      [
        ['II', 'uV'],
        ['PLETH', undefined],
      ],
    );
    const noTime = parseSignalsCsv('II\n0.1\n0.2\n', 'r', 'r.csv', 360);
    assert.deepEqual([noTime.fsHz, noTime.length], [360, 2]);
  });

  it('refuses a CSV it cannot replay exactly, naming the line and column', () => {
    csvError('', /rec.csv: the file is empty/);
    csvError('Time [s],II\n', /no samples after the header/);
    csvError('II\n0.1\n', /no time column \(e.g. "Time \[s\]"\): give the sampling rate with --fs HZ/);
    csvError('Time [s],II\n0,1\n0.004,\n', /rec.csv:3: II is "", not a number \(gaps cannot be replayed\)/);
    csvError('Time [s],II\n0,1\n0.004,NaN\n', /rec.csv:3: II is "NaN"/);
    csvError('Time [s],II\n0,1\n0.004,1,2\n', /rec.csv:3: 3 fields, but the header names 2/);
    csvError(
      'Time [s],II\n0,1\n0.004,1\n0.008,1\n0.020,1\n0.024,1\n',
      /rec.csv:4: time 0.008 s is off the .* grid.*irregular sampling/,
    );
    csvError('Time [h],II\n0,1\n1,1\n', /time unit "h" is not understood/);
    csvError('Time [s],,II\n0,1,1\n', /column 2 has no name/);
  });

  it('reads a WFDB record in physical units, and refuses --fs for it', async () => {
    const rec = await readRecording(MITDB_100);
    assert.deepEqual([rec.name, rec.fsHz, rec.length], ['100', 360, 650_000]);
    assert.deepEqual(
      rec.channels.map((c) => [c.name, c.unit]),
      [
        ['MLII', 'mV'],
        ['V5', 'mV'],
      ],
    );
    // 100.dat starts with ADC 995 and 1011 against a baseline of 1024, 200 ADC units per mV.
    assert.equal(rec.channels[0]!.samples[0], -0.145);
    assert.equal(rec.channels[1]!.samples[0], -0.065);
    await assert.rejects(readRecording(MITDB_100, 250), /--fs applies to CSV recordings only/);
    await assert.rejects(readRecording('/nonexistent/100'), (err: unknown) => err instanceof RecordingError);
  });

  it('maps channel names to waveform codes, skipping and naming the ones without a code', async () => {
    const plan = planChannels(await readRecording(MITDB_100), catalogue);
    assert.deepEqual(
      plan.channels.map((c) => [c.name, c.code, c.unit]),
      [['MLII', 'MDC_ECG_ELEC_POTL_II', 'mV']],
    );
    assert.deepEqual(
      plan.skipped.map((s) => s.name),
      ['V5'],
    );
    assert.match(plan.skipped[0]!.reason, /no waveform code .* --map NAME=CODE/);
    const mapped = planChannels(await readRecording(MITDB_100), catalogue, { map: new Map([['V5', 'ecg_i']]) });
    assert.deepEqual(
      mapped.channels.map((c) => [c.name, c.code]),
      [
        ['MLII', 'MDC_ECG_ELEC_POTL_II'],
        ['V5', 'MDC_ECG_ELEC_POTL_I'],
      ],
    );
  });

  it('sends pleth in NU as the dimensionless 1, and a CSV column without unit in the code’s unit', async () => {
    const v102s = planChannels(await readRecording(V102S), catalogue);
    assert.deepEqual(
      v102s.channels.map((c) => [c.name, c.code, c.unit]),
      [
        ['II', 'MDC_ECG_ELEC_POTL_II', 'mV'],
        ['PLETH', 'MDC_PULS_OXIM_PLETH', '1'],
      ],
    );
    assert.deepEqual(
      v102s.skipped.map((s) => s.name),
      ['V', 'RESP'],
    );
    assert.match(v102s.notes.join('\n'), /PLETH: unit "NU" sent as 1/);
    const bidmc = planChannels(parseSignalsCsv(BIDMC_CSV, 'b', 'b.csv'), catalogue);
    assert.deepEqual(
      bidmc.channels.map((c) => [c.name, c.code, c.unit]),
      [
        ['PLETH', 'MDC_PULS_OXIM_PLETH', '1'],
        ['II', 'MDC_ECG_ELEC_POTL_II', 'mV'],
      ],
    );
  });

  it('refuses channel choices it cannot honour', async () => {
    const rec: Recording = await readRecording(MITDB_100);
    const refuses = (choice: Parameters<typeof planChannels>[2], message: RegExp) =>
      assert.throws(
        () => planChannels(rec, catalogue, choice),
        (err: unknown) => err instanceof ChannelError && message.test(err.message),
      );
    refuses({ only: ['V5'] }, /channel V5: no waveform code/);
    refuses({ only: ['II'] }, /--channels names "II", which 100 does not have \(it has MLII, V5\)/);
    refuses(
      { map: new Map([['V5', 'hr']]) },
      /--map V5=hr: MDC_ECG_HEART_RATE is not a waveform code \(waveform codes: /,
    );
    refuses({ map: new Map([['V5', 'nope']]) }, /--map V5=nope: not a known code/);
    refuses({ map: new Map([['V5', 'ecg_ii']]) }, /channels MLII and V5 would both be sent as MDC_ECG_ELEC_POTL_II/);
    const odd = parseSignalsCsv('II [mmHg]\n1\n', 'odd', 'odd.csv', 100);
    assert.throws(
      () => planChannels(odd, catalogue),
      /nothing to replay in odd \(II: unit "mmHg" cannot be sent as MDC_ECG_ELEC_POTL_II \(accepted: mV, uV, V\)\)/,
    );
  });
});
