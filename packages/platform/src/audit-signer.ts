import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SqliteClinicalStore } from '@wardstream/alerts';
import { signCheckpoint } from '@wardstream/auth';
import type { Clock } from '@wardstream/domain';
import type { Logger } from './logger.js';

export const AUDIT_PRIVATE_KEY = 'audit-ed25519.key';
export const AUDIT_PUBLIC_KEY = 'audit-ed25519.pub';

export interface AuditKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/**
 * The Ed25519 key that signs audit checkpoints, kept in `dir` — outside the data directory whose
 * trail it vouches for, so whoever can rewrite the data files cannot re-sign them. Created on first
 * use (private key mode 0600, directory 0700); the public key sits beside it for `audit verify`.
 */
export function loadOrCreateAuditKeys(dir: string): AuditKeys {
  const privatePath = join(dir, AUDIT_PRIVATE_KEY);
  if (existsSync(privatePath)) {
    const privateKey = createPrivateKey(readFileSync(privatePath));
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  writeFileSync(join(dir, AUDIT_PUBLIC_KEY), publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey, publicKey };
}

/**
 * Signs the audit chain's head now and then (and at stop) when it moved: a checkpoint a later
 * `wardstream audit verify` holds the trail to, so entries cut off the end show as truncation.
 */
export class AuditSigner {
  private timer: NodeJS.Timeout | undefined;
  private lastSigned = 0;

  constructor(
    private readonly store: () => SqliteClinicalStore,
    private readonly keys: AuditKeys,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sign(), this.intervalMs);
    this.timer.unref();
  }

  /** Signs the head if entries were added since the last checkpoint; failures are logged, not thrown. */
  sign(): void {
    try {
      const store = this.store();
      const head = store.auditHead();
      if (head === null || head.seq === this.lastSigned) return;
      store.addAuditCheckpoint(signCheckpoint(head, this.clock.now(), this.keys.privateKey));
      this.lastSigned = head.seq;
    } catch (error) {
      this.logger.warn('audit', 'could not sign an audit checkpoint; will try again', {
        error: (error as Error).message,
      });
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.sign();
  }
}
