import type { DeviceId } from '@wardstream/domain';
import type { ConnectionContext } from './connection.js';
import type { PeerCertificateInfo } from './device-trust.js';

/** Whether a certified device may connect, or stay connected. */
export type TrustVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'certificate-expired' | 'certificate-revoked' | 'device-not-approved' | 'server-unavailable';
      readonly detail: string;
    };

/**
 * The checks made at CONNECT (after TLS verified the certificate) and again on every live
 * connection: the certificate is still within its validity (a session may outlive it), then the
 * platform's `authorize` hook (revocation, enrollment approval). A hook that throws, or answers
 * something that is not a decision, fails closed as `server-unavailable` and is reported as an
 * internal error.
 */
export function checkTrust(
  ctx: ConnectionContext,
  deviceId: DeviceId,
  certificate: PeerCertificateInfo | null,
): TrustVerdict {
  if (certificate !== null && certificate.validTo <= ctx.clock.now()) {
    const at = new Date(certificate.validTo).toISOString();
    return { ok: false, reason: 'certificate-expired', detail: `client certificate of "${deviceId}" expired at ${at}` };
  }
  const { authorize } = ctx;
  if (authorize === undefined) return { ok: true };
  try {
    const decision = authorize({ deviceId, certificate });
    if (decision.ok) return { ok: true };
    // The hook is the platform's code, possibly plain JS: an unknown reason is a bug, not a pass.
    const reason: unknown = decision.reason;
    if (reason !== 'certificate-revoked' && reason !== 'device-not-approved') {
      throw new TypeError(`authorize returned an unknown reason: ${String(reason)}`);
    }
    return { ok: false, reason, detail: decision.detail };
  } catch (error) {
    ctx.internalError(error);
    return { ok: false, reason: 'server-unavailable', detail: 'device authorization check failed' };
  }
}
