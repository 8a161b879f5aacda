import { statSync } from 'node:fs';
import { WardstreamError } from '@wardstream/domain';
import type { Checkpoint, Subject } from '../reading-store.js';

/** The checkpoint as stored; throws INVALID_INPUT when it cannot be (cycles, BigInt). */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  try {
    return JSON.stringify({ offsets: checkpoint.offsets, state: checkpoint.state });
  } catch (err) {
    throw new WardstreamError('INVALID_INPUT', 'checkpoint is not JSON-serialisable', { cause: err });
  }
}

/** Throws INVALID_INPUT unless the subject names an id and the window is finite. */
export function checkWindow(subject: Subject, fromAt: number, toAt: number): void {
  const id: unknown = 'patientId' in subject ? subject.patientId : (subject as { deviceId?: unknown }).deviceId;
  if (typeof id !== 'string' || id === '') {
    throw new WardstreamError('INVALID_INPUT', 'subject must name a patientId or a deviceId');
  }
  if (!Number.isFinite(fromAt) || !Number.isFinite(toAt)) {
    throw new WardstreamError('INVALID_INPUT', 'fromAt and toAt must be finite epoch milliseconds');
  }
}

/** Size of a file in bytes, 0 when it does not exist. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
