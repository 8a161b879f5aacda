import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalIssuer, readIssuerRecord } from '@wardstream/auth';
import { CertificateAuthority } from '@wardstream/pki';
import type { TlsMaterial } from '@wardstream/simulator';
import { freePort } from '@wardstream/platform';

export { freePort };

const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** `wardstream up` run as a child process, as an operator would run it, for crash tests. */
export class PlatformProcess {
  private child: ChildProcess | undefined;
  private output = '';
  starts = 0;

  constructor(
    readonly dataDir: string,
    readonly httpPort: number,
    readonly mqttPort: number,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** The mutual-TLS listener (devices need certificates: `deviceTls`). */
  get mqttUrl(): string {
    return `mqtts://127.0.0.1:${this.mqttPort}`;
  }

  /** The platform's key directory (its default: beside the data directory). */
  get keyDir(): string {
    return `${this.dataDir}-keys`;
  }

  /**
   * Certificates from the platform's CA (created at its first start) for each of `deviceIds`, as
   * an operator would issue them with `wardstream certs issue`; the simulator takes the function.
   */
  async deviceTls(deviceIds: readonly string[]): Promise<(deviceId: string) => TlsMaterial> {
    const ca = await CertificateAuthority.open(join(this.keyDir, 'ca'));
    const material = new Map<string, TlsMaterial>();
    for (const id of deviceIds) {
      const issued = await ca.issueDevice(id);
      material.set(id, { cert: issued.certificatePem, key: issued.keyPem, ca: ca.certificatePem });
    }
    return (id) => {
      const m = material.get(id);
      if (m === undefined) throw new Error(`the test issued no certificate for ${id}`);
      return m;
    };
  }

  /**
   * A bearer token from the platform's own issuer, as \`wardstream token\` mints it (the platform must
   * have started once: it creates the keys). Default: a service principal, which reads every ward.
   */
  async token(claims: { sub?: string; roles?: readonly string[]; wards?: readonly string[] } = {}): Promise<string> {
    const record = readIssuerRecord(this.keyDir);
    if (record === undefined) throw new Error(`no issuer record in ${this.keyDir}: has the platform started?`);
    const issuer = LocalIssuer.open({ keyDir: this.keyDir, ...record });
    return issuer.sign(
      { sub: claims.sub ?? 'test-service', roles: claims.roles ?? ['service'], wards: claims.wards ?? [] },
      3_600,
    );
  }

  /** Everything the process printed, across restarts (for assertion messages). */
  get log(): string {
    return this.output;
  }

  /** Starts the platform and resolves once it prints that it is up; rejects if it exits first. */
  start(): Promise<void> {
    const args = [
      CLI_MAIN,
      'up',
      '--data-dir',
      this.dataDir,
      '--http-port',
      String(this.httpPort),
      '--mqtt-port',
      String(this.mqttPort),
      ...this.extraArgs,
    ];
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDSTREAM_')));
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('Wardstream is up', this.output.length - chunk.length - 20)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
      });
      child.once('exit', (code, signal) => {
        reject(new Error(`wardstream up exited (${code ?? signal}) before it was up:\n${this.output.slice(-4000)}`));
      });
    });
  }

  /** kill -9: no shutdown code runs. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Ctrl-C: the clean shutdown path. Resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    return this.signal('SIGINT');
  }

  private signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }
}
