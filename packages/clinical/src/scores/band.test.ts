import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandPoints, bandProblem, type Band } from './band.js';
import {
  PULSE_BANDS,
  RESPIRATION_RATE_BANDS,
  SPO2_SCALE_1_BANDS,
  SPO2_SCALE_2_AIR_BANDS,
  SPO2_SCALE_2_OXYGEN_BANDS,
  SYSTOLIC_BP_BANDS,
  TEMPERATURE_BANDS,
} from './news2-chart.js';

describe('bands', () => {
  it('takes the bound of an upTo band and leaves the bound of a below band to the next', () => {
    const bands: Band[] = [
      { below: 35, points: 2 },
      { upTo: 38.4, points: 0 },
      { upTo: Infinity, points: 1 },
    ];
    assert.equal(bandPoints(bands, 34.9), 2);
    assert.equal(bandPoints(bands, 35), 0);
    assert.equal(bandPoints(bands, 38.4), 0);
    assert.equal(bandPoints(bands, 38.5), 1);
    assert.equal(bandPoints(bands, -1e9), 2);
    assert.throws(() => bandPoints(bands, NaN), RangeError);
  });

  it('accepts every NEWS2 chart 1 table', () => {
    for (const bands of [RESPIRATION_RATE_BANDS, SPO2_SCALE_1_BANDS, SPO2_SCALE_2_AIR_BANDS, PULSE_BANDS])
      assert.equal(bandProblem(bands, 0), null);
    for (const bands of [SPO2_SCALE_2_OXYGEN_BANDS, SYSTOLIC_BP_BANDS]) assert.equal(bandProblem(bands, 0), null);
    assert.equal(bandProblem(TEMPERATURE_BANDS, 1), null);
  });

  it('names what is wrong with a table', () => {
    const problems: [Band[], number, RegExp][] = [
      [[], 0, /no bands/],
      [[{ upTo: 10, points: 1 }], 0, /values above it are not covered/],
      [
        [
          { upTo: 10, points: 1 },
          { upTo: 5, points: 0 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /ascending/,
      ],
      [
        [
          { upTo: 10, points: 1 },
          { upTo: 10, points: 0 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /ascending/,
      ],
      [
        [
          { upTo: 10, points: 1 },
          { below: 10, points: 0 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /ascending/,
      ],
      [
        [
          { upTo: Infinity, points: 1 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /only the last band/,
      ],
      [
        [
          { upTo: 38.45, points: 1 },
          { upTo: Infinity, points: 0 },
        ],
        1,
        /finer than the precision/,
      ],
      [
        [
          { upTo: 38, points: 1.5 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /points/,
      ],
      [
        [
          { upTo: 38, points: -1 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /points/,
      ],
      [
        [
          { upTo: NaN, points: 1 },
          { upTo: Infinity, points: 0 },
        ],
        0,
        /bound must be a number/,
      ],
    ];
    for (const [bands, decimals, message] of problems) assert.match(bandProblem(bands, decimals) ?? 'null', message);
  });

  it('allows a band of a single value: below x then upTo x', () => {
    const bands: Band[] = [
      { below: 10, points: 1 },
      { upTo: 10, points: 2 },
      { upTo: Infinity, points: 3 },
    ];
    assert.equal(bandProblem(bands, 0), null);
    assert.deepEqual(
      [9, 10, 11].map((v) => bandPoints(bands, v)),
      [1, 2, 3],
    );
  });
});
