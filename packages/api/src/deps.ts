import type { ClinicalCommands, ClinicalStore } from '@wardstream/alerts';
import type { AuthFailure, Principal } from '@wardstream/auth';
import type { Catalogue, Clock, DeviceFleetStatus, DeviceId } from '@wardstream/domain';
import type { Registry } from '@wardstream/registry';
import type { ReadingStore } from '@wardstream/store';
import type { Hono } from 'hono';
import type { AccessAudit } from './access/access-audit.js';
import type { BreakGlassGrant, BreakGlassLimits } from './access/break-glass.js';
import type { DenyReason } from './access/decide.js';
import type { FleetAttentionPolicy } from './fleet-attention.js';
import type { LiveHub } from './live-hub.js';

/**
 * `down`: the component cannot do its work (readiness fails). `degraded`: it works, but something an
 * operator must see happened (e.g. a corrupt log record was skipped); readiness holds.
 */
export type ComponentStatus =
  { readonly status: 'ok' } | { readonly status: 'degraded' | 'down'; readonly detail: string };

/** The health of each component, as `/readyz` and `/api/v1/health` report it. */
export interface HealthReport {
  readonly components: Readonly<Record<string, ComponentStatus>>;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * What the API asks of the clinical engine: `ClinicalCommands` in process (embedded), or a client
 * that sends each command to the processor owning the patient's partition (scaled out). Errors are
 * `WardstreamError`s either way (NOT_FOUND, CONFLICT, INVALID_INPUT, UNAVAILABLE).
 */
export type ClinicalCommandsPort = {
  readonly [K in keyof ClinicalCommands]: ClinicalCommands[K] extends (...args: infer A) => infer R
    ? (...args: A) => MaybePromise<R>
    : never;
};

/** The clinical service as the API uses it: commands change alarms, charts and rules; the store is read. */
export interface ClinicalApiDeps {
  readonly commands: ClinicalCommandsPort;
  readonly store: ClinicalStore;
}

/** The devices' operational status as this process observes it, for `GET /api/v1/fleet`. */
export interface FleetApiDeps {
  /** Every device observed since `since` (messages stored, refusals, certificates). */
  status(): readonly DeviceFleetStatus[];
  /** When observation started, epoch ms (the process start: the status is in memory). */
  readonly since: number;
  /** Whether the device has a live MQTT connection now; absent when the gateway is another process. */
  readonly isConnected?: (deviceId: DeviceId) => boolean;
  readonly attention: FleetAttentionPolicy;
}

/**
 * Who may call the API, and the record of who did. Every route has a policy
 * (access/route-policies.ts); the guard authenticates, decides, audits, then runs the handler.
 */
export interface ApiSecurity {
  /**
   * The principal of an `Authorization` header value (`Bearer <jwt>`); throws AuthError, which
   * the API answers with 401. The composition root passes `JwtVerifier.verifyHeader`.
   */
  readonly authenticate: (header: string | undefined) => Promise<Principal>;
  /** One record per patient-data access, refusal and failed authentication; throws → 503, fail-closed. */
  readonly accessAudit: AccessAudit;
  /** Counts each failed authentication (the 401s). */
  readonly onAuthFailure: (reason: AuthFailure) => void;
  /** Counts each refusal (the 403s), by route as mounted and reason. */
  readonly onDenied: (route: string, reason: DenyReason) => void;
  /** Hears of each request refused because the audit could not be written (the 503s). */
  readonly onAuditFailure: (error: unknown) => void;
  /** A break-glass grant was made (after its audit record was written): notify (log, live feed, webhooks). */
  readonly onBreakGlass: (grant: BreakGlassGrant) => void;
  readonly breakGlassLimits?: BreakGlassLimits;
}

/** Mounts routes another package provides; inside the guard, so each needs a declared policy. */
export type RouteMounter = (app: Hono) => void;

/** What the HTTP API needs; the composition root provides it. */
export interface ApiDeps {
  readonly security: ApiSecurity;
  /**
   * Identity routes (`/.well-known/openid-configuration`, `/oauth/*`, `/api/v1/users*`,
   * `/api/v1/clients`) and enrollment decisions (`/api/v1/devices/{id}/approve|reject`), when
   * those services run.
   */
  readonly routes?: { readonly identity?: RouteMounter; readonly enrollment?: RouteMounter };
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly catalogue: Catalogue;
  readonly clock: Clock;
  readonly live: LiveHub;
  readonly health: () => HealthReport;
  /** Alarms, scores, charted observations, rules, audit; without it those routes are not mounted (404). */
  readonly clinical?: ClinicalApiDeps;
  /** The device fleet's status; without it `GET /api/v1/fleet` is not mounted (404). */
  readonly fleet?: FleetApiDeps;
  /**
   * The built web dashboard (`@wardstream/dashboard`'s `dist-web`: `index.html` and `assets/`),
   * served at `/app/`; without it those routes are not mounted (404).
   */
  readonly dashboardDir?: string;
  /** Prometheus exposition text of every metric. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Keep-alive comment interval of live streams. */
  readonly livePingMs?: number;
  /** Live events buffered per subscriber before it is cut off as too slow. */
  readonly liveQueueLimit?: number;
  /**
   * How often (ms, default 10 s) a live feed re-checks the caller's access to what it shows (a
   * device moved to another patient, a patient to another ward) and a ward feed re-reads its patients.
   */
  readonly liveRefreshMs?: number;
}
