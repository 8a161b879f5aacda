/** The seven codes (canonical unit, a typical adult value) that the store benchmarks write. */
export const BENCH_CODES = [
  ['MDC_ECG_HEART_RATE', '/min', 72],
  ['MDC_PULS_OXIM_SAT_O2', '%', 97],
  ['MDC_RESP_RATE', '/min', 16],
  ['MDC_TEMP_BODY', 'Cel', 36.8],
  ['MDC_PRESS_BLD_NONINV_SYS', 'mm[Hg]', 121],
  ['MDC_PRESS_BLD_NONINV_DIA', 'mm[Hg]', 79],
  ['MDC_PULS_OXIM_PULS_RATE', '/min', 71],
] as const;

/** An hour-aligned instant (2025-11-24T16:00:00Z) the store benchmarks start from. */
export const BENCH_T0 = 1_764_000_000_000;
