import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isValidId } from '@wardstream/domain';

/** Which subject attribute of the bootstrap certificate names the device. */
export type DeviceIdSource = 'cn' | 'serialNumber';

/** A manufacturer whose bootstrap certificates may enroll devices. */
export interface ManufacturerPolicy {
  /** Recorded as the device's manufacturer; letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** The PEM file the CA certificate(s) came from, resolved against the policy file's folder. */
  readonly caPath: string;
  /** Its CA certificates (a file may hold several, e.g. a root and a successor). */
  readonly caCertificates: readonly X509Certificate[];
  /** Devices of this manufacturer are approved on enrollment, without an admin. */
  readonly autoApprove: boolean;
  /** `cn`: the subject CN; `serialNumber`: the subject's serialNumber attribute (OID 2.5.4.5). */
  readonly deviceIdFrom: DeviceIdSource;
  /** Put before the attribute to make the device id, so two manufacturers' serials cannot collide. */
  readonly prefix: string;
}

/**
 * How often a device reports, handed to it at enrollment. Device configuration (what a monitor
 * sends and when), not a clinical threshold: alarm limits are rules, set through the rules API.
 */
export interface ReportingIntervals {
  /** Seconds between vital-sign messages. */
  readonly vitalsSec: number;
  /** Seconds between status reports (battery, signal, errors). */
  readonly statusSec: number;
}

/** The configuration bundle an enrolled device receives besides its certificate. */
export interface DeviceBundle {
  readonly reportingIntervals: ReportingIntervals;
  /** MQTT keep alive the device should use, seconds [MQTT-3.1.2-24: at most 65535]. */
  readonly keepAliveSec: number;
  /** Host name devices use to reach the MQTT endpoint; null: the host the enrollment request was sent to. */
  readonly mqttHost: string | null;
}

export interface EnrollmentPolicy {
  readonly manufacturers: readonly ManufacturerPolicy[];
  readonly bundle: DeviceBundle;
}

export const DEFAULT_REPORTING_INTERVALS: ReportingIntervals = { vitalsSec: 1, statusSec: 60 };
export const DEFAULT_DEVICE_BUNDLE: DeviceBundle = {
  reportingIntervals: DEFAULT_REPORTING_INTERVALS,
  keepAliveSec: 60,
  mqttHost: null,
};

export type ParsedEnrollmentPolicy =
  { readonly ok: true; readonly policy: EnrollmentPolicy } | { readonly ok: false; readonly errors: string[] };

type Json = Record<string, unknown>;

const MANUFACTURER_FIELDS = ['name', 'caPath', 'autoApprove', 'deviceIdFrom', 'prefix'];
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const HOST_NAME = /^[A-Za-z0-9.:[\]-]{1,253}$/;

/** Collects every problem of a policy, each under the JSON path of its field. */
class Problems {
  readonly list: string[] = [];
  add(at: string, reason: string): void {
    this.list.push(`${at}: ${reason}`);
  }
  /** The object at `at`, each unknown field reported; undefined (and reported) when it is not one. */
  object(value: unknown, at: string, allowed: readonly string[]): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.add(at, 'expected an object');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(`${at}.${key}`, `unknown field (expected one of ${allowed.join(', ')})`);
    }
    return value as Json;
  }
  integer(value: unknown, at: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(at, `expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }
}

/** Reads the CA certificates of `path`; every problem is added under `at`. */
function readCaCertificates(path: string, at: string, problems: Problems): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.add(at, `cannot read ${path}: ${(err as Error).message}`);
    return [];
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) problems.add(at, `${path} holds no PEM certificate`);
  const out: X509Certificate[] = [];
  for (const [i, pem] of blocks.entries()) {
    try {
      const cert = new X509Certificate(pem);
      // A leaf here would let every certificate it issued (none, properly) or itself enroll: refuse it.
      if (!cert.ca)
        problems.add(at, `certificate ${i + 1} of ${path} is not a CA certificate (basicConstraints CA:FALSE)`);
      else out.push(cert);
    } catch (err) {
      problems.add(at, `certificate ${i + 1} of ${path} cannot be parsed: ${(err as Error).message}`);
    }
  }
  return out;
}

function manufacturer(value: unknown, at: string, baseDir: string, problems: Problems): ManufacturerPolicy | undefined {
  const o = problems.object(value, at, MANUFACTURER_FIELDS);
  if (o === undefined) return undefined;
  const { name, caPath, autoApprove, deviceIdFrom, prefix } = o;
  const before = problems.list.length;
  if (typeof name !== 'string' || !isValidId(name)) problems.add(`${at}.name`, 'required, 1-64 of A-Z a-z 0-9 . _ -');
  if (typeof caPath !== 'string' || caPath === '') problems.add(`${at}.caPath`, 'required, the path of a PEM file');
  if (autoApprove !== undefined && typeof autoApprove !== 'boolean')
    problems.add(`${at}.autoApprove`, 'expected true or false (default false)');
  if (deviceIdFrom !== undefined && deviceIdFrom !== 'cn' && deviceIdFrom !== 'serialNumber')
    problems.add(`${at}.deviceIdFrom`, 'expected "cn" or "serialNumber" (default "cn")');
  if (prefix !== undefined && (typeof prefix !== 'string' || (prefix !== '' && !/^[A-Za-z0-9._-]{1,32}$/.test(prefix))))
    problems.add(`${at}.prefix`, 'expected 0-32 of A-Z a-z 0-9 . _ - (default "")');
  const path = typeof caPath === 'string' && caPath !== '' ? resolve(baseDir, caPath) : '';
  const caCertificates = path === '' ? [] : readCaCertificates(path, `${at}.caPath`, problems);
  if (problems.list.length > before) return undefined;
  return {
    name: name as string,
    caPath: path,
    caCertificates,
    autoApprove: autoApprove === true,
    deviceIdFrom: (deviceIdFrom as DeviceIdSource | undefined) ?? 'cn',
    prefix: (prefix as string | undefined) ?? '',
  };
}

function bundle(value: unknown, problems: Problems): DeviceBundle {
  if (value === undefined) return DEFAULT_DEVICE_BUNDLE;
  const o = problems.object(value, 'bundle', ['reportingIntervals', 'keepAliveSec', 'mqttHost']);
  if (o === undefined) return DEFAULT_DEVICE_BUNDLE;
  const base = DEFAULT_REPORTING_INTERVALS;
  const r =
    o.reportingIntervals === undefined
      ? {}
      : (problems.object(o.reportingIntervals, 'bundle.reportingIntervals', ['vitalsSec', 'statusSec']) ?? {});
  const mqttHost = o.mqttHost;
  if (mqttHost !== undefined && mqttHost !== null && (typeof mqttHost !== 'string' || !HOST_NAME.test(mqttHost)))
    problems.add('bundle.mqttHost', 'expected a host name or IP address');
  return {
    reportingIntervals: {
      vitalsSec: problems.integer(r.vitalsSec, 'bundle.reportingIntervals.vitalsSec', base.vitalsSec, 1, 3_600),
      statusSec: problems.integer(r.statusSec, 'bundle.reportingIntervals.statusSec', base.statusSec, 1, 86_400),
    },
    keepAliveSec: problems.integer(
      o.keepAliveSec,
      'bundle.keepAliveSec',
      DEFAULT_DEVICE_BUNDLE.keepAliveSec,
      5,
      65_535,
    ),
    mqttHost: typeof mqttHost === 'string' ? mqttHost : null,
  };
}

/** Two manufacturers may not share a name or a CA: the CA is what says whose device it is. */
function checkDistinct(list: readonly ManufacturerPolicy[], problems: Problems): void {
  const names = new Map<string, number>();
  const cas = new Map<string, number>();
  for (const [i, m] of list.entries()) {
    const twin = names.get(m.name);
    if (twin !== undefined) problems.add(`manufacturers[${i}].name`, `"${m.name}" is also manufacturers[${twin}]`);
    names.set(m.name, i);
    for (const ca of m.caCertificates) {
      const other = cas.get(ca.fingerprint256);
      if (other !== undefined && other !== i)
        problems.add(
          `manufacturers[${i}].caPath`,
          `CA "${ca.subject.replace(/\n/g, ', ')}" is also manufacturers[${other}]'s`,
        );
      cas.set(ca.fingerprint256, i);
    }
  }
}

/**
 * Parses an enrollment policy (docs/ENROLLMENT.md), reading each manufacturer's CA file (relative
 * paths against `baseDir`). Every problem is listed, each under its field's JSON path. Defaults:
 * `autoApprove` false, `deviceIdFrom` "cn", `prefix` "", bundle `reportingIntervals` {vitalsSec 1,
 * statusSec 60}, `keepAliveSec` 60, `mqttHost` the host the enrollment request was sent to.
 */
export function parseEnrollmentPolicy(json: unknown, baseDir: string): ParsedEnrollmentPolicy {
  const problems = new Problems();
  const o = problems.object(json, 'policy', ['manufacturers', 'bundle']);
  if (o === undefined) return { ok: false, errors: problems.list };
  const manufacturers: ManufacturerPolicy[] = [];
  if (!Array.isArray(o.manufacturers) || o.manufacturers.length === 0) {
    problems.add('manufacturers', 'required, a non-empty list');
  } else {
    for (const [i, m] of (o.manufacturers as unknown[]).entries()) {
      const parsed = manufacturer(m, `manufacturers[${i}]`, baseDir, problems);
      if (parsed !== undefined) manufacturers.push(parsed);
    }
    // Indices in its messages are those of the file only when every entry parsed.
    if (manufacturers.length === o.manufacturers.length) checkDistinct(manufacturers, problems);
  }
  const parsedBundle = bundle(o.bundle, problems);
  return problems.list.length > 0
    ? { ok: false, errors: problems.list }
    : { ok: true, policy: { manufacturers, bundle: parsedBundle } };
}

/** Reads and parses the policy file at `path`; CA paths in it are relative to its folder. */
export function loadEnrollmentPolicy(path: string): ParsedEnrollmentPolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { ok: false, errors: [`${path}: ${(err as Error).message}`] };
  }
  return parseEnrollmentPolicy(json, dirname(resolve(path)));
}
