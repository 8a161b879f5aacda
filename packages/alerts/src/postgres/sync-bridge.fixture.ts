import { WardstreamError } from '@wardstream/domain';
import { bridgeWorkerData, serveSyncBridge, type Handlers } from './sync-bridge.js';

/** The requests the bridge test sends (sync-bridge.test.ts). */
export type FixtureProtocol = {
  echo(value: unknown): unknown;
  data(): unknown;
  /** Throws a WardstreamError with `code`. */
  fail(code: 'CONFLICT' | 'INVALID_INPUT'): never;
  /** Throws a plain Error. */
  bug(): never;
  /** Answers only once `release` is called. */
  hold(): string;
  release(): string;
  /** Throws outside any request, as a bug in a driver callback would. */
  crash(): never;
};

let held: (() => void) | undefined;

const handlers: Handlers<FixtureProtocol> = {
  echo: (value) => value,
  data: () => bridgeWorkerData(),
  fail: (code) => {
    throw new WardstreamError(code, `failed with ${code}`);
  },
  bug: () => {
    throw new TypeError('cannot read properties of undefined');
  },
  hold: () =>
    new Promise<string>((resolve) => {
      held = () => {
        resolve('held');
      };
    }),
  release: () => {
    held?.();
    return 'released';
  },
  crash: () =>
    new Promise<never>(() => {
      setImmediate(() => {
        throw new Error('driver callback blew up');
      });
    }),
};

serveSyncBridge(handlers, { close: () => Promise.resolve() });
