import assert from 'node:assert/strict';
import type { AuditEntry } from '../clinical-store.js';
import { T0 } from './fixtures.js';
import type { CaseRunner } from './session.js';

const entry = (subject: string, i: number): Omit<AuditEntry, 'seq'> => ({
  at: T0 + i,
  actor: 'nurse.okafor',
  action: 'alarm.acknowledge',
  subject,
  details: { note: `entry ${i}` },
});
const seqs = (entries: readonly AuditEntry[]): number[] => entries.map((e) => e.seq);

/** The audit trail and the engine checkpoint. */
export function auditCases(test: CaseRunner): void {
  test('appends audit entries with seq 1, 2, … and returns them', ({ store }) => {
    const appended = ['alarm:a1', 'patient:p-1', 'alarm:a2'].map((s, i) => store.appendAudit(entry(s, i)));
    assert.deepEqual(seqs(appended), [1, 2, 3]);
    assert.deepEqual(appended[1], { ...entry('patient:p-1', 1), seq: 2 });
    assert.deepEqual(store.audit({ limit: 10 }), appended);
  });

  test('queries the audit trail by subject prefix, afterSeq and limit, oldest first', ({ store }) => {
    const subjects = ['alarm:a1', 'ward:w_4', 'alarm:a2', 'ward:wx4', 'Alarm:a3', 'alarm:a1'];
    const all = subjects.map((s, i) => store.appendAudit(entry(s, i)));
    const [s1, s2, s3, s4, s5, s6] = seqs(all);
    assert.deepEqual(seqs(store.audit({ subjectPrefix: 'alarm:', limit: 10 })), [s1, s3, s6], 'case-sensitive');
    assert.deepEqual(seqs(store.audit({ subjectPrefix: 'alarm:a1', limit: 10 })), [s1, s6]);
    assert.deepEqual(seqs(store.audit({ subjectPrefix: 'ward:w_', limit: 10 })), [s2], '_ is not a wildcard');
    assert.deepEqual(seqs(store.audit({ subjectPrefix: '%', limit: 10 })), [], '% is not a wildcard');
    assert.deepEqual(seqs(store.audit({ subjectPrefix: '', limit: 10 })), seqs(all));
    assert.deepEqual(seqs(store.audit({ afterSeq: s3!, limit: 10 })), [s4, s5, s6]);
    assert.deepEqual(seqs(store.audit({ afterSeq: s1!, subjectPrefix: 'alarm:', limit: 10 })), [s3, s6]);
    assert.deepEqual(seqs(store.audit({ limit: 2 })), [s1, s2]);
    assert.deepEqual(seqs(store.audit({ subjectPrefix: 'alarm:', afterSeq: s1!, limit: 1 })), [s3]);
    assert.deepEqual(store.audit({ afterSeq: s6!, limit: 10 }), []);
    assert.deepEqual(store.audit({ limit: 0 }), []);
  });

  test('loads no checkpoint before a save, then the last one saved', ({ store }) => {
    assert.equal(store.loadCheckpoint(), undefined);
    store.saveCheckpoint({ offsets: { 0: 10, 1: 4 }, state: { alarms: ['a1'] }, savedAt: T0 });
    const last = { offsets: { 0: 12, 1: 4, 7: 0 }, state: { alarms: [], watermark: T0 + 5 }, savedAt: T0 + 1 };
    store.saveCheckpoint(last);
    assert.deepEqual(store.loadCheckpoint(), last);
    assert.equal(store.loadCheckpoint()?.offsets[7], 0);
  });
}
