import { canonicalJson, chainHash } from '@wardstream/auth';
import type pg from 'pg';
import type { Handlers } from './sync-bridge.js';
import type { ClinicalProtocol } from './protocol.js';

type AuditRequests = Pick<
  ClinicalProtocol,
  'appendAudit' | 'audit' | 'auditHead' | 'addAuditCheckpoint' | 'auditCheckpoints' | 'auditChain'
>;

/**
 * The audit trail in SQL (`s` is the quoted schema). An append locks the `audit_head` row for its
 * transaction: the next appender, in this process or another, waits for the commit and chains to
 * the entry it wrote, so seqs are 1, 2, 3, … with no gap and no repeat, and a rolled-back append
 * hands its seq to the next one.
 */
export function auditHandlers(pool: pg.Pool, s: string): Handlers<AuditRequests> {
  return {
    appendAudit: async (at, actor, action, subject, json) => {
      const client = await pool.connect();
      let release: boolean | Error = false;
      try {
        await client.query('BEGIN');
        const head = await client.query<{ seq: string; hash: string }>({
          name: 'clinical.lockAuditHead',
          text: `SELECT seq, hash FROM ${s}.audit_head FOR UPDATE`,
        });
        const previous = head.rows[0];
        if (previous === undefined) throw new Error(`${s}.audit_head has no row`);
        const seq = Number(previous.seq) + 1;
        const hash = chainHash(previous.hash, seq, canonicalJson(JSON.parse(json)));
        await client.query({
          name: 'clinical.appendAudit',
          text: `WITH head AS (UPDATE ${s}.audit_head SET seq = $1, hash = $2)
                 INSERT INTO ${s}.audit_entries (seq, hash, at, actor, action, subject, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          values: [seq, hash, at, actor, action, subject, json],
        });
        await client.query('COMMIT');
        return seq;
      } catch (err) {
        // A connection that cannot roll back is broken: the pool must not hand it out again.
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
          release = rollbackFailed instanceof Error ? rollbackFailed : true;
        });
        throw err;
      } finally {
        client.release(release);
      }
    },
    // starts_with, not LIKE: the prefix is matched as given (case, % and _ included).
    audit: async (after, prefix, limit) => {
      const result = await pool.query<{ seq: string; json: string }>({
        name: 'clinical.audit',
        text: `SELECT seq, body::text AS json FROM ${s}.audit_entries
               WHERE seq > $1 AND ($2::text IS NULL OR starts_with(subject, $2)) ORDER BY seq LIMIT $3`,
        values: [after, prefix, limit],
      });
      return result.rows.map((row) => ({ seq: Number(row.seq), key: row.seq, json: row.json }));
    },
    auditHead: async () => {
      const result = await pool.query<{ seq: string; hash: string }>({
        name: 'clinical.auditHead',
        text: `SELECT seq, hash FROM ${s}.audit_head WHERE seq > 0`,
      });
      const row = result.rows[0];
      return row === undefined ? null : { seq: Number(row.seq), hash: row.hash };
    },
    addAuditCheckpoint: async (checkpoint) => {
      await pool.query({
        name: 'clinical.addAuditCheckpoint',
        text: `INSERT INTO ${s}.audit_checkpoints (seq, hash, at, signature) VALUES ($1, $2, $3, $4)
               ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, at = excluded.at, signature = excluded.signature`,
        values: [checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.signature],
      });
      return null;
    },
    auditCheckpoints: async () => {
      const result = await pool.query<{ seq: string; hash: string; at: string; signature: string }>({
        name: 'clinical.auditCheckpoints',
        text: `SELECT seq, hash, at, signature FROM ${s}.audit_checkpoints ORDER BY seq`,
      });
      return result.rows.map((r) => ({ seq: Number(r.seq), hash: r.hash, at: Number(r.at), signature: r.signature }));
    },
    // By seq: PostgreSQL keeps no insertion order to check (SQLite's verifier reads rowid order).
    auditChain: async () => {
      const result = await pool.query<{ seq: string; json: string; hash: string }>({
        name: 'clinical.auditChain',
        text: `SELECT seq, body::text AS json, hash FROM ${s}.audit_entries ORDER BY seq`,
      });
      return result.rows.map((r) => ({ seq: Number(r.seq), json: r.json, hash: r.hash }));
    },
  };
}
