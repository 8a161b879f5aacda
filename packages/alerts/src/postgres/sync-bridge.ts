import { MessageChannel, receiveMessageOnPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { WardstreamError, type ErrorCode } from '@wardstream/domain';

/**
 * A synchronous call into asynchronous code: a worker thread runs the requests (e.g. SQL through a
 * `pg` pool); the calling thread posts one and blocks in `Atomics.wait` until the worker has posted
 * the answer and bumped a shared counter, then picks the answer up with `receiveMessageOnPort`. This
 * is how a synchronous port (the `ClinicalStore`) sits on an asynchronous client. The calling thread
 * does nothing else while it waits, so a call costs a thread hop on top of the work itself.
 *
 * `P` maps each request name to its signature as the caller sees it; arguments and results travel
 * by structured clone.
 */
export type Protocol = Record<string, (...args: never[]) => unknown>;

/** What the worker runs for each request of `P`. */
export type Handlers<P extends Protocol> = {
  readonly [K in keyof P]: (...args: Parameters<P[K]>) => ReturnType<P[K]> | Promise<ReturnType<P[K]>>;
};

export interface SyncBridgeOptions {
  /** Names the bridge in errors, e.g. `PostgreSQL clinical store wardstream`. */
  readonly name: string;
  /** How long a call waits for its answer before throwing UNAVAILABLE. */
  readonly callTimeoutMs: number;
  /** Handed to the worker as `bridgeWorkerData()`; structured-cloneable. */
  readonly workerData?: unknown;
}

interface Request {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
}

/** A failure as it crosses the thread boundary: Error objects lose their own properties in a clone. */
interface RemoteError {
  readonly code: ErrorCode | null;
  readonly message: string;
}

type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: RemoteError }
  | { readonly crashed: string };

interface BridgeData {
  readonly port: MessagePort;
  /** Int32 counter the worker bumps after each reply it posts. */
  readonly signal: SharedArrayBuffer;
  readonly data: unknown;
}

const CLOSE = '$close';
const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_INPUT',
  'UNAVAILABLE',
  'CORRUPT',
  'CLOSED',
]);

/**
 * The calling side. Each call throws what the worker threw with its `WardstreamError` code (other
 * failures become UNAVAILABLE), UNAVAILABLE when no answer came within `callTimeoutMs` (the work may
 * still complete in the worker), UNAVAILABLE naming the cause once the worker has crashed, and
 * CLOSED after `close()`. A crash the worker cannot report (it was terminated) shows as a timeout.
 */
export class SyncBridge<P extends Protocol> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal: Int32Array;
  private nextId = 0;
  private closed = false;
  private failure: string | undefined;

  constructor(
    workerUrl: URL,
    private readonly options: SyncBridgeOptions,
  ) {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: BridgeData = { port: port2, signal, data: options.workerData };
    this.worker = new Worker(workerUrl, { workerData: data, transferList: [port2] });
    this.port = port1;
    this.signal = new Int32Array(signal);
    // Seen only when the calling thread's event loop turns; a call in progress learns of a crash
    // from the worker's own report (or its timeout).
    this.worker.on('error', (err) => {
      this.failure ??= `the worker failed: ${err.message}`;
    });
    this.worker.on('exit', (code) => {
      if (!this.closed) this.failure ??= `the worker exited with code ${code}`;
    });
    // Neither keeps the process alive: a call holds the thread while it runs.
    this.worker.unref();
    this.port.unref();
  }

  /** Runs `name` in the worker and returns its result, blocking the calling thread until then. */
  call<K extends keyof P & string>(name: K, ...args: Parameters<P[K]>): ReturnType<P[K]> {
    this.checkOpen();
    return this.send(name, args) as ReturnType<P[K]>;
  }

  /** Throws CLOSED after `close()`, UNAVAILABLE after a worker crash. */
  checkOpen(): void {
    if (this.closed) throw new WardstreamError('CLOSED', `${this.options.name} is closed`);
    if (this.failure !== undefined) {
      throw new WardstreamError('UNAVAILABLE', `${this.options.name} is unavailable: ${this.failure}`);
    }
  }

  /**
   * Runs the worker's close hook (waiting at most the call timeout), then ends the worker. Never
   * throws: a hook that failed or hung is cut short by ending the worker. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    try {
      if (this.failure === undefined) this.send(CLOSE, []);
    } catch {
      // Ending the worker below releases what the hook did not.
    } finally {
      this.closed = true;
      this.port.close();
      void this.worker.terminate();
    }
  }

  private send(name: string, args: readonly unknown[]): unknown {
    const id = ++this.nextId;
    const deadline = performance.now() + this.options.callTimeoutMs;
    let seen = Atomics.load(this.signal, 0);
    const request: Request = { id, name, args };
    try {
      this.port.postMessage(request);
    } catch (cause) {
      throw new WardstreamError('INVALID_INPUT', `${this.options.name}: the arguments of ${name} cannot be sent`, {
        cause,
      });
    }
    for (;;) {
      const reply = this.take(id);
      if (reply !== undefined) {
        if (reply.ok) return reply.value;
        const { code, message } = reply.error;
        if (code !== null) throw new WardstreamError(code, message);
        throw new WardstreamError('UNAVAILABLE', `${this.options.name}: ${name} failed in the worker: ${message}`);
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new WardstreamError(
          'UNAVAILABLE',
          `${this.options.name}: no answer to ${name} within ${this.options.callTimeoutMs} ms (it may still complete)`,
        );
      }
      Atomics.wait(this.signal, 0, seen, remaining);
      seen = Atomics.load(this.signal, 0);
    }
  }

  /** The reply to `id` if it has come; drops replies to calls that timed out; throws on a crash report. */
  private take(id: number): Extract<Reply, { id: number }> | undefined {
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received === undefined) return undefined;
      const reply = received.message as Reply;
      if ('crashed' in reply) {
        this.failure = `the worker crashed: ${reply.crashed}`;
        this.checkOpen();
      } else if (reply.id === id) {
        return reply;
      }
    }
  }
}

/** In the worker: what the caller passed as `workerData`. */
export function bridgeWorkerData(): unknown {
  return (workerData as BridgeData).data;
}

/** What the worker does besides answering requests. */
export interface WorkerHooks {
  /** Runs on `SyncBridge.close()`, before the worker ends (e.g. ends a connection pool). */
  close(): Promise<void>;
  /** Turns what a handler threw into the error the caller gets; by default only WardstreamErrors keep their code. */
  failure?(request: string, err: unknown): unknown;
}

/**
 * In the worker: answers the calling thread's requests with `handlers`, concurrently, each reply
 * as soon as its handler settles. After `hooks.close` the worker lets its event loop drain. An
 * uncaught exception is reported to the caller, and the worker exits.
 */
export function serveSyncBridge<P extends Protocol>(handlers: Handlers<P>, hooks: WorkerHooks): void {
  const { port, signal } = workerData as BridgeData;
  const counter = new Int32Array(signal);
  const post = (reply: Reply): void => {
    port.postMessage(reply);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  process.on('uncaughtException', (err) => {
    post({ crashed: describe(err) });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    post({ crashed: describe(reason) });
    process.exit(1);
  });
  const table = handlers as Readonly<Record<string, (...args: readonly unknown[]) => unknown>>;
  port.on('message', (request: Request) => {
    void (async () => {
      try {
        if (request.name === CLOSE) {
          await hooks.close();
          post({ id: request.id, ok: true, value: undefined });
          port.close();
          return;
        }
        const handler = Object.hasOwn(table, request.name) ? table[request.name] : undefined;
        if (handler === undefined) throw new Error(`no handler for ${request.name}`);
        post({ id: request.id, ok: true, value: await handler(...request.args) });
      } catch (err) {
        post({ id: request.id, ok: false, error: remoteError(hooks.failure?.(request.name, err) ?? err) });
      }
    })();
  });
}

function remoteError(err: unknown): RemoteError {
  if (err instanceof WardstreamError && ERROR_CODES.has(err.code)) return { code: err.code, message: err.message };
  return { code: null, message: describe(err) };
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') return err.errors.map(describe).join('; ');
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
