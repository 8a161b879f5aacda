import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMewsTable, scoreMews, SUBBE_MEWS, type MewsInput } from './mews.js';

const NORMAL: MewsInput = { systolicBP: 120, heartRate: 70, respirationRate: 12, temperatureC: 37, consciousness: 'A' };

/** `value:points` pairs, read like the table: '70:3 71:2' is 70 → 3 points, 71 → 2 points. */
function pairs(text: string): [number, number][] {
  return text.split(' ').map((pair) => {
    const [value = '', points = ''] = pair.split(':');
    return [Number(value), Number(points)];
  });
}

/** Both sides of every edge of Subbe's table (QJM 2001): input field, subscore, pairs. */
const EDGES: [keyof MewsInput, string, string][] = [
  ['systolicBP', 'systolicBP', '70:3 71:2 80:2 81:1 100:1 101:0 199:0 200:2'],
  ['heartRate', 'heartRate', '40:2 41:1 50:1 51:0 100:0 101:1 110:1 111:2 129:2 130:3'],
  ['respirationRate', 'respirationRate', '8:2 9:0 14:0 15:1 20:1 21:2 29:2 30:3'],
  ['temperatureC', 'temperature', '34.9:2 35.0:0 38.4:0 38.5:2'],
];

/** Subbe's table as a user would write it in JSON. */
const SUBBE_JSON = {
  name: 'Subbe',
  source: 'QJM 2001;94:521-526',
  parameters: {
    systolicBP: [
      { upTo: 70, points: 3 },
      { upTo: 80, points: 2 },
      { upTo: 100, points: 1 },
      { upTo: 199, points: 0 },
      { points: 2 },
    ],
    heartRate: [
      { upTo: 40, points: 2 },
      { upTo: 50, points: 1 },
      { upTo: 100, points: 0 },
      { upTo: 110, points: 1 },
      { upTo: 129, points: 2 },
      { points: 3 },
    ],
    respirationRate: [
      { below: 9, points: 2 },
      { upTo: 14, points: 0 },
      { upTo: 20, points: 1 },
      { upTo: 29, points: 2 },
      { points: 3 },
    ],
    temperatureC: [{ below: 35, points: 2 }, { upTo: 38.4, points: 0 }, { points: 2 }],
  },
  consciousness: { A: 0, V: 1, P: 2, U: 3 },
};

describe('MEWS (Subbe 2001)', () => {
  for (const [field, subscore, edges] of EDGES) {
    it(`scores ${field} on both sides of every band edge`, () => {
      for (const [value, points] of pairs(edges))
        assert.equal(scoreMews({ ...NORMAL, [field]: value }).subscores[subscore], points, `${field} ${value}`);
    });
  }

  it('rounds half up first: whole numbers, 0.1 °C', () => {
    assert.equal(scoreMews({ respirationRate: 8.5 }).subscores.respirationRate, 0);
    assert.equal(scoreMews({ respirationRate: 8.49 }).subscores.respirationRate, 2);
    assert.equal(scoreMews({ temperatureC: 34.95 }).subscores.temperature, 0);
    assert.equal(scoreMews({ temperatureC: 38.45 }).subscores.temperature, 2);
    assert.equal(scoreMews({ temperatureC: 38.44 }).subscores.temperature, 0);
    assert.equal(scoreMews({ systolicBP: 100.5 }).subscores.systolicBP, 0);
  });

  it('scores AVPU and leaves new confusion unscored rather than guess', () => {
    const points = (['A', 'V', 'P', 'U'] as const).map((c) => scoreMews({ consciousness: c }).subscores.consciousness);
    assert.deepEqual(points, [0, 1, 2, 3]);
    const confused = scoreMews({ ...NORMAL, consciousness: 'C' });
    assert.equal(confused.subscores.consciousness, null);
    assert.deepEqual(confused.missing, ['consciousness']);
    assert.equal(confused.complete, false);
  });

  it('sums a complete score and lists what is missing from a partial one', () => {
    const sick = scoreMews({
      systolicBP: 75,
      heartRate: 120,
      respirationRate: 25,
      temperatureC: 39,
      consciousness: 'V',
    });
    assert.deepEqual([sick.value, sick.complete, sick.missing], [2 + 2 + 2 + 2 + 1, true, []]);
    const partial = scoreMews({ heartRate: 135 });
    assert.deepEqual([partial.value, partial.complete], [3, false]);
    assert.deepEqual(partial.missing, ['systolicBP', 'respirationRate', 'temperature', 'consciousness']);
    assert.throws(() => scoreMews({ heartRate: NaN }), RangeError);
  });
});

describe('parseMewsTable', () => {
  it('reads Subbe as JSON into the same table as SUBBE_MEWS', () => {
    const table = parseMewsTable(SUBBE_JSON);
    assert.deepEqual(table.parameters, SUBBE_MEWS.parameters);
    assert.deepEqual(table.consciousness, SUBBE_MEWS.consciousness);
    assert.deepEqual(table.precision, SUBBE_MEWS.precision);
    assert.deepEqual(scoreMews(NORMAL, table), scoreMews(NORMAL));
  });

  it('scores by a hospital variant', () => {
    const variant = parseMewsTable({
      ...SUBBE_JSON,
      name: 'variant',
      parameters: {
        ...SUBBE_JSON.parameters,
        temperatureC: [{ below: 35, points: 2 }, { upTo: 38, points: 0 }, { points: 2 }],
      },
      consciousness: { A: 0, C: 3, V: 3, P: 3, U: 3 },
      precision: { temperatureC: 0 },
    });
    assert.equal(scoreMews({ consciousness: 'C' }, variant).subscores.consciousness, 3);
    assert.equal(scoreMews({ temperatureC: 34.5 }, variant).subscores.temperature, 0);
    assert.equal(scoreMews({ temperatureC: 34.4 }, variant).subscores.temperature, 2);
    assert.equal(scoreMews({ temperatureC: 38.5 }, variant).subscores.temperature, 2);
    assert.equal(variant.precision.heartRate, 0);
  });

  it('rejects a broken table with a RangeError naming the problem', () => {
    const withBands = (temperatureC: unknown) => ({
      ...SUBBE_JSON,
      parameters: { ...SUBBE_JSON.parameters, temperatureC },
    });
    const broken: [unknown, RegExp][] = [
      [null, /the table must be an object/],
      [{ ...SUBBE_JSON, name: '' }, /name must be a non-empty string/],
      [{ ...SUBBE_JSON, source: undefined }, /source must be a non-empty string/],
      [{ ...SUBBE_JSON, colour: 'red' }, /the table has an unknown key "colour"/],
      [{ ...SUBBE_JSON, parameters: { ...SUBBE_JSON.parameters, spo2: [] } }, /parameters has an unknown key "spo2"/],
      [withBands(undefined), /parameters.temperatureC must be a list of bands/],
      [withBands([]), /parameters.temperatureC: has no bands/],
      [
        withBands([
          { below: 35, points: 2 },
          { upTo: 38.4, points: 0 },
        ]),
        /temperatureC: the bands end at 38.4: values above it are not covered/,
      ],
      [withBands([{ upTo: 38.4, points: 0 }, { below: 35, points: 2 }, { points: 2 }]), /band 1: .*ascending/],
      [withBands([{ upTo: 35, points: 2 }, { upTo: 35, points: 0 }, { points: 2 }]), /band 1: .*ascending/],
      [withBands([{ points: 2 }, { upTo: 38.4, points: 0 }, { points: 2 }]), /\[0\] has no bound; only the last/],
      [withBands([{ upTo: 38.45, points: 0 }, { points: 2 }]), /finer than the precision/],
      [withBands([{ upTo: 35, below: 35, points: 2 }, { points: 2 }]), /has both upTo and below/],
      [withBands([{ upTo: '35', points: 2 }, { points: 2 }]), /bound must be a finite number/],
      [withBands([{ upTo: 35, points: 2.5 }, { points: 2 }]), /points must be a non-negative integer/],
      [withBands([{ upTo: 35, pts: 2 }, { points: 2 }]), /\[0\] has an unknown key "pts"/],
      [{ ...SUBBE_JSON, consciousness: { A: 0, X: 1 } }, /consciousness has an unknown key "X"/],
      [{ ...SUBBE_JSON, consciousness: { A: -1 } }, /consciousness.A must be a non-negative integer/],
      [{ ...SUBBE_JSON, consciousness: undefined }, /consciousness must be an object/],
      [{ ...SUBBE_JSON, precision: { pulse: 0 } }, /precision has an unknown key "pulse"/],
      [{ ...SUBBE_JSON, precision: { heartRate: 0.5 } }, /precision.heartRate must be a whole number/],
    ];
    for (const [json, message] of broken)
      assert.throws(
        () => parseMewsTable(json),
        (err) => err instanceof RangeError && message.test(err.message),
      );
  });
});
