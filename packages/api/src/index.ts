export { createApi } from './app.js';
export { startHttpServer, type HttpServer } from './server.js';
export {
  LiveHub,
  type LiveEvent,
  type LiveTopic,
  type LiveListener,
  type LiveOptions,
  type LiveWaveform,
} from './live-hub.js';
export type { ApiDeps, ClinicalApiDeps, HealthReport, ComponentStatus } from './deps.js';
export { OPENAPI_DOCUMENT } from './openapi.js';
export { problem, problemForCode, type Problem } from './problem.js';
export { readingJson } from './json.js';
