export { alarmEventId, PRIORITY_RANK } from './alarm.js';
export type { Alarm, AlarmCategory, AlarmEvent, AlarmEventType, AlarmPriority, AlarmState } from './alarm.js';
export type { ChartedObservation, ChartedValue, Consciousness } from './charted.js';
export type { ScoreInput, ScoreName, ScoreRecord } from './score-record.js';
export { effectiveRules } from './alarms/rules.js';
export type {
  AlarmRule,
  LifecyclePolicy,
  RuleScope,
  RuleSet,
  ScoreBandRule,
  StoredRuleSet,
  TechnicalPolicy,
  ThresholdRule,
} from './alarms/rules.js';
// scores (section owned by the scores work)
export type { Band } from './scores/band.js';
export { roundHalfUp } from './scores/rounding.js';
export {
  NEWS2_MONITORING,
  NEWS2_PRECISION,
  NEWS2_RESPONSE,
  NEWS2_RISK_BANDS,
  NEWS2_SOURCE,
} from './scores/news2-chart.js';
export { NEWS2_PARAMETERS, news2Monitoring, news2Risk, scoreNews2, scoreNews2Partial } from './scores/news2.js';
export type { News2Input, News2Parameter, News2PartialResult, News2Result, News2Risk } from './scores/news2.js';
export { parseNews2Input } from './scores/news2-input.js';
export type { News2InputError } from './scores/news2-input.js';
export { QSOFA_SOURCE, scoreQsofa } from './scores/qsofa.js';
export type { QsofaCriterion, QsofaInput, QsofaResult } from './scores/qsofa.js';
export { DEFAULT_MEWS_PRECISION, parseMewsTable, scoreMews, SUBBE_MEWS } from './scores/mews.js';
export type { MewsInput, MewsParameter, MewsResult, MewsTable } from './scores/mews.js';
// anomaly (section owned by the anomaly work)
export { AnomalyDetector } from './anomaly/anomaly-detector.js';
export { describeAnomaly } from './anomaly/anomaly-evaluation.js';
export type { AnomalyDirection, AnomalyEvaluation, AnomalyMeasure } from './anomaly/anomaly-evaluation.js';
export { DEFAULT_ANOMALY_POLICY, parseAnomalyPolicy } from './anomaly/anomaly-policy.js';
export type { AnomalyPolicy } from './anomaly/anomaly-policy.js';
export { BaselineTracker } from './anomaly/baseline-tracker.js';
export type { BaselineTrackerState, BucketMedian } from './anomaly/baseline-tracker-state.js';
// engine
export { ClinicalEngine, DEFAULT_ENGINE_POLICY, monitoredInState } from './engine/clinical-engine.js';
export type { EngineDeps, EnginePolicy, EngineState, ExternalCondition } from './engine/clinical-engine.js';
export { DEFAULT_ECG_POLICY } from './engine/ecg-monitor.js';
export type { EcgCondition, EcgMetrics, EcgPolicy } from './engine/ecg-monitor.js';
export { DEFAULT_SCORE_POLICY } from './engine/score-policy.js';
export type { ScorePolicy, VitalParameter } from './engine/score-policy.js';
export {
  DEFAULT_LIFECYCLE_POLICY,
  DEFAULT_RULES,
  DEFAULT_SCORE_RULES,
  DEFAULT_TECHNICAL_POLICY,
  DEFAULT_THRESHOLD_RULES,
} from './alarms/default-rules.js';
export { alarmId } from './alarms/alarm-id.js';
export { SYSTEM_ACTOR } from './alarms/lifecycle.js';
export { parseRules } from './alarms/parse-rules.js';
export { parseEnginePolicy } from './engine/parse-engine-policy.js';
