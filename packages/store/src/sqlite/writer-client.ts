import { Worker } from 'node:worker_threads';
import { WardstreamError } from '@wardstream/domain';
import type { WriterThreadData } from './writer-thread.js';
import type { Envelope, Reply, ReplyOf, WriterRequest } from './writer-protocol.js';

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * The main thread's handle on the writer thread: posts requests, resolves each with its reply.
 * A failed request rejects with a `WardstreamError` (CORRUPT when the writer found corrupt data,
 * else UNAVAILABLE) whose cause carries the writer's message; if the thread dies, everything
 * pending rejects with UNAVAILABLE.
 */
export class WriterClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      this.settle(reply);
    });
    worker.on('error', (err) => {
      this.die(err);
    });
    worker.on('exit', (code) => {
      this.die(new Error(`writer thread exited with code ${code}`));
    });
  }

  /** Starts the writer thread and waits until it has opened the database. */
  static start(data: WriterThreadData): Promise<WriterClient> {
    // The host's flags (say --input-type, or a test runner's) are not the writer's business.
    const worker = new Worker(new URL('./writer-thread.js', import.meta.url), { workerData: data, execArgv: [] });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        reject(new WardstreamError('UNAVAILABLE', `cannot start the writer of ${data.path}`, { cause: err }));
      };
      worker.once('error', onError);
      worker.once('message', () => {
        worker.off('error', onError);
        const client = new WriterClient(worker);
        // After the client attached its listeners: attaching a 'message' listener re-refs a worker.
        worker.unref();
        resolve(client);
      });
    });
  }

  /** Posts a request; `transfer` lists buffers handed over (they become unusable here). */
  request<K extends WriterRequest['kind']>(
    request: Extract<WriterRequest, { kind: K }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<ReplyOf[K]> {
    if (this.dead !== undefined) {
      return Promise.reject(new WardstreamError('UNAVAILABLE', 'the writer thread is gone', { cause: this.dead }));
    }
    const id = this.nextId++;
    const envelope: Envelope = { ...request, id };
    // The thread keeps the process alive only while a request is in flight, like any pending I/O.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<ReplyOf[K]>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (result) => {
          resolve(result as ReplyOf[K]);
        },
        reject,
      });
      this.worker.postMessage(envelope, transfer);
    });
  }

  /** Stops the thread at once, as a crash would: a transaction in progress is rolled back. */
  async terminate(): Promise<void> {
    this.dead ??= new Error('terminated');
    await this.worker.terminate();
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) {
      pending.resolve(reply.result);
      return;
    }
    const cause = Object.assign(new Error(reply.error.message), reply.error);
    const code = reply.error.code === 'CORRUPT' ? 'CORRUPT' : 'UNAVAILABLE';
    pending.reject(new WardstreamError(code, `store writer: ${reply.error.message}`, { cause }));
  }

  private die(err: Error): void {
    this.dead ??= err;
    for (const pending of this.pending.values()) {
      pending.reject(new WardstreamError('UNAVAILABLE', 'the writer thread is gone', { cause: err }));
    }
    this.pending.clear();
  }
}
