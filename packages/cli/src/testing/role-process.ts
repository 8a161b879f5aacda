import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/**
 * One role of the scaled-out shape (`wardstream gateway|processor|api`) run as a child process, as
 * an operator runs it, for fault tests and benchmarks: started, killed (SIGKILL), interrupted
 * (SIGINT, the clean stop) and started again with the same options.
 */
export class RoleProcess {
  private child: ChildProcess | undefined;
  private output = '';
  starts = 0;

  constructor(
    readonly name: string,
    private readonly role: 'gateway' | 'processor' | 'api',
    private readonly args: () => readonly string[],
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /** Everything the process printed across restarts (the tail, for assertion messages). */
  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the role; resolves once it prints that it is up, rejects if it exits first. */
  start(): Promise<void> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDSTREAM_')));
    const child = spawn(process.execPath, [CLI_MAIN, this.role, ...this.args()], {
      env: { ...inherited, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    return new Promise((resolve, reject) => {
      let up = false;
      child.stdout.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (!up && chunk.toString().includes('is up')) {
          up = true;
          resolve();
        }
      });
      child.stderr.on('data', keep);
      child.once('exit', (code, signal) => {
        if (!up)
          reject(new Error(`${this.name} exited (${code ?? signal}) before it was up:\n${this.output.slice(-4000)}`));
      });
    });
  }

  /** kill -9: no shutdown code runs. */
  kill(): Promise<number | null> {
    return this.signal('SIGKILL');
  }

  /** SIGSTOP: the process hangs (a paused VM, a long GC) with its connections open. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Ctrl-C: the clean stop. Resolves with the exit code. */
  interrupt(): Promise<number | null> {
    return this.signal('SIGINT');
  }

  private signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (child === undefined || !this.running) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }
}
