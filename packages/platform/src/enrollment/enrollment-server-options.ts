import { X509Certificate } from 'node:crypto';
import type { Clock } from '@wardstream/domain';
import type { EnrollmentState, Registry } from '@wardstream/registry';
import type { CsrSigner } from './csr-signer.js';
import type { EnrollmentPolicy } from './enrollment-policy.js';
import type { EnrollmentRefusal, EnrollmentSecurityEvent } from './enrollment-refusal.js';

/** A PKCS#10 request of a P-256 or RSA-4096 key is 1-4 KiB as PEM; 16 KiB leaves room and bounds buffering. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;
export const DEFAULT_ENROLLMENT_HOST = '127.0.0.1';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface EnrollmentServerOptions {
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port; 0 for an ephemeral one. */
  readonly port: number;
  /** The server's certificate and key (PEM). Devices must trust its issuer before they enroll. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** The MQTT endpoint enrolled devices are sent to. */
  readonly mqtt: { readonly port: number; readonly protocolVersions?: readonly (4 | 5)[] };
  /** Largest request body accepted (default 16 KiB); a larger one is answered 413. */
  readonly maxBodyBytes?: number;
  /** Time a client has to send its whole request (default 10 s). */
  readonly requestTimeoutMs?: number;
}

/** What the server counts; implementations must be cheap and must not throw. */
export interface EnrollmentMetrics {
  /** An operational certificate was issued to a device now in `state`. */
  enrolled(state: EnrollmentState): void;
  refused(reason: EnrollmentRefusal): void;
}

export interface EnrollmentServerDeps {
  readonly registry: Registry;
  readonly signer: CsrSigner;
  readonly policy: EnrollmentPolicy;
  readonly clock: Clock;
  readonly metrics?: EnrollmentMetrics;
  /** Hears of every refusal (TLS handshake failures included). */
  readonly onSecurityEvent?: (event: EnrollmentSecurityEvent) => void;
  /** Hears of every failure answered 500 (registry or CA down, a hook that threw). */
  readonly onInternalError?: (error: unknown) => void;
}

/** The server's options or policy cannot work; `problems` lists every one. */
export class EnrollmentServerOptionsError extends Error {
  override readonly name = 'EnrollmentServerOptionsError';
  constructor(readonly problems: readonly string[]) {
    super(`enrollment server: ${problems.join('; ')}`);
  }
}

/** Throws `EnrollmentServerOptionsError` listing every problem of the options and policy. */
export function checkEnrollmentServer(options: EnrollmentServerOptions, deps: EnrollmentServerDeps): void {
  const problems: string[] = [];
  const port = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0 || value > 65_535) problems.push(`${name}: expected a port, 0-65535`);
  };
  port('port', options.port);
  port('mqtt.port', options.mqtt.port);
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(max) || max < 1024 || max > 1_048_576) problems.push('maxBodyBytes: expected 1024-1048576');
  if (deps.policy.manufacturers.length === 0) problems.push('policy: names no manufacturer');
  // An operational certificate must not pass for a bootstrap one: it would let a device re-enroll itself.
  let platformCa: string | null = null;
  try {
    platformCa = new X509Certificate(deps.signer.caCertificatePem).fingerprint256;
  } catch (err) {
    problems.push(`signer: its CA certificate cannot be parsed (${(err as Error).message})`);
  }
  for (const m of deps.policy.manufacturers) {
    if (m.caCertificates.some((ca) => ca.fingerprint256 === platformCa))
      problems.push(`policy: manufacturer ${m.name} names the platform CA, which issues operational certificates`);
  }
  if (problems.length > 0) throw new EnrollmentServerOptionsError(problems);
}
