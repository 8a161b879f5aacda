export type {
  Registry,
  Patient,
  Device,
  PatientInput,
  DeviceInput,
  BindingFilter,
  BindingListener,
} from './registry.js';
export { BindingIndex } from './binding-index.js';
export { SqliteRegistry, type SqliteRegistryOptions } from './sqlite/sqlite-registry.js';
