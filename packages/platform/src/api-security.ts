import { join } from 'node:path';
import type { ClinicalStore } from '@wardstream/alerts';
import {
  clinicalStoreAccessAudit,
  mountOAuthRoutes,
  mountUserRoutes,
  type ApiSecurity,
  type BreakGlassGrant,
  type RouteMounter,
} from '@wardstream/api';
import {
  IDENTITY_DB_FILE,
  IssuerService,
  JwtVerifier,
  LocalIssuer,
  SqliteIdentityStore,
  type LoginEvent,
} from '@wardstream/auth';
import type { Clock } from '@wardstream/domain';
import type { TokenIssuerConfig } from './config.js';
import type { Logger } from './logger.js';
import type { PlatformMetrics } from './metrics.js';

export interface ApiSecurityDeps {
  readonly tokens: TokenIssuerConfig;
  readonly dataDir: string;
  readonly keyDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: PlatformMetrics;
  /** The clinical store of the moment (a new instance after a recovery): the audit trail lives there. */
  readonly clinicalStore: () => ClinicalStore;
  /** Raises (and, at the grant's end, ends) a notification of a break-glass grant. */
  readonly notifyBreakGlass: (grant: BreakGlassGrant) => void;
}

/** The HTTP API's security, composed: who is authenticated by what, where accesses are audited. */
export interface ApiSecurityParts {
  readonly security: ApiSecurity;
  /** The embedded issuer's routes (`/oauth/*`, discovery, users, clients); none with an external issuer. */
  readonly identityRoutes: RouteMounter | undefined;
  /** The embedded issuer, to tell an operator at start whether an admin exists. */
  readonly identity: SqliteIdentityStore | undefined;
  close(): void;
}

/**
 * Authentication by bearer JWT from the embedded issuer (keys in `<key-dir>/oidc`, users in
 * `<data-dir>/identity.db`) or from the hospital's OIDC provider; every access to patient data and
 * every sign-in audited in the clinical store's hash-chained audit trail.
 */
export function openApiSecurity(deps: ApiSecurityDeps): ApiSecurityParts {
  const { tokens, logger, metrics } = deps;
  const appendAudit = deps.clinicalStore;
  let verifier: JwtVerifier;
  let identityRoutes: RouteMounter | undefined;
  let identity: SqliteIdentityStore | undefined;
  if (tokens.kind === 'embedded') {
    const issuer = LocalIssuer.openOrCreate({ keyDir: deps.keyDir, issuer: tokens.issuer, audience: tokens.audience });
    identity = SqliteIdentityStore.open({ path: join(deps.dataDir, IDENTITY_DB_FILE) });
    const service = new IssuerService({
      issuer,
      identity,
      now: () => deps.clock.now(),
      onEvent: (event: LoginEvent) => {
        if (event.kind !== 'login') {
          metrics.securityEvent('http', event.kind);
          logger.warn('security', event.kind === 'locked' ? 'sign-in locked out' : 'sign-in refused', { ...event });
        }
        try {
          // Sign-ins are not patient data: a failure to record one is logged, it does not refuse the sign-in.
          appendAudit().appendAudit({
            at: deps.clock.now(),
            actor: event.subject ?? 'unknown',
            action: `auth.${event.kind}`,
            subject: `user:${event.subject ?? 'unknown'}`,
            details: { grant: event.grant, client: event.client, reason: event.reason },
          });
        } catch (err) {
          logger.error('security', 'could not audit a sign-in', { error: (err as Error).message });
        }
      },
    });
    verifier = new JwtVerifier(
      { issuer: tokens.issuer, audience: tokens.audience, algorithms: ['ES256'] },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    const store = identity;
    identityRoutes = (app) => {
      mountOAuthRoutes(app, service);
      mountUserRoutes(app, store);
    };
  } else {
    verifier = new JwtVerifier(
      { issuer: tokens.issuer, audience: tokens.audience },
      { kind: 'remote', url: tokens.jwksUrl },
    );
  }

  const security: ApiSecurity = {
    authenticate: (header) => verifier.verifyHeader(header),
    accessAudit: clinicalStoreAccessAudit(deps.clinicalStore),
    onAuthFailure: (reason) => {
      metrics.securityEvent('http', `token-${reason}`);
    },
    onDenied: (route, reason) => {
      metrics.securityEvent('http', `denied-${reason}`);
      logger.warn('security', 'request refused', { route, reason });
    },
    onAuditFailure: (error) => {
      logger.error('security', 'a request was refused: the access audit could not be written', {
        error: error instanceof Error ? error.message : String(error),
      });
    },
    onBreakGlass: (grant) => {
      logger.warn('security', 'break-glass access granted', {
        grant: grant.id,
        patient: grant.patientId,
        subject: grant.subject,
        reason: grant.reason,
        until: new Date(grant.expiresAt).toISOString(),
      });
      metrics.securityEvent('http', 'break-glass');
      deps.notifyBreakGlass(grant);
    },
  };
  return {
    security,
    identityRoutes,
    identity,
    close: () => identity?.close(),
  };
}
