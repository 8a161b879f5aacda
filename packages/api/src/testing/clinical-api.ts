import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinicalCommands, SqliteClinicalStore } from '@wardstream/alerts';
import { ClinicalEngine, DEFAULT_ENGINE_POLICY, DEFAULT_RULES, effectiveRules } from '@wardstream/clinical';
import {
  Catalogue,
  DEFAULT_WIRE_LIMITS,
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
import type { AccessAudit } from '../access/access-audit.js';
import type { BreakGlassLimits } from '../access/break-glass.js';
import { createApi } from '../app.js';
import type { ApiSecurity, FleetApiDeps, RouteMounter } from '../deps.js';
import { fleetAttentionPolicy } from '../fleet-attention.js';
import { LiveHub } from '../live-hub.js';
import { testSecurity, type TestSecurity, type TokenClaims } from './auth.js';

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

/** Who the harness's requests act as, unless a call says otherwise: a superset of what the routes need. */
const STAFF_ROLES = ['physician', 'admin', 'service'];
/** `by`/`recordedBy` the harness acts as (the API requires them to name the token's subject). */
const ACTOR = /^[A-Za-z0-9._@-]{1,64}$/;

export interface ClinicalApiOptions {
  /** Where access records go (default: the MemoryAccessAudit of `security.audit`). */
  readonly accessAudit?: (store: SqliteClinicalStore) => AccessAudit;
  /** Verifies tokens instead of the test issuer's own verifier (e.g. one fetching a JWKS over HTTP). */
  readonly authenticate?: ApiSecurity['authenticate'];
  readonly breakGlassLimits?: BreakGlassLimits;
  /** Identity and enrollment stand-ins. */
  readonly routes?: { readonly identity?: RouteMounter; readonly enrollment?: RouteMounter };
  /** How often live feeds re-check access (ApiDeps.liveRefreshMs; default 10 s). */
  readonly liveRefreshMs?: number;
  /** The built dashboard to serve (default: a stand-in build in the harness's directory, see `standInDashboard`). */
  readonly dashboardDir?: string;
  /** The fleet status (default: nothing observed since T0, the default technical policy's limits). */
  readonly fleet?: FleetApiDeps;
}

/** A stand-in dashboard build: `index.html` and one hashed asset, so `/app/` routes are mounted in every test. */
export async function standInDashboard(dir: string): Promise<string> {
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><title>Wardstream</title><script type="module" src="/app/assets/app-0123abcd.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'app-0123abcd.js'), 'document.title = "Wardstream";\n');
  return dir;
}

/**
 * The API with a real clinical engine, commands and SQLite clinical store, wired as the composition
 * root wires them: every alarm event and score is stored, then published to the live hub. Requests
 * carry a token of the test issuer: by default a physician (of every ward registered through
 * `patient()`), admin and service at once, named after the body's `by`/`recordedBy`; give `as`
 * claims to act as someone else, or `null` for no token.
 */
export class ClinicalApi {
  readonly clock = new ManualClock(T0);
  readonly live = new LiveHub();
  readonly engine: ClinicalEngine;
  readonly commands: ClinicalCommands;
  readonly app: Hono;
  readonly auth: TestSecurity;
  private readonly wards = new Map<PatientId, string>();
  private readonly rulesCache = new Map<PatientId, ReturnType<typeof effectiveRules>>();
  private seq = 0;

  private constructor(
    private readonly dir: string,
    readonly registry: SqliteRegistry,
    readonly readings: SqliteReadingStore,
    readonly store: SqliteClinicalStore,
    options: ClinicalApiOptions,
  ) {
    this.auth = testSecurity(this.clock, {
      ...(options.accessAudit === undefined ? {} : { accessAudit: options.accessAudit(store) }),
      ...(options.authenticate === undefined ? {} : { authenticate: options.authenticate }),
    });
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
      fleet: options.fleet ?? {
        status: () => [],
        since: T0,
        attention: fleetAttentionPolicy(DEFAULT_ENGINE_POLICY.technical, DEFAULT_WIRE_LIMITS.clockSkewToleranceMs),
      },
      security: {
        ...this.auth.security,
        ...(options.breakGlassLimits === undefined ? {} : { breakGlassLimits: options.breakGlassLimits }),
      },
      ...(options.routes === undefined ? {} : { routes: options.routes }),
      ...(options.liveRefreshMs === undefined ? {} : { liveRefreshMs: options.liveRefreshMs }),
      dashboardDir: options.dashboardDir ?? join(dir, 'dashboard'),
    });
  }

  static async open(options: ClinicalApiOptions = {}): Promise<ClinicalApi> {
    const dir = await mkdtemp(join(tmpdir(), 'ws-api-clinical-'));
    const registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    const readings = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    const store = SqliteClinicalStore.open({ path: ':memory:' });
    try {
      if (options.dashboardDir === undefined) await standInDashboard(join(dir, 'dashboard'));
      return new ClinicalApi(dir, registry, readings, store, options);
    } catch (err) {
      // createApi refused (a test of that): leave nothing open behind.
      store.close();
      await readings.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The default caller's claims (see the class comment), acting as `actor` when it is a valid name. */
  staff(actor?: unknown): TokenClaims {
    return {
      sub: typeof actor === 'string' && ACTOR.test(actor) ? actor : 'test.user',
      roles: STAFF_ROLES,
      wards: [...new Set(this.wards.values())],
    };
  }

  /** `{authorization}` for `claims` (default: the staff caller). */
  authorization(claims: TokenClaims = this.staff()): Record<string, string> {
    return this.auth.issuer.auth(claims);
  }

  /** Follows a live feed as `claims` (default: the staff caller). */
  follow(path: string, claims: TokenClaims = this.staff()): Promise<LiveReader> {
    return LiveReader.follow(this.app, path, this.authorization(claims));
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

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    as?: TokenClaims | null,
  ) {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const claims = as === undefined ? this.staff(fields['by'] ?? fields['recordedBy']) : as;
    const res = await this.app.request(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(claims === null ? {} : this.authorization(claims)),
        ...headers,
      },
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

  get(path: string, as?: TokenClaims | null): Promise<Answer> {
    return this.request('GET', path, undefined, {}, as);
  }

  post(path: string, body: unknown, as?: TokenClaims | null): Promise<Answer> {
    return this.request('POST', path, body, {}, as);
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

  /** Opens `path` (with `headers`: a token) and reads until its `event: ready`. */
  static async follow(app: Hono, path: string, headers: Record<string, string> = {}): Promise<LiveReader> {
    const res = await app.request(path, { headers });
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

  /** Reads until the server ends the stream; the whole text. */
  async untilEnd(): Promise<string> {
    for (;;) {
      const chunk = await this.reader.read();
      if (chunk.done) return this.text;
      this.text += this.decoder.decode(chunk.value);
    }
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
