import assert from 'node:assert/strict';
import { deviceId, patientId } from '@wardstream/domain';
import type { EcgMetrics, ScoreRecord } from '@wardstream/clinical';
import { chartedFixture, MINUTE_MS, partialScoreFixture, scoreFixture, T0 } from './fixtures.js';
import type { CaseRunner } from './session.js';

const HOUR_MS = 60 * MINUTE_MS;
const byName = (scores: readonly ScoreRecord[]): ScoreRecord[] =>
  [...scores].sort((x, y) => x.score.localeCompare(y.score));

/** Scores as a time series and charted observations. */
export function scoreCases(test: CaseRunner): void {
  test('replaces a score of the same patient, name and instant', ({ store }) => {
    store.appendScore(scoreFixture({ value: 3 }));
    const replacement = partialScoreFixture();
    store.appendScore(replacement);
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + 1, 10), [replacement]);
    assert.deepEqual(store.latestScores('p-1'), [replacement]);
  });

  test('stores a batch of scores at once, each as appendScore would', ({ store }) => {
    const scores = [
      scoreFixture({ at: T0, value: 1 }),
      scoreFixture({ at: T0 + MINUTE_MS, value: 2 }),
      scoreFixture({ score: 'qsofa', at: T0, value: 0, band: 'negative' }),
    ];
    store.appendScores([]);
    store.appendScores(scores);
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + HOUR_MS, 10), scores.slice(0, 2));
    assert.equal(store.latestScores('p-1').length, 2);
  });

  test('gives the newest score of each name for the patient', ({ store }) => {
    const newest = scoreFixture({ at: T0 + HOUR_MS, value: 7, band: 'high' });
    const qsofa = scoreFixture({ score: 'qsofa', at: T0 + 30 * MINUTE_MS, value: 1, band: 'negative' });
    const mews = scoreFixture({ score: 'mews', at: T0 - HOUR_MS, value: 2, band: 'low' });
    store.appendScore(newest);
    store.appendScore(scoreFixture({ at: T0, value: 1 }));
    store.appendScore(scoreFixture({ at: T0 + 2 * HOUR_MS, patientId: patientId('p-2') }));
    store.appendScore(qsofa);
    store.appendScore(mews);
    store.appendScore(scoreFixture({ at: T0 + 10 * MINUTE_MS, value: 4 }));
    assert.deepEqual(byName(store.latestScores('p-1')), byName([newest, qsofa, mews]));
    assert.deepEqual(store.latestScores('nobody'), []);
  });

  test('returns score history in [from, to) oldest first, at most limit', ({ store }) => {
    const series = [0, 1, 2, 3].map((i) => scoreFixture({ at: T0 + i * HOUR_MS, value: i }));
    for (const score of [...series].reverse()) store.appendScore(score);
    store.appendScore(scoreFixture({ score: 'mews', at: T0 + HOUR_MS }));
    store.appendScore(scoreFixture({ patientId: patientId('p-2'), at: T0 + HOUR_MS }));
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + 4 * HOUR_MS, 10), series);
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0 + HOUR_MS, T0 + 3 * HOUR_MS, 10), series.slice(1, 3));
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + 4 * HOUR_MS, 2), series.slice(0, 2));
    assert.deepEqual(store.scoreHistory('p-1', 'qsofa', T0, T0 + 4 * HOUR_MS, 10), []);
    assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + 4 * HOUR_MS, 0), []);
  });

  test('stores a charted observation once by id', ({ store }) => {
    const first = chartedFixture();
    assert.equal(store.addChartedObservation(first), true);
    const retried = chartedFixture({ observation: { kind: 'consciousness', value: 'V' }, recordedBy: 'other' });
    assert.equal(store.addChartedObservation(retried), false);
    assert.equal(store.addChartedObservation(first), false);
    assert.deepEqual(store.chartedObservations('p-1', T0, T0 + 1), [first]);
  });

  test('returns charted observations with observedAt in [from, to) oldest first', ({ store }) => {
    const oxygen = chartedFixture({ id: 'c-2', observation: { kind: 'oxygen', onOxygen: true }, observedAt: T0 + 5 });
    const scale = chartedFixture({ id: 'c-3', observation: { kind: 'spo2Scale', scale: 2 }, observedAt: T0 + 10 });
    const vital = chartedFixture({
      id: 'c-1',
      observation: { kind: 'vital', code: 'MDC_TEMP_BODY', value: 38.4 },
      observedAt: T0,
    });
    const otherPatient = chartedFixture({ id: 'c-4', patientId: patientId('p-2'), observedAt: T0 + 5 });
    for (const observation of [scale, otherPatient, vital, oxygen]) store.addChartedObservation(observation);
    assert.deepEqual(store.chartedObservations('p-1', T0, T0 + 11), [vital, oxygen, scale]);
    assert.deepEqual(store.chartedObservations('p-1', T0 + 5, T0 + 10), [oxygen], 'from inclusive, to exclusive');
    assert.deepEqual(store.chartedObservations('p-2', T0, T0 + 11), [otherPatient]);
    assert.deepEqual(store.chartedObservations('p-3', T0, T0 + 11), []);
  });
}

function ecgFixture(overrides: Partial<EcgMetrics> = {}): EcgMetrics {
  return {
    deviceId: deviceId('monitor-1'),
    patientId: patientId('p-1'),
    code: 'MDC_ECG_ELEC_POTL_II',
    at: T0,
    heartRateBpm: 72.5,
    lastRrMs: 828,
    sdnnMs: 41.2,
    rmssdMs: 30.1,
    rrCount: 300,
    sqi: 0.97,
    quality: 'good',
    beatsAt: [T0 - 4000, T0 - 3172, T0 - 2344],
    ...overrides,
  };
}

/** ECG metrics as a time series per device and lead, read by patient or by device. */
export function ecgCases(test: CaseRunner): void {
  test('stores ECG metrics, replacing the same device, lead and instant', ({ store }) => {
    store.appendEcgMetrics([]);
    store.appendEcgMetrics([ecgFixture({ heartRateBpm: 60 })]);
    const replacement = ecgFixture({ heartRateBpm: 61, quality: 'noisy', sqi: 0.4, sdnnMs: null });
    store.appendEcgMetrics([replacement]);
    assert.deepEqual(store.ecgMetrics({ deviceId: 'monitor-1' }, T0, T0 + 1, 10), [replacement]);
    assert.deepEqual(store.ecgMetrics({ patientId: 'p-1' }, T0, T0 + 1, 10), [replacement]);
  });

  test('reads ECG metrics in [from, to) oldest first, at most limit, by patient or by device', ({ store }) => {
    const series = [0, 1, 2, 3].map((i) => ecgFixture({ at: T0 + i * 5000, heartRateBpm: 70 + i }));
    const other = ecgFixture({ deviceId: deviceId('monitor-2'), patientId: patientId('p-2'), at: T0 + 5000 });
    const unbound = ecgFixture({ deviceId: deviceId('monitor-3'), patientId: null, at: T0 });
    store.appendEcgMetrics([...series].reverse());
    store.appendEcgMetrics([other, unbound]);
    assert.deepEqual(store.ecgMetrics({ patientId: 'p-1' }, T0, T0 + 20_000, 10), series);
    assert.deepEqual(store.ecgMetrics({ patientId: 'p-1' }, T0 + 5000, T0 + 15_000, 10), series.slice(1, 3));
    assert.deepEqual(store.ecgMetrics({ patientId: 'p-1' }, T0, T0 + 20_000, 2), series.slice(0, 2));
    assert.deepEqual(store.ecgMetrics({ deviceId: 'monitor-2' }, T0, T0 + 20_000, 10), [other]);
    assert.deepEqual(store.ecgMetrics({ deviceId: 'monitor-3' }, T0, T0 + 20_000, 10), [unbound]);
    assert.deepEqual(store.ecgMetrics({ patientId: 'nobody' }, T0, T0 + 20_000, 10), []);
  });
}
