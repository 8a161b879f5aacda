import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregatesQuery,
  ageText,
  NewestValue,
  TREND_RANGES,
  trendRange,
  TrendSeries,
  type ApiBucket,
} from './patient-trend.js';
import { NIBP_STALE_AFTER_MS, STALE_AFTER_MS, VITAL_SPECS, type VitalSpec } from './ward.js';

const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();
const spec = (key: string): VitalSpec => {
  const found = VITAL_SPECS.find((s) => s.key === key);
  assert.ok(found, key);
  return found;
};
const bucket = (startAt: number, values: readonly number[]): ApiBucket => ({
  startAt,
  count: values.length,
  min: Math.min(...values),
  max: Math.max(...values),
  mean: values.reduce((a, b) => a + b, 0) / values.length,
});
const HR = 'MDC_ECG_HEART_RATE';

describe('trend ranges', () => {
  it('reads each range from an API bucket (1s, 1m, 1h) that keeps a chart within 600 points', () => {
    assert.deepEqual(
      TREND_RANGES.map((r) => [r.key, r.bucket, r.spanMs / r.displayBucketMs]),
      [
        ['5m', '1s', 300],
        ['1h', '1m', 60],
        ['6h', '1m', 360],
        ['24h', '1m', 288],
        ['7d', '1h', 168],
      ],
    );
    for (const r of TREND_RANGES) {
      assert.ok(r.displayBucketMs % r.bucketMs === 0, `${r.key}: display buckets are whole API buckets`);
      assert.ok(r.spanMs / r.bucketMs <= 100_000, `${r.key}: within the API's bucket limit`);
    }
  });

  it('falls back to 5 min for an unknown range', () => {
    assert.equal(trendRange('1y').key, '5m');
    assert.equal(trendRange('7d').bucket, '1h');
  });

  it("asks the aggregates for the range's span up to now, by its bucket", () => {
    const query = new URLSearchParams(aggregatesQuery(HR, trendRange('6h'), T0));
    assert.equal(query.get('code'), HR);
    assert.equal(query.get('bucket'), '1m');
    assert.equal(query.get('from'), at(T0 - 6 * 3_600_000));
  });
});

describe('TrendSeries', () => {
  it('draws each loaded bucket at its middle with mean, min and max', () => {
    const series = new TrendSeries(spec('hr'), trendRange('5m'), T0);
    series.load(HR, [bucket(T0 - 3000, [70, 72]), bucket(T0 - 2000, [80])]);
    assert.equal(series.points, 2);
    assert.deepEqual(series.columns(), [
      [(T0 - 2500) / 1000, (T0 - 1500) / 1000],
      [71, 80],
      [70, 80],
      [72, 80],
    ]);
  });

  it('merges minute buckets into 5-minute points for 24 h, the mean weighted by count', () => {
    const series = new TrendSeries(spec('hr'), trendRange('24h'), T0);
    series.load(HR, [bucket(T0, [60, 60, 60]), bucket(T0 + 60_000, [100]), bucket(T0 + 5 * 60_000, [90])]);
    const [xs, mean, min, max] = series.columns();
    assert.deepEqual(xs, [(T0 + 150_000) / 1000, (T0 + 450_000) / 1000]);
    assert.deepEqual(mean, [70, 90]);
    assert.deepEqual(min, [60, 90]);
    assert.deepEqual(max, [100, 90]);
  });

  it('leaves out empty buckets (all readings flagged)', () => {
    const series = new TrendSeries(spec('hr'), trendRange('5m'), T0);
    series.load(HR, [{ startAt: T0, count: 0, min: null, max: null, mean: null }]);
    assert.equal(series.points, 0);
  });

  it('adds live readings newer than the loaded buckets, but not those the aggregates may already count', () => {
    const series = new TrendSeries(spec('hr'), trendRange('5m'), T0);
    series.load(HR, [bucket(T0, [70])]);
    const changed = series.addReadings([
      { code: HR, value: 99, observedAt: at(T0 + 500) }, // in the loaded bucket: maybe counted already
      { code: HR, value: 75, observedAt: at(T0 + 1_200) },
      { code: 'MDC_RESP_RATE', value: 18, observedAt: at(T0 + 1_300) }, // another chart's
      { code: HR, value: 300, observedAt: at(T0 + 2_100), quality: ['implausible'] }, // the aggregates skip it too
    ]);
    assert.equal(changed, true);
    const [, mean] = series.columns();
    assert.deepEqual(mean, [70, 75]);
    assert.equal(series.addReadings([{ code: 'MDC_RESP_RATE', value: 18, observedAt: at(T0 + 5_000) }]), false);
  });

  it('drops points that leave the range as time passes', () => {
    const series = new TrendSeries(spec('hr'), trendRange('5m'), T0);
    series.load(HR, [bucket(T0, [70]), bucket(T0 + 60_000, [71])]);
    series.trim(T0 + 5 * 60_000 + 30_000);
    assert.equal(series.points, 1);
  });

  it("breaks a continuous vital's line over a gap, but joins a cuff's measurements", () => {
    const hr = new TrendSeries(spec('hr'), trendRange('5m'), T0);
    hr.load(HR, [bucket(T0, [70]), bucket(T0 + 1_000, [71]), bucket(T0 + 60_000, [72])]);
    const [xs, mean] = hr.columns();
    assert.deepEqual(mean, [70, 71, null, 72]);
    assert.equal(xs[2], (T0 + 2_500) / 1000);
    assert.equal(hr.points, 3);

    const nibp = new TrendSeries(spec('nibp'), trendRange('1h'), T0);
    nibp.load('MDC_PRESS_BLD_NONINV_SYS', [bucket(T0, [120]), bucket(T0 + 15 * 60_000, [130])]);
    nibp.load('MDC_PRESS_BLD_NONINV_DIA', [bucket(T0, [80])]);
    const columns = nibp.columns();
    assert.equal(columns.length, 7, 'x, then mean/min/max of systolic and diastolic');
    assert.deepEqual(columns[1], [120, 130]);
    assert.deepEqual(columns[4], [80, null]);
  });
});

describe("a trend's caption: the newest reading with its age", () => {
  const SYS = 'MDC_PRESS_BLD_NONINV_SYS';
  const DIA = 'MDC_PRESS_BLD_NONINV_DIA';
  const reading = (code: string, value: number, atMs: number, unit = '/min') => ({
    code,
    value,
    unit,
    observedAt: at(atMs),
  });

  it('shows the newest value with its age while current, then struck stale past the limit, never as current', () => {
    const hr = new NewestValue(spec('hr'));
    assert.equal(hr.apply([reading(HR, 72, T0), reading(HR, 75, T0 + 1_000), reading('MDC_RESP_RATE', 18, T0)]), true);
    const current = hr.view(T0 + 5_000);
    assert.ok(current.kind === 'current', current.kind);
    assert.deepEqual([current.text, current.unit, ageText(current)], ['75', '/min', '4 s']);
    // The monitor stops: past STALE_AFTER_MS (as on the ward tiles) the value is stale, its age spelled out.
    assert.equal(hr.view(T0 + 1_000 + STALE_AFTER_MS).kind, 'current');
    const stale = hr.view(T0 + 1_000 + 2 * 60_000);
    assert.equal(stale.kind, 'stale');
    assert.equal(ageText(stale), 'stale · 2 min old');
    assert.equal(STALE_AFTER_MS, 30_000);
  });

  it('never lets an older reading replace a newer one (a late live event, a re-read of …/latest)', () => {
    const hr = new NewestValue(spec('hr'));
    hr.apply([reading(HR, 75, T0 + 1_000)]);
    assert.equal(hr.apply([reading(HR, 60, T0)]), false);
    const view = hr.view(T0 + 1_000);
    assert.ok(view.kind === 'current');
    assert.equal(view.text, '75');
  });

  it('shows nothing ("—") until there is a reading, and a composite as old as its oldest part', () => {
    const nibp = new NewestValue(spec('nibp'));
    assert.equal(nibp.view(T0).kind, 'missing');
    assert.equal(ageText(nibp.view(T0)), '');
    nibp.apply([reading(SYS, 121, T0 - 40_000, 'mm[Hg]')]);
    assert.equal(nibp.view(T0).kind, 'missing', 'a systolic alone is not a blood pressure');
    nibp.apply([reading(DIA, 79, T0 - 10_000, 'mm[Hg]')]);
    // A blood pressure is a spot measurement: current for its validity (an hour), not 30 s.
    const view = nibp.view(T0);
    assert.ok(view.kind === 'current');
    assert.deepEqual([view.text, view.unit, view.observedAtMs], ['121/79', 'mmHg', T0 - 40_000]);
    assert.equal(nibp.view(T0 - 40_000 + NIBP_STALE_AFTER_MS + 1).kind, 'stale');
    const temp = new NewestValue(spec('temp'));
    temp.apply([reading('MDC_TEMP_BODY', 37.25, T0, 'Cel')]);
    const t = temp.view(T0);
    assert.ok(t.kind === 'current');
    assert.deepEqual([t.text, t.unit], ['37.3', '°C']);
  });
});
