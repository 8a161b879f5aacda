/**
 * `--only qrs`: throughput of the streaming QRS detector on one core, through
 * `measureDetectorThroughput` of @wardstream/ecg (MIT-BIH record 100, 360 Hz, fed in chunks of 360
 * samples, one untimed warm-up pass, then passes for about `seconds` of wall time). Each run is a
 * fresh Node process (`node qrs-bench.js '{"seconds":N}'`), so one run's JIT and heap do not carry
 * into the next; the process also reports the CPU time it used, which shows whether it had its
 * core to itself on this shared machine.
 */
import { measureDetectorThroughput } from '@wardstream/ecg';
import { runJson } from './processes.js';

/** Issue target: at least 5 M samples/s per core (20,000 leads at 250 Hz). */
export const QRS_TARGET_SAMPLES_PER_S = 5_000_000;
/** The sample rate the "leads per core" figure is expressed in. */
export const LEAD_FS_HZ = 250;

export interface QrsRun {
  readonly samplesPerSecond: number;
  readonly samples: number;
  readonly ms: number;
  /**
   * CPU time (user + system) of the process over the whole call: the timed passes plus the record
   * read and the untimed JIT warm-up pass. Near `ms` (plus those) when the core was not shared.
   */
  readonly cpuMs: number;
  /** samplesPerSecond ÷ 250: how many 250 Hz leads one core keeps up with. */
  readonly leadsPerCore250Hz: number;
}

export interface QrsResult {
  readonly seconds: number;
  readonly runs: readonly QrsRun[];
  readonly targetSamplesPerS: number;
}

export async function qrsThroughput(
  seconds: number,
  runs: number,
  progress: (text: string) => void,
): Promise<QrsResult> {
  const out: QrsRun[] = [];
  for (let i = 1; i <= runs; i++) {
    progress(`QRS detector throughput, run ${i} of ${runs} (${seconds} s)`);
    out.push(await runJson<QrsRun>('qrs-bench.js', { seconds }));
  }
  return { seconds, runs: out, targetSamplesPerS: QRS_TARGET_SAMPLES_PER_S };
}

const arg = process.argv[2];
if (arg !== undefined && process.argv[1]?.endsWith('qrs-bench.js') === true) {
  const { seconds } = JSON.parse(arg) as { seconds: number };
  const cpu0 = process.cpuUsage();
  const r = await measureDetectorThroughput(seconds);
  const cpu = process.cpuUsage(cpu0);
  const run: QrsRun = {
    samplesPerSecond: r.samplesPerSecond,
    samples: r.samples,
    ms: r.ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    leadsPerCore250Hz: r.samplesPerSecond / LEAD_FS_HZ,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
}
