export { EnrollmentServer, ENROLL_PATH, STATUS_PATH } from './enrollment-server.js';
export {
  EnrollmentServerOptionsError,
  DEFAULT_ENROLLMENT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  type EnrollmentMetrics,
  type EnrollmentServerDeps,
  type EnrollmentServerOptions,
} from './enrollment-server-options.js';
export { EnrollmentService, type EnrollResult, type StatusResult } from './enrollment-service.js';
export type { CsrSigner, SignedCertificate } from './csr-signer.js';
export { pkiCsrSigner } from './pki-csr-signer.js';
export {
  DEFAULT_DEVICE_BUNDLE,
  DEFAULT_REPORTING_INTERVALS,
  loadEnrollmentPolicy,
  parseEnrollmentPolicy,
  type DeviceBundle,
  type DeviceIdSource,
  type EnrollmentPolicy,
  type ManufacturerPolicy,
  type ParsedEnrollmentPolicy,
  type ReportingIntervals,
} from './enrollment-policy.js';
export { refusalStatus, type EnrollmentRefusal, type EnrollmentSecurityEvent } from './enrollment-refusal.js';
export { prometheusEnrollmentMetrics } from './enrollment-metrics.js';
