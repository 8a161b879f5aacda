/**
 * What the device fleet view shows, kept apart from the page so Node tests can run it: one row per
 * device of `GET /api/v1/fleet`, its values as an operator reads them, and the order of the rows
 * (devices needing attention first). Pure: the time "now" is always a parameter.
 */
import { formatAge } from './ward.js';

/** Why a device needs attention, as the API names it. */
export type AttentionReason =
  | 'silent'
  | 'certificate-expired'
  | 'certificate-expiring'
  | 'not-approved'
  | 'battery-low'
  | 'clock-skew'
  | 'device-errors'
  | 'rejected-messages';

/** One device as `GET /api/v1/fleet` serves it; fields used here. */
export interface ApiFleetDevice {
  readonly id: string;
  readonly model: string | null;
  readonly connected?: boolean;
  readonly binding: { readonly bound: boolean; readonly since: string | null; readonly wardId: string | null };
  readonly lastSeenAt: string | null;
  readonly battery: number | null;
  readonly rssiDbm: number | null;
  readonly firmware: string | null;
  readonly clockSkewMs: number | null;
  readonly certificate: { readonly notAfter: string } | null;
  readonly counters: {
    readonly messages: number;
    readonly implausible: number;
    readonly artifact: number;
    readonly late: number;
    readonly clockSkew: number;
    readonly refusedMessages: number;
    readonly refusedItems: number;
  };
  readonly deviceErrors: readonly string[];
  readonly attention: readonly string[];
}

/** `GET /api/v1/fleet`. */
export interface ApiFleet {
  readonly observedSince: string;
  readonly devices: readonly ApiFleetDevice[];
}

/** How a value looks: `warning` (amber), `alarm` (red), or plain. */
export type Tone = 'normal' | 'warning' | 'alarm';

export interface AttentionTag {
  readonly reason: string;
  readonly label: string;
  readonly tone: Tone;
}

/** One row of the fleet table at `nowMs`. */
export interface FleetRowView {
  readonly id: string;
  readonly model: string;
  /** `ward demo-ward`, `bound, no ward`, or `unbound`. */
  readonly binding: string;
  readonly connected: boolean | undefined;
  readonly lastSeen: { readonly text: string; readonly silent: boolean; readonly at: string | null };
  readonly battery: { readonly text: string; readonly tone: Tone };
  readonly signal: string;
  readonly clockSkew: { readonly text: string; readonly tone: Tone };
  readonly firmware: string;
  readonly certificate: { readonly text: string; readonly tone: Tone; readonly notAfter: string | null };
  /** Quality and refusal counts, only the non-zero ones (`—` when all are zero). */
  readonly counters: string;
  readonly deviceErrors: string;
  readonly attention: readonly AttentionTag[];
}

const DAY_MS = 86_400_000;

/** The tags' words and colours: red when monitoring is lost or about to be, amber otherwise. */
const REASONS: Readonly<Record<AttentionReason, { label: string; tone: Tone }>> = {
  silent: { label: 'silent', tone: 'alarm' },
  'certificate-expired': { label: 'certificate expired', tone: 'alarm' },
  'certificate-expiring': { label: 'certificate expiring', tone: 'warning' },
  'not-approved': { label: 'not approved', tone: 'warning' },
  'battery-low': { label: 'battery low', tone: 'warning' },
  'clock-skew': { label: 'clock skew', tone: 'warning' },
  'device-errors': { label: 'device errors', tone: 'warning' },
  'rejected-messages': { label: 'messages refused', tone: 'warning' },
};

function tag(reason: string): AttentionTag {
  const known = (REASONS as Readonly<Record<string, { label: string; tone: Tone }>>)[reason];
  return { reason, label: known?.label ?? reason, tone: known?.tone ?? 'warning' };
}

/** A clock offset as a person reads it: `+1 h 0 min`, `−2 d 0 h`, `−40 ms`, `+3.2 s`. */
export function formatSkew(ms: number): string {
  const sign = ms < 0 ? '−' : '+';
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1_000).toFixed(1)} s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)} min`;
  if (a < DAY_MS) return `${sign}${Math.floor(a / 3_600_000)} h ${Math.floor((a % 3_600_000) / 60_000)} min`;
  return `${sign}${Math.floor(a / DAY_MS)} d ${Math.floor((a % DAY_MS) / 3_600_000)} h`;
}

/** A certificate's expiry: the UTC date and whole days left (or since). */
export function formatExpiry(notAfterMs: number, nowMs: number): string {
  const date = new Date(notAfterMs).toISOString().slice(0, 10);
  const left = notAfterMs - nowMs;
  if (left <= 0) return `${date} · expired ${Math.floor(-left / DAY_MS)} d ago`;
  const days = Math.floor(left / DAY_MS);
  return `${date} · ${days === 1 ? '1 day' : `${days} days`} left`;
}

function countersText(c: ApiFleetDevice['counters']): string {
  const parts = [
    [c.implausible, 'implausible'],
    [c.artifact, 'artifact'],
    [c.late, 'late'],
    [c.clockSkew, 'clock-skewed'],
    [c.refusedMessages, 'msgs refused'],
    [c.refusedItems, 'items refused'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return shown.length === 0 ? '—' : shown.join(', ');
}

function row(d: ApiFleetDevice, nowMs: number): FleetRowView {
  const has = (reason: AttentionReason) => d.attention.includes(reason);
  const seenMs = d.lastSeenAt === null ? null : Date.parse(d.lastSeenAt);
  const notAfterMs = d.certificate === null ? null : Date.parse(d.certificate.notAfter);
  const { binding } = d;
  return {
    id: d.id,
    model: d.model ?? '—',
    binding: !binding.bound ? 'unbound' : binding.wardId === null ? 'bound, no ward' : `ward ${binding.wardId}`,
    connected: d.connected,
    lastSeen: {
      text: seenMs === null ? 'never' : `${formatAge(nowMs - seenMs)} ago`,
      silent: has('silent'),
      at: d.lastSeenAt,
    },
    battery: {
      text: d.battery === null ? '—' : `${Math.round(d.battery * 100)} %`,
      tone: has('battery-low') ? 'warning' : 'normal',
    },
    signal: d.rssiDbm === null ? '—' : `${Math.round(d.rssiDbm)} dBm`,
    clockSkew: {
      text: d.clockSkewMs === null ? '—' : formatSkew(d.clockSkewMs),
      tone: has('clock-skew') ? 'warning' : 'normal',
    },
    firmware: d.firmware ?? '—',
    certificate: {
      text: notAfterMs === null ? '—' : formatExpiry(notAfterMs, nowMs),
      tone: has('certificate-expired') ? 'alarm' : has('certificate-expiring') ? 'warning' : 'normal',
      notAfter: d.certificate?.notAfter ?? null,
    },
    counters: countersText(d.counters),
    deviceErrors: d.deviceErrors.length === 0 ? '—' : d.deviceErrors.join(', '),
    attention: d.attention.map(tag),
  };
}

/**
 * The rows at `nowMs`: devices needing attention first (those with a red reason before the amber
 * ones), then by id; with `attentionOnly`, only those (the same rule as the API's `?attention=true`:
 * at least one reason). The view filters here, on the full list it polls, so the checkbox answers at
 * once without a request.
 */
export function fleetRows(fleet: ApiFleet, nowMs: number, attentionOnly = false): FleetRowView[] {
  const rank = (r: FleetRowView) => (r.attention.some((t) => t.tone === 'alarm') ? 0 : r.attention.length > 0 ? 1 : 2);
  return fleet.devices
    .filter((d) => !attentionOnly || d.attention.length > 0)
    .map((d) => row(d, nowMs))
    .sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
