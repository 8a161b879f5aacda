import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * A tamper-evident audit trail: each record's hash covers the previous record's hash, its own
 * sequence number and its canonical body, so editing, deleting or reordering any record breaks the
 * chain from there on; a checkpoint (sequence number and hash, signed with a key kept outside the
 * data files it vouches for) written now and then makes cutting the tail off detectable too.
 */

/** The hash before the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedRecord {
  /** 1, 2, 3, … in append order. */
  readonly seq: number;
  /** The record as canonical JSON (`canonicalJson`): what the hash covers. */
  readonly body: string;
  /** Hex SHA-256 of (previous hash, seq, body). */
  readonly hash: string;
}

export interface SignedCheckpoint {
  readonly seq: number;
  readonly hash: string;
  /** When it was signed, epoch ms. */
  readonly at: number;
  /** Base64 Ed25519 signature of `checkpointPayload(seq, hash, at)`. */
  readonly signature: string;
}

export type ChainProblem = 'altered' | 'removed' | 'reordered' | 'truncated' | 'bad-checkpoint';

export type ChainReport =
  | {
      readonly ok: true;
      readonly records: number;
      readonly lastSeq: number;
      readonly lastHash: string;
      readonly checkpoints: number;
    }
  | {
      readonly ok: false;
      readonly problem: ChainProblem;
      /** The first record (or checkpoint) where the chain does not hold. */
      readonly seq: number;
      readonly detail: string;
    };

/** JSON with object keys sorted at every level: one byte string per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function chainHash(previousHash: string, seq: number, body: string): string {
  return createHash('sha256').update(`${previousHash}\n${seq}\n${body}`).digest('hex');
}

/** The record that follows `previous` (null for the first one). */
export function nextRecord(previous: Pick<ChainedRecord, 'seq' | 'hash'> | null, body: unknown): ChainedRecord {
  const seq = (previous?.seq ?? 0) + 1;
  const text = canonicalJson(body);
  return { seq, body: text, hash: chainHash(previous?.hash ?? GENESIS_HASH, seq, text) };
}

function checkpointPayload(seq: number, hash: string, at: number): Buffer {
  return Buffer.from(`wardstream-audit-checkpoint\n${seq}\n${hash}\n${at}`);
}

/** Signs the chain's state at `record` with an Ed25519 private key. */
export function signCheckpoint(
  record: Pick<ChainedRecord, 'seq' | 'hash'>,
  at: number,
  privateKey: KeyObject,
): SignedCheckpoint {
  const signature = sign(null, checkpointPayload(record.seq, record.hash, at), privateKey).toString('base64');
  return { seq: record.seq, hash: record.hash, at, signature };
}

/**
 * Checks the records in the order they were stored (not re-sorted: reordering is what is looked
 * for) and the signed checkpoints; reports the first problem.
 */
export function verifyChain(
  records: Iterable<ChainedRecord>,
  checkpoints: readonly SignedCheckpoint[] = [],
  publicKey?: KeyObject,
): ChainReport {
  let previousHash = GENESIS_HASH;
  let expected = 1;
  const hashBySeq = new Map<number, string>();
  const stored = [...records];
  const present = new Set(stored.map((r) => r.seq));
  for (const record of stored) {
    if (record.seq < expected) {
      return {
        ok: false,
        problem: 'reordered',
        seq: record.seq,
        detail: `record ${record.seq} comes after record ${expected - 1}`,
      };
    }
    if (record.seq > expected && present.has(expected)) {
      return {
        ok: false,
        problem: 'reordered',
        seq: expected,
        detail: `record ${expected} is stored after record ${record.seq}`,
      };
    }
    if (record.seq > expected) {
      const missing =
        record.seq - expected === 1 ? `record ${expected} is` : `records ${expected}–${record.seq - 1} are`;
      return { ok: false, problem: 'removed', seq: expected, detail: `${missing} missing before record ${record.seq}` };
    }
    if (chainHash(previousHash, record.seq, record.body) !== record.hash) {
      return { ok: false, problem: 'altered', seq: record.seq, detail: `record ${record.seq} does not match its hash` };
    }
    hashBySeq.set(record.seq, record.hash);
    previousHash = record.hash;
    expected++;
  }
  const lastSeq = expected - 1;
  for (const cp of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
    if (
      publicKey !== undefined &&
      !verify(null, checkpointPayload(cp.seq, cp.hash, cp.at), publicKey, Buffer.from(cp.signature, 'base64'))
    ) {
      return {
        ok: false,
        problem: 'bad-checkpoint',
        seq: cp.seq,
        detail: `the checkpoint at record ${cp.seq} is not signed by the audit key`,
      };
    }
    if (cp.seq > lastSeq) {
      return {
        ok: false,
        problem: 'truncated',
        seq: lastSeq + 1,
        detail: `a checkpoint signed at ${new Date(cp.at).toISOString()} vouches for ${cp.seq} records; ${lastSeq} remain`,
      };
    }
    if (hashBySeq.get(cp.seq) !== cp.hash) {
      return {
        ok: false,
        problem: 'altered',
        seq: cp.seq,
        detail: `record ${cp.seq} differs from what the checkpoint signed`,
      };
    }
  }
  return { ok: true, records: lastSeq, lastSeq, lastHash: previousHash, checkpoints: checkpoints.length };
}
