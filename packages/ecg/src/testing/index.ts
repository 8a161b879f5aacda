export {
  CHALLENGE_V102S,
  evaluateMitdb,
  grossOf,
  MITDB_DIR,
  MITDB_RECORDS,
  mitdbTable,
  rhythmConditions,
  rhythmTable,
} from './mitdb.js';
export type { MitdbRecord, RecordEvaluation } from './mitdb.js';
export { syntheticStrip } from './synthetic-ecg.js';
export type { Strip, StripOptions, StripPart } from './synthetic-ecg.js';
