import type { Catalogue, CatalogueEntry } from '@wardstream/domain';
import type { Recording, RecordingChannel } from './recording.js';

/**
 * Which channels of a recording are replayed, under which catalogue waveform code and wire unit.
 * Channel names are matched to codes by the usual monitor labels (below), by a catalogue code or alias
 * of a waveform (`ecg_ii`, `MDC_PULS_OXIM_PLETH`), or explicitly with `--map NAME=CODE`.
 */

/** Monitor and PhysioNet channel labels, upper-cased, and the waveform code each one is. */
const LABELS: Readonly<Record<string, string>> = {
  II: 'MDC_ECG_ELEC_POTL_II',
  MLII: 'MDC_ECG_ELEC_POTL_II',
  'ECG II': 'MDC_ECG_ELEC_POTL_II',
  I: 'MDC_ECG_ELEC_POTL_I',
  MLI: 'MDC_ECG_ELEC_POTL_I',
  'ECG I': 'MDC_ECG_ELEC_POTL_I',
  PLETH: 'MDC_PULS_OXIM_PLETH',
  PPG: 'MDC_PULS_OXIM_PLETH',
};

/** Units that say "arbitrary units" rather than a physical one: sent as UCUM `1` for a dimensionless code. */
const ARBITRARY_UNITS = new Set(['nu', 'au', 'a.u.', 'adu', 'arbitrary', '']);

/** One channel as it will be sent. */
export interface ReplayChannel {
  readonly name: string;
  readonly code: string;
  /** The unit written on the wire: the record's when the catalogue accepts it (the gateway converts). */
  readonly unit: string;
  readonly samples: ArrayLike<number>;
}

export interface ChannelPlan {
  readonly channels: readonly ReplayChannel[];
  /** Channels left out, each with why (printed on stderr). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** Things worth saying about what is sent (a unit read as dimensionless, a CSV column without a unit). */
  readonly notes: readonly string[];
}

/** What the command line asks for: `--channels` and `--map`. */
export interface ChannelChoice {
  /** Replay only these channels (by name); all that map to a code when absent. */
  readonly only?: readonly string[];
  /** Channel name → code or alias, overriding the labels. */
  readonly map?: ReadonlyMap<string, string>;
}

/** A choice that cannot be met; the message names the channel or code and what to do. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
}

/**
 * Decides the channels to replay. A channel without a waveform code, or whose unit cannot be sent for
 * its code, is skipped (and named in `skipped`) unless it was asked for by `--channels` or `--map`: then
 * it is a ChannelError. Two channels under one code, or nothing left to replay, are ChannelErrors too.
 */
export function planChannels(recording: Recording, catalogue: Catalogue, choice: ChannelChoice = {}): ChannelPlan {
  const names = recording.channels.map((c) => c.name);
  const known = (name: string, flag: string) => {
    if (!names.includes(name)) {
      throw new ChannelError(
        `${flag} names "${name}", which ${recording.name} does not have (it has ${names.join(', ')})`,
      );
    }
  };
  for (const name of choice.only ?? []) known(name, '--channels');
  for (const name of choice.map?.keys() ?? []) known(name, '--map');
  const wanted =
    choice.only === undefined ? recording.channels : recording.channels.filter((c) => choice.only?.includes(c.name));
  const channels: ReplayChannel[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const notes: string[] = [];
  for (const channel of wanted) {
    const explicit = choice.only !== undefined || choice.map?.has(channel.name) === true;
    const outcome = planChannel(channel, catalogue, choice.map?.get(channel.name));
    if ('reason' in outcome) {
      if (explicit) throw new ChannelError(`channel ${channel.name}: ${outcome.reason}`);
      skipped.push({ name: channel.name, reason: outcome.reason });
      continue;
    }
    const twin = channels.find((c) => c.code === outcome.channel.code);
    if (twin !== undefined) {
      throw new ChannelError(
        `channels ${twin.name} and ${channel.name} would both be sent as ${twin.code}: ` +
          'choose one with --channels, or map the other with --map NAME=CODE',
      );
    }
    channels.push(outcome.channel);
    if (outcome.note !== undefined) notes.push(outcome.note);
  }
  if (channels.length === 0) {
    const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new ChannelError(`nothing to replay in ${recording.name}${why === '' ? '' : ` (${why})`}`);
  }
  return { channels, skipped, notes };
}

type ChannelOutcome = { readonly channel: ReplayChannel; readonly note?: string } | { readonly reason: string };

function planChannel(channel: RecordingChannel, catalogue: Catalogue, mapped: string | undefined): ChannelOutcome {
  const entry = mapped === undefined ? entryOf(channel.name, catalogue) : mappedEntry(mapped, channel.name, catalogue);
  if (entry === undefined) {
    return { reason: 'no waveform code in the catalogue for the name (map one with --map NAME=CODE)' };
  }
  const base = { name: channel.name, code: entry.code, samples: channel.samples };
  if (channel.unit === undefined) {
    return {
      channel: { ...base, unit: entry.unit },
      note: `${channel.name}: the file gives no unit; sent as ${entry.unit}, the unit of ${entry.code}`,
    };
  }
  if (catalogue.conversion(entry, channel.unit) !== undefined) return { channel: { ...base, unit: channel.unit } };
  if (entry.unit === '1' && ARBITRARY_UNITS.has(channel.unit.toLowerCase())) {
    return {
      channel: { ...base, unit: '1' },
      note: `${channel.name}: unit "${channel.unit}" sent as 1 (${entry.code} is dimensionless)`,
    };
  }
  const accepted = catalogue.acceptedUnits(entry).join(', ');
  return { reason: `unit "${channel.unit}" cannot be sent as ${entry.code} (accepted: ${accepted})` };
}

/** The waveform entry a channel's name stands for: a monitor label, or a catalogue code or alias. */
function entryOf(name: string, catalogue: Catalogue): CatalogueEntry | undefined {
  const label = LABELS[name.trim().toUpperCase().replace(/\s+/g, ' ')];
  const entry = catalogue.lookup(label ?? name.trim());
  return entry?.kind === 'waveform' ? entry : undefined;
}

function mappedEntry(code: string, name: string, catalogue: Catalogue): CatalogueEntry {
  const entry = catalogue.lookup(code);
  if (entry?.kind !== 'waveform') {
    const waveforms = catalogue.entries.filter((e) => e.kind === 'waveform').map((e) => e.code);
    throw new ChannelError(
      `--map ${name}=${code}: ${entry === undefined ? 'not a known code' : `${entry.code} is not a waveform code`} ` +
        `(waveform codes: ${waveforms.join(', ')})`,
    );
  }
  return entry;
}
