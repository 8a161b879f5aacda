import type { ClinicalCommands, ClinicalStore } from '@wardstream/alerts';
import type { Catalogue, Clock } from '@wardstream/domain';
import type { Registry } from '@wardstream/registry';
import type { ReadingStore } from '@wardstream/store';
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

/** The clinical service as the API uses it: commands change alarms, charts and rules; the store is read. */
export interface ClinicalApiDeps {
  readonly commands: ClinicalCommands;
  readonly store: ClinicalStore;
}

/** What the HTTP API needs; the composition root provides it. */
export interface ApiDeps {
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly catalogue: Catalogue;
  readonly clock: Clock;
  readonly live: LiveHub;
  readonly health: () => HealthReport;
  /** Alarms, scores, charted observations, rules, audit; without it those routes are not mounted (404). */
  readonly clinical?: ClinicalApiDeps;
  /** Prometheus exposition text of every metric. */
  readonly metrics: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Keep-alive comment interval of live streams. */
  readonly livePingMs?: number;
  /** Live events buffered per subscriber before it is cut off as too slow. */
  readonly liveQueueLimit?: number;
}
