/**
 * The writer thread: owns the one writing SQLite connection of a `SqliteReadingStore`, so that
 * encoding chunks, inserting them, the fsync of each commit, WAL checkpoints and compaction never
 * block the main thread's event loop. It handles one request at a time, in the order posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ChunkWriter } from './chunk-table.js';
import { Compactor } from './compactor.js';
import { FlushWriter } from './flusher.js';
import { prepareWriter } from './schema.js';
import { WaveformWriter } from './waveform-table.js';
import type { Envelope, Reply, WriterRequest } from './writer-protocol.js';

/** What the main thread passes at start. */
export interface WriterThreadData {
  readonly path: string;
  readonly chunkSamples: number;
  readonly sliceBudgetMs: number;
}

const port = parentPort;
if (port === null) throw new Error('writer-thread.js runs as a worker thread');
const data = workerData as WriterThreadData;
const db = new Database(data.path);
prepareWriter(db);
const chunks = new ChunkWriter(db);
const flusher = new FlushWriter(db, chunks, new WaveformWriter(db), data.chunkSamples);
const compactor = new Compactor(db, chunks, data);

function handle(request: WriterRequest): unknown {
  switch (request.kind) {
    case 'flush':
      return flusher.write(request);
    case 'compact':
      return compactor.slice(request);
    case 'close':
      db.close();
      return null;
  }
}

port.on('message', (envelope: Envelope) => {
  let reply: Reply;
  try {
    reply = { id: envelope.id, ok: true, result: handle(envelope) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = (e as { code?: unknown }).code;
    reply = {
      id: envelope.id,
      ok: false,
      error: {
        message: e.message,
        ...(typeof code === 'string' ? { code } : {}),
        ...(e.stack ? { stack: e.stack } : {}),
      },
    };
  }
  port.postMessage(reply);
  if (envelope.kind === 'close') port.close();
});
port.postMessage({ ready: true });
