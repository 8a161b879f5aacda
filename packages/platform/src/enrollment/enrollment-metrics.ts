import { Counter, type Registry } from 'prom-client';
import type { EnrollmentMetrics } from './enrollment-server-options.js';

/**
 * Enrollment counters on a Prometheus registry: `wardstream_enrollment_certificates_issued_total`
 * by the device's state after enrolling, `wardstream_enrollment_refusals_total` by reason.
 */
export function prometheusEnrollmentMetrics(registry: Registry): EnrollmentMetrics {
  const issued = new Counter({
    name: 'wardstream_enrollment_certificates_issued_total',
    help: 'Operational certificates issued through zero-touch enrollment, by the device state after it',
    labelNames: ['state'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'wardstream_enrollment_refusals_total',
    help: 'Enrollment requests and TLS handshakes refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    enrolled: (state) => issued.inc({ state }),
    refused: (reason) => refused.inc({ reason }),
  };
}
