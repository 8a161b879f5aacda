import type { TelemetryLog } from '../telemetry-log.js';

/** Storage for one test of the contract suite. */
export interface LogFactory {
  /** Opens the log; called again after `close()`, it reopens the same storage. */
  open(): Promise<TelemetryLog>;
  /** Removes the storage; called once, after the log is closed. */
  cleanup(): Promise<void>;
}

/** The log of the running test, with a way to close and reopen it. */
export interface Session {
  /** The log open now; throws after `close()`. */
  readonly log: TelemetryLog;
  /** Closes the log and opens the same storage again. */
  reopen(): Promise<TelemetryLog>;
  close(): Promise<void>;
}

/** Declares one contract case; every case runs on fresh storage. */
export type CaseRunner = (
  title: string,
  body: (session: Session) => Promise<void>,
  options?: { timeout?: number },
) => void;

/** Runs `body` on a log over fresh storage, then closes the log and cleans the storage up. */
export async function withLog(
  makeFactory: () => Promise<LogFactory>,
  body: (session: Session) => Promise<void>,
): Promise<void> {
  const factory = await makeFactory();
  const current: { log: TelemetryLog | undefined } = { log: await factory.open() };
  const session: Session = {
    get log() {
      if (current.log === undefined) throw new Error('the test closed the log');
      return current.log;
    },
    reopen: async () => {
      await current.log?.close();
      current.log = await factory.open();
      return current.log;
    },
    close: async () => {
      await current.log?.close();
      current.log = undefined;
    },
  };
  try {
    await body(session);
  } finally {
    await current.log?.close();
    await factory.cleanup();
  }
}
