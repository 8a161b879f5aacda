import type { News2Input } from '../scores/news2.js';

/** NEWS2 inputs with every parameter in its 0 band, so a test's one change is the whole score. */
export const NORMAL_NEWS2_INPUT: News2Input = {
  respirationRate: 16,
  spo2: 98,
  spo2Scale: 1,
  onOxygen: false,
  systolicBP: 120,
  pulse: 70,
  consciousness: 'A',
  temperatureC: 37.0,
};
