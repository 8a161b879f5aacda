import { deviceId, patientId, wardId, type Clock, type PatientId } from '@wardstream/domain';
import type { Registry } from '@wardstream/registry';
import { runSimulation } from '@wardstream/simulator';
import type { Logger } from './logger.js';

export interface DemoOptions {
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly mqttUrl: string;
  readonly patients: number;
  readonly ratePerDevice: number;
  /**
   * Records what a nurse charts at admission (alert, on air) so the demo's NEWS2 is complete; a
   * retry of the same observation is stored once.
   */
  readonly chartAdmission?: (patient: PatientId, at: number) => void;
}

export interface Demo {
  stop(): Promise<void>;
}

export const DEMO_WARD = wardId('demo-ward');
const DEVICE_PREFIX = 'demo-mon-';

/**
 * `wardstream up --demo N`: N patients on the demo ward, each admitted to one simulated bedside
 * monitor streaming vitals and ECG/pleth waveforms, one in five deteriorating (sepsis-like drift),
 * the rest stable. Patients, devices and
 * bindings are registered once and reused on the next start.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { registry, clock, logger, patients } = options;
  const width = Math.max(4, String(patients).length);
  const now = clock.now();
  for (let i = 1; i <= patients; i++) {
    const n = String(i).padStart(width, '0');
    const patient = patientId(`demo-pt-${n}`);
    const device = deviceId(`${DEVICE_PREFIX}${n}`);
    await registry.putPatient({ id: patient, displayName: `Demo patient ${i}`, wardId: DEMO_WARD }, now);
    await registry.putDevice({ id: device, model: 'simulated bedside monitor' }, now);
    if ((await registry.bindings({ deviceId: device, openOnly: true })).length === 0) {
      await registry.admit(device, patient, now);
      options.chartAdmission?.(patient, now);
    }
  }
  const deteriorating = Math.ceil(patients / 5);
  const scenario =
    deteriorating === patients
      ? `deteriorating:${patients}`
      : `stable:${patients - deteriorating},deteriorating:${deteriorating}`;
  const abort = new AbortController();
  logger.info('demo', 'starting simulated ward', { ward: DEMO_WARD, patients, scenario });
  const run = runSimulation(
    {
      mqttUrl: options.mqttUrl,
      protocolVersion: 5,
      devices: patients,
      scenario,
      deviceRatePerS: options.ratePerDevice,
      devicePrefix: DEVICE_PREFIX,
      seed: 'demo',
      drainTimeoutMs: 2_000,
      // ECG lead II and pleth at 250 Hz: the ward's monitors stream waveforms, analysed for rhythm.
      waveforms: true,
    },
    { signal: abort.signal, clock },
  ).catch((err: unknown) => {
    logger.error('demo', 'simulator stopped', { error: (err as Error).message });
  });
  return {
    stop: async () => {
      abort.abort();
      await run;
    },
  };
}
