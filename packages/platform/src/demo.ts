import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deviceId, patientId, wardId, type Clock, type DeviceId, type PatientId } from '@wardstream/domain';
import type { CertificateAuthority } from '@wardstream/pki';
import type { Registry } from '@wardstream/registry';
import { runSimulation, type TlsMaterial } from '@wardstream/simulator';
import { urlHost, type EmbeddedConfig } from './config.js';
import { readCredentialFiles, writeCredentialFiles } from './device-trust.js';
import type { Logger } from './logger.js';

/**
 * The demo's devices are enrolled like real ones: each has its own certificate from the platform's
 * CA (CN = its device id), kept with its key in `dir` and reused while valid.
 */
export interface DemoCredentials {
  readonly ca: CertificateAuthority;
  readonly dir: string;
}

/** How the demo's devices reach the platform. */
export interface DemoConnection {
  readonly mqttUrl: string;
  /** Present for the mutual-TLS listener; absent on the development plaintext one. */
  readonly credentials?: DemoCredentials;
}

/**
 * The mutual-TLS listener with certificates from the platform's CA; with the hospital's PKI (no
 * platform CA to enrol the simulated devices), the development plaintext listener if enabled.
 */
export function demoConnection(
  trust: { readonly ca: CertificateAuthority | null },
  config: Pick<EmbeddedConfig, 'mqttHost' | 'keyDir'>,
  tlsPort: number,
  plaintextPort: number | undefined,
): DemoConnection {
  const host = urlHost(config.mqttHost);
  if (trust.ca !== null) {
    return {
      mqttUrl: `mqtts://${host}:${tlsPort}`,
      credentials: { ca: trust.ca, dir: join(config.keyDir, 'demo-devices') },
    };
  }
  if (plaintextPort !== undefined) return { mqttUrl: `mqtt://127.0.0.1:${plaintextPort}` };
  throw new Error(
    "--demo needs certificates for its simulated devices: use the platform's own CA (no --mqtt-tls-* files) or add --dev-plaintext-mqtt-port",
  );
}

/**
 * Each device's certificate and key, issued once and reused while valid for another day, issued by
 * this CA and matched by its key; a missing, unreadable or mismatched pair is issued again.
 */
export async function demoTls(
  credentials: DemoCredentials,
  devices: readonly DeviceId[],
  now: number,
): Promise<(id: string) => TlsMaterial> {
  mkdirSync(credentials.dir, { recursive: true, mode: 0o700 });
  const ca = credentials.ca.certificatePem;
  const caCert = new X509Certificate(ca);
  const material = new Map<string, TlsMaterial>();
  for (const id of devices) {
    const certPath = join(credentials.dir, `${id}.crt`);
    const keyPath = join(credentials.dir, `${id}.key`);
    const existing = readCredentialFiles(certPath, keyPath);
    if (
      existing !== undefined &&
      existing.parsed.checkIssued(caCert) &&
      Date.parse(existing.parsed.validTo) - now > 86_400_000
    ) {
      material.set(id, { cert: existing.cert, key: existing.key, ca });
      continue;
    }
    const issued = await credentials.ca.issueDevice(id);
    writeCredentialFiles(certPath, keyPath, issued.certificatePem, issued.keyPem);
    material.set(id, { cert: issued.certificatePem, key: issued.keyPem, ca });
  }
  return (id) => {
    const m = material.get(id);
    if (m === undefined) throw new Error(`no demo certificate for device ${id}`);
    return m;
  };
}

export interface DemoOptions {
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly mqttUrl: string;
  readonly credentials?: DemoCredentials;
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
  const devices: DeviceId[] = [];
  for (let i = 1; i <= patients; i++) {
    const n = String(i).padStart(width, '0');
    const patient = patientId(`demo-pt-${n}`);
    const device = deviceId(`${DEVICE_PREFIX}${n}`);
    devices.push(device);
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
  const tls = options.credentials === undefined ? undefined : await demoTls(options.credentials, devices, now);
  const abort = new AbortController();
  logger.info('demo', 'starting simulated ward', { ward: DEMO_WARD, patients, scenario });
  const run = runSimulation(
    {
      mqttUrl: options.mqttUrl,
      ...(tls === undefined ? {} : { tls }),
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
