export type {
  Registry,
  Patient,
  Device,
  PatientInput,
  DeviceInput,
  BindingFilter,
  BindingListener,
  EnrollmentState,
  EnrollmentDecision,
  EnrollmentInput,
  EnrollmentListener,
} from './registry.js';
export { BindingIndex } from './binding-index.js';
export { ApprovalIndex } from './approval-index.js';
export { AUTO_APPROVER } from './registry.js';
export { SqliteRegistry, type SqliteRegistryOptions } from './sqlite/sqlite-registry.js';
