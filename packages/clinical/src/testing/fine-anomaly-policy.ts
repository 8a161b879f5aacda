import { parseAnomalyPolicy } from '../anomaly/anomaly-policy.js';

/** Anomaly tests' floors: at the display resolution, so small synthetic steps are measurable. */
export const FINE_ANOMALY_POLICY = parseAnomalyPolicy({
  minScale: {
    MDC_ECG_HEART_RATE: 2,
    MDC_PULS_OXIM_PULS_RATE: 2,
    MDC_PULS_RATE: 2,
    MDC_RESP_RATE: 1,
    MDC_PULS_OXIM_SAT_O2: 1,
    MDC_PRESS_BLD_NONINV_SYS: 4,
    MDC_TEMP_BODY: 0.1,
  },
});
