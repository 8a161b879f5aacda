import { grossResult, scoreBeats, type Ec57Result } from '../eval/ec57.js';
import { detectBeats, type BeatDetector } from '../qrs/beat-detector.js';
import { analyseRecording } from '../rhythm/episodes.js';
import { readWfdbRecord } from '../wfdb/record.js';
import { readReferenceBeats } from '../wfdb/reference-beats.js';

/** The MIT-BIH Arrhythmia Database records shipped in test-data/mitdb (see its README). */
export const MITDB_DIR = new URL('../../test-data/mitdb/', import.meta.url).pathname;

export interface MitdbRecord {
  readonly name: string;
  readonly header: string;
  readonly reference: string;
  /** Paced records are reported apart from the gross statistics (EC57 practice). */
  readonly paced: boolean;
  readonly note: string;
}

export const MITDB_RECORDS: readonly MitdbRecord[] = [
  { name: '100', header: '100.hea', reference: '100_all.csv', paced: false, note: 'normal sinus rhythm, MLII' },
  { name: '102', header: '102_ch0.hea', reference: '102_all.csv', paced: true, note: 'paced, V5' },
  { name: '105', header: '105_ch0.hea', reference: '105_all.csv', paced: false, note: 'high noise and artifact' },
  { name: '106', header: '106_ch0.hea', reference: '106_all.csv', paced: false, note: 'many ventricular beats' },
  { name: '116', header: '116_ch0.hea', reference: '116_all.csv', paced: false, note: 'large QRS, some APCs' },
  { name: '119', header: '119_ch0.hea', reference: '119_all.csv', paced: false, note: 'ventricular bigeminy' },
].map((r) => ({ ...r, header: `${MITDB_DIR}${r.header}`, reference: `${MITDB_DIR}${r.reference}` }));

export interface RecordEvaluation extends Ec57Result {
  readonly record: MitdbRecord;
  readonly beats: number;
  readonly samples: number;
}

/** Runs a detector over channel 0 of each record in chunks of `chunk` samples and scores it. */
export async function evaluateMitdb(
  makeDetector: (fsHz: number) => BeatDetector,
  chunk = 360,
  records: readonly MitdbRecord[] = MITDB_RECORDS,
): Promise<RecordEvaluation[]> {
  const out: RecordEvaluation[] = [];
  for (const record of records) {
    const wfdb = await readWfdbRecord(record.header);
    const signal = wfdb.channels[0]!.physical;
    const beats = detectBeats(makeDetector(wfdb.fsHz), signal, chunk);
    const reference = await readReferenceBeats(record.reference);
    const score = scoreBeats(beats, reference, { fsHz: wfdb.fsHz, endSample: wfdb.length });
    out.push({ ...score, record, beats: beats.length, samples: wfdb.length });
  }
  return out;
}

export function grossOf(results: readonly RecordEvaluation[], paced: boolean): Ec57Result {
  return grossResult(results.filter((r) => r.record.paced === paced));
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(2)} %`);

/** The table docs/CLINICAL.md carries (kept equal to this output by a test). */
export function mitdbTable(results: readonly RecordEvaluation[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.record.name}${r.record.paced ? ' (paced)' : ''} | ${r.record.note} | ${r.tp + r.fn} | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.se)} | ${pct(r.ppv)} |`,
  );
  const gross = grossOf(results, false);
  const paced = grossOf(results, true);
  return [
    '| Record | Note | Reference beats | TP | FP | FN | Se | +P |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    `| **Gross, non-paced** | ${results.filter((r) => !r.record.paced).length} records | ${gross.tp + gross.fn} | ${gross.tp} | ${gross.fp} | ${gross.fn} | **${pct(gross.se)}** | **${pct(gross.ppv)}** |`,
    `| Paced (reported apart) | ${results.filter((r) => r.record.paced).length} record | ${paced.tp + paced.fn} | ${paced.tp} | ${paced.fp} | ${paced.fn} | ${pct(paced.se)} | ${pct(paced.ppv)} |`,
  ].join('\n');
}

/** Rhythm and lead conditions the analyser raises over channel 0 of a record, as "condition start–end (s)". */
export async function rhythmConditions(
  header: string,
): Promise<{ fsHz: number; seconds: number; conditions: string[] }> {
  const wfdb = await readWfdbRecord(header);
  const { episodes } = analyseRecording(wfdb.channels[0]!.physical, wfdb.fsHz);
  const s = (v: number | null): string => (v === null ? 'end' : v.toFixed(1));
  // In order of their ends, as the conditions close (open ones last).
  const conditions = [...episodes]
    .sort((a, b) => (a.endS ?? Infinity) - (b.endS ?? Infinity))
    .map((e) => `${e.condition} ${s(e.startS)}–${s(e.endS)}`);
  return { fsHz: wfdb.fsHz, seconds: wfdb.length / wfdb.fsHz, conditions };
}

export const CHALLENGE_V102S = new URL('../../test-data/challenge2015/v102s.hea', import.meta.url).pathname;

/** The rhythm table docs/CLINICAL.md carries: what the analyser raises on each record (default policy). */
export async function rhythmTable(): Promise<string> {
  const rows: string[] = [];
  const records = [
    ...MITDB_RECORDS.map((r) => ({ name: `mitdb ${r.name}`, header: r.header, note: r.note })),
    { name: 'challenge2015 v102s', header: CHALLENGE_V102S, note: 'false VT alarm of a monitor' },
  ];
  for (const r of records) {
    const { seconds, conditions } = await rhythmConditions(r.header);
    rows.push(
      `| ${r.name} | ${r.note} | ${(seconds / 60).toFixed(1)} | ${conditions.length === 0 ? 'none' : conditions.join('; ')} |`,
    );
  }
  return [
    '| Record | Note | Minutes | Conditions raised (start–end, s from the record start) |',
    '|---|---|---:|---|',
    ...rows,
  ].join('\n');
}
