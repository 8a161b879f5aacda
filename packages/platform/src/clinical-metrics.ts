import type { ClinicalService } from '@wardstream/alerts';
import type { AlarmEvent, EcgMetrics } from '@wardstream/clinical';
import type { Clock } from '@wardstream/domain';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const DAY_MS = 86_400_000;

/**
 * Alarm-burden metrics (ALARMS.md: alarms per bed-day and per patient-hour by type and priority, time
 * to acknowledge, share acknowledged). Counters follow events as they happen; the rates over the last
 * 24 h are computed at scrape time from the clinical store, like `GET /api/v1/alarm-burden`.
 */
export class ClinicalMetrics {
  private readonly events: Counter<'type' | 'category' | 'priority'>;
  private readonly ackSeconds: Histogram<'priority'>;
  private readonly ecgBeats: Counter;
  private readonly ecgWindows: Counter<'quality'>;

  constructor(registry: Registry, service: () => ClinicalService | undefined, clock: Clock) {
    this.events = new Counter({
      name: 'wardstream_alarm_events_total',
      help: 'Alarm state changes by event type, category and priority',
      labelNames: ['type', 'category', 'priority'],
      registers: [registry],
    });
    this.ackSeconds = new Histogram({
      name: 'wardstream_alarm_time_to_acknowledge_seconds',
      help: 'Raised (condition met) to acknowledged',
      labelNames: ['priority'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    });
    this.ecgBeats = new Counter({
      name: 'wardstream_ecg_beats_total',
      help: 'QRS complexes detected on the analysed ECG leads',
      registers: [registry],
    });
    this.ecgWindows = new Counter({
      name: 'wardstream_ecg_windows_total',
      help: 'Analysed 5 s windows of ECG by the signal quality of their last second (good, low-amplitude, noisy, flat, saturated)',
      labelNames: ['quality'],
      registers: [registry],
    });
    new Gauge({
      name: 'wardstream_alarms_open',
      help: 'Alarms not resolved, by state and priority',
      labelNames: ['state', 'priority'],
      registers: [registry],
      collect() {
        this.reset();
        for (const alarm of service()?.openAlarms() ?? []) this.inc({ state: alarm.state, priority: alarm.priority });
      },
    });
    const burden = () => {
      const now = clock.now();
      return service()?.commands.burden(now - DAY_MS, now);
    };
    new Gauge({
      name: 'wardstream_alarms_per_patient_hour_24h',
      help: 'Alarms raised per monitored patient-hour over the last 24 h, by category and priority',
      labelNames: ['category', 'priority'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of burden()?.byType ?? []) {
          if (t.perPatientHour !== null) this.set({ category: t.category, priority: t.priority }, t.perPatientHour);
        }
      },
    });
    new Gauge({
      name: 'wardstream_alarms_per_bed_day_24h',
      help: 'Alarms raised per monitored bed-day (24 patient-hours) over the last 24 h, by category and priority',
      labelNames: ['category', 'priority'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of burden()?.byType ?? []) {
          if (t.perBedDay !== null) this.set({ category: t.category, priority: t.priority }, t.perBedDay);
        }
      },
    });
    new Gauge({
      name: 'wardstream_alarms_share_acknowledged_24h',
      help: 'Share of the alarms raised over the last 24 h that have been acknowledged',
      registers: [registry],
      collect() {
        this.set(burden()?.shareAcknowledged ?? 0);
      },
    });
  }

  /** Counts the beats and the signal quality of one ECG metrics window. */
  ecg(metrics: EcgMetrics): void {
    this.ecgBeats.inc(metrics.beatsAt.length);
    this.ecgWindows.inc({ quality: metrics.quality ?? 'unknown' });
  }

  /** Counts an event stored for the first time. */
  event(event: AlarmEvent): void {
    const { alarm } = event;
    this.events.inc({ type: event.type, category: alarm.category, priority: alarm.priority });
    if (event.type === 'acknowledged' && alarm.acknowledgedAt !== null) {
      this.ackSeconds.observe({ priority: alarm.priority }, Math.max(0, alarm.acknowledgedAt - alarm.raisedAt) / 1000);
    }
  }
}
