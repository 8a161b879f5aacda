import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wardstream/platform';

export { freePort };

export interface Child {
  readonly process: ChildProcess;
  output(): string;
  /** Resolves with the last line of stdout once the process exits. */
  readonly done: Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Path of a sibling script in this package's dist folder. */
export function script(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** Spawns a command and resolves once `ready` appears in its output (or at once without it). */
export function start(
  command: string,
  args: readonly string[],
  ready?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Child> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
  let out = '';
  const done = new Promise<string>((resolve) => {
    child.once('exit', () => {
      resolve(out.trim().split('\n').at(-1) ?? '');
    });
  });
  const handle: Child = {
    process: child,
    output: () => out,
    done,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await done;
    },
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready === undefined || out.includes(ready)) resolve(handle);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      check();
    });
    child.once('exit', (code) => {
      reject(new Error(`${command} exited (${String(code)}) before it was ready:\n${out.slice(-2000)}`));
    });
    check();
  });
}

/** Runs a node script of this package with a JSON argument and parses its last output line. */
export async function runJson<T>(name: string, spec: unknown): Promise<T> {
  const child = await start(process.execPath, [script(name), JSON.stringify(spec)]);
  const last = await child.done;
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${name} did not print a result:\n${child.output().slice(-2000)}`);
  }
}

/**
 * The bearer token of the platform under test: `startPlatform` mints a service token from the
 * platform's own issuer and puts it in the environment, so the load generators it spawns inherit it.
 */
export const API_TOKEN_ENV = 'BENCH_API_TOKEN';

/** The Authorization header for the platform's API (none when no platform was started). */
export function apiHeaders(): Record<string, string> {
  const token = process.env[API_TOKEN_ENV];
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** Reads a Prometheus counter or gauge (summing its series) from a /metrics endpoint. */
export async function scrape(url: string, name: string): Promise<number> {
  const res = await fetch(url, { headers: apiHeaders() });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/{pid}/stat
 * (Linux; clock ticks of 100 Hz, the kernel's USER_HZ on every Linux we run). NaN elsewhere or
 * once the process is gone.
 */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
