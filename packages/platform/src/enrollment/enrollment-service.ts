import { WardstreamError, type Clock, type DeviceId } from '@wardstream/domain';
import type { Device, Registry } from '@wardstream/registry';
import type { VerifiedBootstrap } from './bootstrap-identity.js';
import type { CsrSigner, SignedCertificate } from './csr-signer.js';
import type { EnrollmentRefusal } from './enrollment-refusal.js';

export interface EnrollmentServiceDeps {
  readonly registry: Registry;
  readonly signer: CsrSigner;
  readonly clock: Clock;
}

type Refused<R extends EnrollmentRefusal> = { readonly ok: false; readonly reason: R; readonly detail: string };

export type EnrollResult =
  | { readonly ok: true; readonly device: Device; readonly certificate: SignedCertificate }
  | Refused<'device-rejected' | 'device-id-in-use' | 'manufacturer-conflict' | 'bad-csr'>;

export type StatusResult = { readonly ok: true; readonly device: Device } | Refused<'not-enrolled'>;

const PEM_CSR =
  /^\s*-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

/**
 * A cheap look at the CSR before the device is recorded: one PEM block whose DER is an ASN.1
 * SEQUENCE. The signer makes the real checks (structure, key type, self-signature).
 */
function csrShapeProblem(csrPem: string): string | null {
  const match = PEM_CSR.exec(csrPem);
  if (match === null) return 'expected one PEM block "-----BEGIN CERTIFICATE REQUEST-----" (PKCS#10)';
  const der = Buffer.from(match[2] ?? '', 'base64');
  return der.length < 64 || der[0] !== 0x30 ? 'the PEM block is not a DER-encoded PKCS#10 request' : null;
}

/**
 * Zero-touch enrollment of a device whose bootstrap certificate a known manufacturer issued: the
 * registry records it (pending, or approved when its manufacturer is auto-approved), then the
 * platform CA signs the device's CSR. Recorded first, so a certificate never exists for a device the
 * registry does not hold as pending: the MQTT endpoint treats a device it does not know as approved.
 */
export class EnrollmentService {
  constructor(private readonly deps: EnrollmentServiceDeps) {}

  /**
   * Enrolls (or re-enrolls) the device and issues its operational certificate. Refused: a rejected
   * device (it stays rejected), a device id held by a device that did not enroll (registered by an
   * admin, holding an operator-issued certificate, first seen on connect) or by another
   * manufacturer's device, a bad CSR. A refusal records nothing and signs nothing. Rejects when the
   * registry or the CA fails.
   */
  async enroll(identity: VerifiedBootstrap, csrPem: string): Promise<EnrollResult> {
    const { registry, signer, clock } = this.deps;
    const { deviceId, manufacturer } = identity;
    const shape = csrShapeProblem(csrPem);
    if (shape !== null) return { ok: false, reason: 'bad-csr', detail: shape };
    const known = await registry.getDevice(deviceId);
    if (known?.enrollment === 'rejected') return rejected(known);
    if (known !== undefined && known.enrollment === null) return inUse(deviceId);
    let device: Device;
    try {
      device = await registry.enrollDevice(
        {
          deviceId,
          manufacturer: manufacturer.name,
          bootstrapSerial: identity.serial,
          state: manufacturer.autoApprove ? 'approved' : 'pending',
        },
        clock.now(),
      );
    } catch (err) {
      if (err instanceof WardstreamError && err.code === 'CONFLICT') {
        // The registry refuses both atomically; a device may have connected since the look-up.
        if ((await registry.getDevice(deviceId))?.enrollment === null) return inUse(deviceId);
        return { ok: false, reason: 'manufacturer-conflict', detail: err.message };
      }
      throw err;
    }
    // A rejection may land between the look-up and the write.
    if (device.enrollment === 'rejected') return rejected(device);
    try {
      return { ok: true, device, certificate: await signer.signCsr(csrPem, deviceId) };
    } catch (err) {
      if (err instanceof WardstreamError && err.code === 'INVALID_INPUT') {
        return { ok: false, reason: 'bad-csr', detail: err.message };
      }
      throw err;
    }
  }

  /** Where the device's enrollment stands, for a device polling with its bootstrap certificate. */
  async status(identity: VerifiedBootstrap): Promise<StatusResult> {
    const device = await this.deps.registry.getDevice(identity.deviceId);
    if (device === undefined || device.enrollment === null || device.manufacturer !== identity.manufacturer.name) {
      return {
        ok: false,
        reason: 'not-enrolled',
        detail: `device ${identity.deviceId} has not enrolled: POST /enroll/v1 first`,
      };
    }
    return { ok: true, device };
  }
}

function inUse(id: DeviceId): Refused<'device-id-in-use'> {
  return {
    ok: false,
    reason: 'device-id-in-use',
    detail: `device id ${id} is in use by a device that did not enroll (registered by an administrator, or holding a certificate the site issued); ask the site's administrator`,
  };
}

function rejected(device: Device): Refused<'device-rejected'> {
  const reason = device.enrollmentDecision?.reason;
  return {
    ok: false,
    reason: 'device-rejected',
    detail: `device ${device.id} was rejected${reason === undefined || reason === null ? '' : `: ${reason}`}; ask the site's administrator`,
  };
}
