// A second process in miniature for postgres-clinical-store.int.test.ts: a thread with its own
// store that appends audit entries once the test opens the gate, and posts back the seqs it got.
import { parentPort, workerData } from 'node:worker_threads';
import { PostgresClinicalStore } from './postgres-clinical-store.js';

export interface AppenderData {
  readonly connectionString: string;
  readonly schema: string;
  readonly actor: string;
  readonly count: number;
  /** One Int32: the thread posts 'ready', then waits until the test sets it to 1. */
  readonly gate: SharedArrayBuffer;
}

const { connectionString, schema, actor, count, gate } = workerData as AppenderData;
const flags = new Int32Array(gate);
const store = PostgresClinicalStore.open({ connectionString, schema });
try {
  parentPort?.postMessage('ready');
  Atomics.wait(flags, 0, 0);
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    seqs.push(store.appendAudit({ at: i, actor, action: 'test.append', subject: `test:${actor}`, details: { i } }).seq);
  }
  parentPort?.postMessage(seqs);
} finally {
  store.close();
}
