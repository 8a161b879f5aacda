import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson, nextRecord, signCheckpoint, verifyChain, type ChainedRecord } from './audit-chain.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function chain(n: number): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      nextRecord(out.at(-1) ?? null, {
        at: 1_795_000_000_000 + i * 1000,
        user: i % 2 === 0 ? 'nurse.jones' : 'dr.who',
        role: i % 2 === 0 ? 'nurse' : 'physician',
        patient: `p${i % 3}`,
        action: 'read',
        object: `/api/v1/patients/p${i % 3}/readings`,
        outcome: 'allowed',
      }),
    );
  }
  return out;
}

test('an untouched chain verifies, with its checkpoints', () => {
  const records = chain(10);
  const checkpoints = [signCheckpoint(records[4]!, 1, privateKey), signCheckpoint(records[9]!, 2, privateKey)];
  assert.deepEqual(verifyChain(records, checkpoints, publicKey), {
    ok: true,
    records: 10,
    lastSeq: 10,
    lastHash: records[9]!.hash,
    checkpoints: 2,
  });
});

test('edit, delete, reorder and truncate are each reported at the first record affected', () => {
  const records = chain(10);
  const checkpoints = [signCheckpoint(records[9]!, 1, privateKey)];
  const edited = records.map((r) => (r.seq === 4 ? { ...r, body: r.body.replace('"read"', '"export"') } : r));
  assert.deepEqual(pick(verifyChain(edited, checkpoints, publicKey)), ['altered', 4]);
  const deleted = records.filter((r) => r.seq !== 6);
  assert.deepEqual(pick(verifyChain(deleted, checkpoints, publicKey)), ['removed', 6]);
  const swapped = [...records];
  [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
  assert.deepEqual(pick(verifyChain(swapped, checkpoints, publicKey)), ['reordered', 3]);
  // the attacker renumbers and re-hashes after a deletion: the chain is consistent, the checkpoint is not
  const rewritten: ChainedRecord[] = [];
  for (const r of records.filter((x) => x.seq !== 6))
    rewritten.push(nextRecord(rewritten.at(-1) ?? null, JSON.parse(r.body)));
  assert.deepEqual(pick(verifyChain(rewritten, checkpoints, publicKey)), ['truncated', 10]);
  const truncated = records.slice(0, 7);
  assert.deepEqual(pick(verifyChain(truncated, checkpoints, publicKey)), ['truncated', 8]);
  // a checkpoint forged with another key
  const forged = [signCheckpoint(records[9]!, 1, other.privateKey)];
  assert.deepEqual(pick(verifyChain(records, forged, publicKey)), ['bad-checkpoint', 10]);
});

test('canonical JSON does not depend on key order', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }),
    '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(nextRecord(null, { b: 1, a: 2 }).hash, nextRecord(null, { a: 2, b: 1 }).hash);
});

function pick(report: ReturnType<typeof verifyChain>): [string, number] | 'ok' {
  return report.ok ? 'ok' : [report.problem, report.seq];
}
