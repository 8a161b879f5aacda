import { MITDB_DIR } from '../testing/mitdb.js';
import { readWfdbRecord } from '../wfdb/record.js';
import { QrsDetector } from './qrs-detector.js';

const CHUNK = 360;

export interface DetectorThroughput {
  readonly samplesPerSecond: number;
  readonly samples: number;
  readonly ms: number;
}

/**
 * Throughput of QrsDetector.push() on one core. It feeds channel 0 of MIT-BIH record 100
 * (360 Hz, 30 min) in chunks of 360 samples, with a fresh detector for each pass over the
 * record, until about `seconds` of wall time have passed. One untimed pass first lets the JIT
 * compile the hot path. Reading the record is not timed.
 */
export async function measureDetectorThroughput(seconds = 2): Promise<DetectorThroughput> {
  const record = await readWfdbRecord(`${MITDB_DIR}100.hea`);
  const signal = record.channels[0]!.physical;
  let beats = runOnce(signal, record.fsHz);
  const budgetMs = seconds * 1000;
  let samples = 0;
  const start = performance.now();
  let ms = 0;
  do {
    beats += runOnce(signal, record.fsHz);
    samples += signal.length;
    ms = performance.now() - start;
  } while (ms < budgetMs);
  if (beats === 0) throw new Error('measureDetectorThroughput: the detector found no beat in record 100');
  return { samplesPerSecond: (samples / ms) * 1000, samples, ms };
}

/** One pass over the record; returns the beat count so the work cannot be optimised away. */
function runOnce(signal: Float64Array, fsHz: number): number {
  const detector = new QrsDetector(fsHz);
  let beats = 0;
  for (let at = 0; at < signal.length; at += CHUNK) beats += detector.push(signal.subarray(at, at + CHUNK)).length;
  return beats + detector.flush().length;
}
