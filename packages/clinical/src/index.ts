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
// anomaly (section owned by the anomaly work)
// engine
