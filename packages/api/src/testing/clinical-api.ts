import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinicalCommands, SqliteClinicalStore } from '@wardstream/alerts';
import { ClinicalEngine, DEFAULT_ENGINE_POLICY, DEFAULT_RULES, effectiveRules } from '@wardstream/clinical';
import {
  Catalogue,
  deviceId,
  ManualClock,
  patientId,
  wardId,
  type IngestRecord,
  type PatientId,
} from '@wardstream/domain';
import { SqliteRegistry } from '@wardstream/registry';
import { SqliteReadingStore } from '@wardstream/store';
import type { Hono } from 'hono';
import { createApi } from '../app.js';
import { LiveHub } from '../live-hub.js';

/** 2026-11-25 08:00 UTC: event time of the first reading the tests feed. */
export const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);

export interface Json {
  [key: string]: unknown;
}

export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly etag: string | null;
  readonly body: Json;
}

/**
 * The API with a real clinical engine, commands and SQLite clinical store, wired as the composition
 * root wires them: every alarm event and score is stored, then published to the live hub.
 */
export class ClinicalApi {
  readonly clock = new ManualClock(T0);
  readonly live = new LiveHub();
  readonly engine: ClinicalEngine;
  readonly commands: ClinicalCommands;
  readonly app: Hono;
  private readonly wards = new Map<PatientId, string>();
  private readonly rulesCache = new Map<PatientId, ReturnType<typeof effectiveRules>>();
  private seq = 0;

  private constructor(
    private readonly dir: string,
    readonly registry: SqliteRegistry,
    readonly readings: SqliteReadingStore,
    readonly store: SqliteClinicalStore,
  ) {
    const rulesFor = (id: PatientId) => {
      let rules = this.rulesCache.get(id);
      if (rules === undefined) {
        const ward = this.wards.get(id);
        rules = effectiveRules(
          store.getRuleSet({ kind: 'default' })?.rules ?? DEFAULT_RULES,
          ward === undefined ? [] : (store.getRuleSet({ kind: 'ward', wardId: ward })?.rules ?? []),
          store.getRuleSet({ kind: 'patient', patientId: id })?.rules ?? [],
        );
        this.rulesCache.set(id, rules);
      }
      return rules;
    };
    this.engine = new ClinicalEngine(DEFAULT_ENGINE_POLICY, {
      rulesFor,
      findAlarm: (id) => store.getAlarm(id),
      onAlarmEvent: (event) => {
        if (store.recordAlarmEvent(event)) this.live.publishAlarm(event);
      },
      onScore: (score) => {
        store.appendScore(score);
        this.live.publishScore(score);
      },
    });
    this.commands = new ClinicalCommands({
      engine: this.engine,
      store,
      clock: this.clock,
      policy: DEFAULT_ENGINE_POLICY,
      rulesFor,
      rulesChanged: () => {
        this.rulesCache.clear();
        this.engine.rulesChanged(this.clock.now());
      },
      charted: () => undefined,
    });
    this.app = createApi({
      registry,
      store: readings,
      catalogue: new Catalogue(),
      clock: this.clock,
      live: this.live,
      health: () => ({ components: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      livePingMs: 50,
      clinical: { commands: this.commands, store },
    });
  }

  static async open(): Promise<ClinicalApi> {
    const dir = await mkdtemp(join(tmpdir(), 'ws-api-clinical-'));
    const registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    const readings = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    return new ClinicalApi(dir, registry, readings, SqliteClinicalStore.open({ path: ':memory:' }));
  }

  /** Registers a patient on a ward (in the registry and for ward rules). */
  async patient(id: string, ward: string): Promise<void> {
    await this.registry.putPatient({ id: patientId(id), wardId: wardId(ward) }, this.clock.now());
    this.wards.set(patientId(id), ward);
  }

  /** 1 Hz readings of one code for `seconds` from `from`, fed to the engine in order. */
  feed(patient: string, device: string, code: string, from: number, seconds: number, value: number): void {
    for (let i = 0; i < seconds; i++) this.engine.ingest(this.record(patient, device, code, from + i * 1000, value));
  }

  record(patient: string, device: string, code: string, at: number, value: number): IngestRecord {
    return {
      deviceId: deviceId(device),
      patientId: patientId(patient),
      boot: 'b1',
      seq: ++this.seq,
      observedAt: at,
      receivedAt: at,
      readings: [{ code, value, unit: code === 'MDC_PULS_OXIM_SAT_O2' ? '%' : '/min', quality: 0 }],
      waveforms: [],
    };
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await this.app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const answer: Answer = {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      etag: res.headers.get('etag'),
      body: (await res.json()) as Json,
    };
    return answer;
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<Answer> {
    return this.request('POST', path, body);
  }

  async close(): Promise<void> {
    this.store.close();
    await this.readings.close();
    await this.registry.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The names of the parameters or fields a problem document lists, sorted. */
export function problemNames(answer: Answer): string[] {
  return ((answer.body['errors'] ?? []) as { name: string }[]).map((e) => e.name).sort();
}

/** A live (SSE) response being read: `until` reads on until the text so far satisfies `done`. */
export class LiveReader {
  text = '';
  private readonly decoder = new TextDecoder();

  private constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Opens `path` and reads until its `event: ready`. */
  static async follow(app: Hono, path: string): Promise<LiveReader> {
    const res = await app.request(path);
    const reader = res.body?.getReader();
    if (reader === undefined) throw new Error(`${path}: no body (status ${res.status})`);
    const live = new LiveReader(reader);
    await live.until((text) => text.includes('event: ready'));
    return live;
  }

  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text)) {
      const chunk = await this.reader.read();
      if (chunk.done) throw new Error(`the stream ended; read so far: ${this.text}`);
      this.text += this.decoder.decode(chunk.value);
    }
    return this.text;
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

/** The JSON data of every `event: <name>` in an SSE text. */
export function eventData(text: string, name: string): Json[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').includes(`event: ${name}`))
    .map(
      (block) =>
        JSON.parse(
          block
            .split('\n')
            .find((l) => l.startsWith('data: '))
            ?.slice(6) ?? 'null',
        ) as Json,
    );
}
