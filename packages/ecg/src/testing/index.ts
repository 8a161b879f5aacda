export { evaluateMitdb, grossOf, MITDB_DIR, MITDB_RECORDS, mitdbTable } from './mitdb.js';
export type { MitdbRecord, RecordEvaluation } from './mitdb.js';
export { syntheticStrip } from './synthetic-ecg.js';
export type { Strip, StripPart } from './synthetic-ecg.js';
