import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '@wardstream/pki';
import { loadSpec, type IngestBenchOptions } from './ingest-bench.js';
import type { GatewayTargetSpec } from './gateway-target.js';
import { loadDeviceId, type LoadResult } from './loadgen.js';
import { freePort, runJson, script, start } from './processes.js';

/** One transport's runs against a fresh gateway target: the fixed offered load, then saturated. */
export interface MtlsTransportResult {
  readonly paced: LoadResult;
  readonly saturated: LoadResult;
  /** What the target counted over both runs; refusals other than none mean a broken run. */
  readonly target: { readonly accepted: number; readonly refusals: Record<string, number> };
}

/** The cost of mutual TLS on ingest: the same load over plain TCP and over mutual TLS. */
export interface MtlsCostResult {
  readonly plain: MtlsTransportResult;
  readonly tls: MtlsTransportResult;
  /** How the throwaway credentials were made. */
  readonly credentials: string;
}

/**
 * A throwaway CA (@wardstream/pki, ECDSA P-256) and its credentials in `dir`: `ca.crt`, the
 * server's `server.crt`/`server.key` for 127.0.0.1, and `<id>.crt`/`<id>.key` for each bench device,
 * the files the load generator reads.
 */
async function writeCredentials(dir: string, deviceIds: readonly string[]): Promise<void> {
  const ca = await CertificateAuthority.openOrCreate(join(dir, 'ca'), { commonName: 'Wardstream bench CA' });
  await writeFile(join(dir, 'ca.crt'), ca.certificatePem);
  const server = await ca.issueServer(['127.0.0.1']);
  await writeFile(join(dir, 'server.crt'), server.certificatePem);
  await writeFile(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
  for (const id of deviceIds) {
    const device = await ca.issueDevice(id, { validityDays: 1 });
    await writeFile(join(dir, `${id}.crt`), device.certificatePem);
    await writeFile(join(dir, `${id}.key`), device.keyPem, { mode: 0o600 });
  }
}

/** Starts a gateway target on a fresh data directory, runs the paced then the saturated load, stops it. */
async function runTransport(o: IngestBenchOptions, work: string, tlsDir: string | null): Promise<MtlsTransportResult> {
  const name = tlsDir === null ? 'plain' : 'tls';
  const dataDir = join(work, `data-${name}`);
  await mkdir(dataDir);
  const port = await freePort();
  const spec: GatewayTargetSpec = {
    port,
    dataDir,
    ...(tlsDir !== null && {
      tls: {
        certPath: join(tlsDir, 'server.crt'),
        keyPath: join(tlsDir, 'server.key'),
        caPath: join(tlsDir, 'ca.crt'),
      },
    }),
  };
  const target = await start(process.execPath, [script('gateway-target.js'), JSON.stringify(spec)], 'listening');
  try {
    const url = `${tlsDir === null ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`;
    const extra = {
      cpuPids: { gateway: target.process.pid ?? 0 },
      ...(tlsDir !== null && { tls: { dir: tlsDir } }),
    };
    const paced = await runJson<LoadResult>('loadgen.js', loadSpec(o, url, { ...extra, mode: 'rate' }));
    const saturated = await runJson<LoadResult>('loadgen.js', loadSpec(o, url, { ...extra, mode: 'max' }));
    await target.stop('SIGTERM');
    const last = await target.done;
    let counted: MtlsTransportResult['target'] = { accepted: NaN, refusals: {} };
    try {
      counted = JSON.parse(last) as MtlsTransportResult['target'];
    } catch {
      // The target's counts are a check, not a result: a target that printed none is reported as NaN.
    }
    return { paced, saturated, target: counted };
  } finally {
    await target.stop('SIGKILL');
  }
}

/**
 * The cost of mutual TLS on ingest (issue 5): the bench's devices offer the same load — first the
 * fixed rate, then saturated — to the gateway target over plain TCP, then over mutual TLS with
 * certificates from a throwaway CA. Everything shares the machine's cores.
 */
export async function mtlsCost(o: IngestBenchOptions, progress: (text: string) => void): Promise<MtlsCostResult> {
  const work = await mkdtemp(join(tmpdir(), 'ws-bench-mtls-'));
  try {
    const tlsDir = join(work, 'tls');
    await mkdir(tlsDir);
    const ids = Array.from({ length: o.devices }, (_, i) => loadDeviceId(loadSpec(o, '', {}).devicePrefix, i + 1));
    await writeCredentials(tlsDir, ids);
    progress('mTLS cost: plain TCP');
    const plain = await runTransport(o, work, null);
    progress('mTLS cost: mutual TLS');
    const tls = await runTransport(o, work, tlsDir);
    return {
      plain,
      tls,
      credentials: '@wardstream/pki CertificateAuthority: ECDSA P-256 CA, server and device certificates',
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
