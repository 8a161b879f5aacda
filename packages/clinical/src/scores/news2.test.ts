import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { news2Monitoring, news2Risk, scoreNews2, type News2Input, type News2Parameter } from './news2.js';
import { NORMAL_NEWS2_INPUT } from '../testing/news2-inputs.js';

const NORMAL = NORMAL_NEWS2_INPUT;

function subscore(parameter: News2Parameter, change: Partial<News2Input>): number {
  return scoreNews2({ ...NORMAL, ...change }).subscores[parameter];
}

/** `value:points` pairs, read like the chart: '8:3 9:1' is 8 → 3 points, 9 → 1 point. */
function pairs(text: string): [number, number][] {
  return text.split(' ').map((pair) => {
    const [value = '', points = ''] = pair.split(':');
    return [Number(value), Number(points)];
  });
}

/** Both sides of every band edge of NEWS2 (RCP 2017) chart 1. */
const EDGES: { parameter: News2Parameter; field: keyof News2Input; context?: Partial<News2Input>; edges: string }[] = [
  { parameter: 'respirationRate', field: 'respirationRate', edges: '8:3 9:1 11:1 12:0 20:0 21:2 24:2 25:3' },
  { parameter: 'pulse', field: 'pulse', edges: '40:3 41:1 50:1 51:0 90:0 91:1 110:1 111:2 130:2 131:3' },
  { parameter: 'systolicBP', field: 'systolicBP', edges: '90:3 91:2 100:2 101:1 110:1 111:0 219:0 220:3' },
  { parameter: 'temperature', field: 'temperatureC', edges: '35.0:3 35.1:1 36.0:1 36.1:0 38.0:0 38.1:1 39.0:1 39.1:2' },
  {
    parameter: 'spo2',
    field: 'spo2',
    context: { spo2Scale: 1, onOxygen: false },
    edges: '91:3 92:2 93:2 94:1 95:1 96:0',
  },
  {
    parameter: 'spo2',
    field: 'spo2',
    context: { spo2Scale: 1, onOxygen: true },
    edges: '91:3 92:2 93:2 94:1 95:1 96:0',
  },
  {
    parameter: 'spo2',
    field: 'spo2',
    context: { spo2Scale: 2, onOxygen: false },
    edges: '83:3 84:2 85:2 86:1 87:1 88:0 92:0 93:0 94:0 95:0 96:0 97:0',
  },
  {
    parameter: 'spo2',
    field: 'spo2',
    context: { spo2Scale: 2, onOxygen: true },
    edges: '83:3 84:2 85:2 86:1 87:1 88:0 92:0 93:1 94:1 95:2 96:2 97:3',
  },
];

describe('NEWS2 chart 1', () => {
  for (const { parameter, field, context = {}, edges } of EDGES) {
    it(`scores ${field} ${JSON.stringify(context)} on both sides of every band edge`, () => {
      for (const [value, points] of pairs(edges))
        assert.equal(subscore(parameter, { ...context, [field]: value }), points, `${field} ${value}`);
    });
  }

  it('rounds inputs half up to the chart precision before scoring', () => {
    assert.equal(subscore('respirationRate', { respirationRate: 24.5 }), 3);
    assert.equal(subscore('respirationRate', { respirationRate: 24.49 }), 2);
    assert.equal(subscore('respirationRate', { respirationRate: 8.5 }), 1);
    assert.equal(subscore('temperature', { temperatureC: 35.05 }), 1);
    assert.equal(subscore('temperature', { temperatureC: 35.04 }), 3);
    assert.equal(subscore('temperature', { temperatureC: 38.04 }), 0);
    assert.equal(subscore('temperature', { temperatureC: 38.05 }), 1);
    assert.equal(subscore('temperature', { temperatureC: 36.05 }), 0);
    assert.equal(subscore('spo2', { spo2: 95.5 }), 0);
    assert.equal(subscore('spo2', { spo2: 91.5 }), 2);
    assert.equal(subscore('pulse', { pulse: 90.5 }), 1);
    assert.equal(subscore('systolicBP', { systolicBP: 219.5 }), 3);
    assert.equal(subscore('systolicBP', { systolicBP: 100.5 }), 1);
  });

  it('adds 2 for supplemental oxygen on either scale', () => {
    const scale1 = scoreNews2({ ...NORMAL, onOxygen: true });
    assert.equal(scale1.subscores.airOrOxygen, 2);
    assert.equal(scale1.aggregate, 2);
    const scale2 = scoreNews2({ ...NORMAL, spo2Scale: 2, spo2: 90, onOxygen: true });
    assert.equal(scale2.subscores.spo2, 0);
    assert.equal(scale2.subscores.airOrOxygen, 2);
    assert.equal(scoreNews2({ ...NORMAL, spo2Scale: 2, spo2: 90 }).subscores.airOrOxygen, 0);
  });

  it('scores ACVPU: alert 0, new confusion, voice, pain and unresponsive 3', () => {
    assert.equal(subscore('consciousness', { consciousness: 'A' }), 0);
    for (const consciousness of ['C', 'V', 'P', 'U'] as const)
      assert.equal(subscore('consciousness', { consciousness }), 3);
  });

  it('reaches the maximum aggregate of 20', () => {
    const worst = scoreNews2({
      respirationRate: 30,
      spo2: 80,
      spo2Scale: 1,
      onOxygen: true,
      systolicBP: 80,
      pulse: 150,
      consciousness: 'U',
      temperatureC: 34,
    });
    assert.equal(worst.aggregate, 20);
    assert.equal(worst.clinicalRisk, 'high');
    assert.equal(worst.response, 'emergency response');
    assert.equal(worst.monitoring, 'continuous');
  });

  it('refuses values outside their type instead of scoring them', () => {
    assert.throws(() => scoreNews2({ ...NORMAL, pulse: NaN }), /pulse must be a finite number/);
    assert.throws(() => scoreNews2({ ...NORMAL, consciousness: 'X' as 'A' }), /consciousness must be one of/);
    assert.throws(() => scoreNews2({ ...NORMAL, spo2Scale: 3 as 1 }), /spo2Scale must be 1 or 2/);
  });
});

describe('NEWS2 chart 2 and chart 4', () => {
  it('bands the aggregate: 0–4 low, single 3 below 5 low-medium, 5–6 medium, 7+ high', () => {
    const cases: [number, boolean, string][] = [
      [0, false, 'low'],
      [4, false, 'low'],
      [3, true, 'low-medium'],
      [4, true, 'low-medium'],
      [5, false, 'medium'],
      [5, true, 'medium'],
      [6, true, 'medium'],
      [7, false, 'high'],
      [7, true, 'high'],
      [20, true, 'high'],
    ];
    for (const [aggregate, single3, risk] of cases) assert.equal(news2Risk(aggregate, single3), risk, `${aggregate}`);
    assert.throws(() => news2Risk(-1, false), RangeError);
    assert.throws(() => news2Risk(2.5, false), RangeError);
    assert.throws(() => news2Risk(NaN, false), RangeError);
  });

  it('scores a single 3 with aggregate < 5 low-medium and with aggregate ≥ 5 medium', () => {
    const single3 = scoreNews2({ ...NORMAL, pulse: 35 });
    assert.deepEqual([single3.aggregate, single3.anySingleParameter3, single3.clinicalRisk], [3, true, 'low-medium']);
    assert.equal(single3.response, 'urgent ward-based response');
    assert.equal(single3.monitoring, 'at least hourly');
    const withMore = scoreNews2({ ...NORMAL, pulse: 35, respirationRate: 22 });
    assert.deepEqual([withMore.aggregate, withMore.anySingleParameter3, withMore.clinicalRisk], [5, true, 'medium']);
    assert.equal(withMore.response, 'urgent response (key threshold)');
  });

  it('gives the monitoring frequency of chart 4', () => {
    assert.equal(scoreNews2(NORMAL).monitoring, 'at least 12-hourly');
    assert.equal(scoreNews2(NORMAL).response, 'ward-based response');
    assert.equal(news2Monitoring(1, false), 'at least 4–6-hourly');
    assert.equal(news2Monitoring(4, false), 'at least 4–6-hourly');
    assert.equal(news2Monitoring(3, true), 'at least hourly');
    assert.equal(news2Monitoring(6, false), 'at least hourly');
    assert.equal(news2Monitoring(7, false), 'continuous');
  });
});
