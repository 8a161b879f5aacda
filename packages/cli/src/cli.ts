import { readFileSync } from 'node:fs';
import { checkCommand, simulateCommand } from '@wardstream/simulator';
import type { Command, CommandIo } from './io.js';
import { auditCommand } from './audit-command.js';
import { certsCommand } from './certs-command.js';
import { ecgCommand } from './ecg-command.js';
import { news2Command } from './news2-command.js';
import { replayCommand } from './replay/replay-command.js';
import { migrateCommand, roleCommand } from './role-commands.js';
import { upCommand } from './up.js';
import { clientsCommand, usersCommand } from './users-command.js';
import { tokenCommand } from './token-command.js';
import { keysCommand } from './keys-command.js';

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  up: { run: upCommand, summary: 'start the whole platform in one process (embedded shape)' },
  gateway: { run: roleCommand('gateway'), summary: 'scaled-out shape: an MQTT gateway on NATS JetStream' },
  processor: { run: roleCommand('processor'), summary: 'scaled-out shape: a processor sharing the log partitions' },
  api: { run: roleCommand('api'), summary: 'scaled-out shape: the HTTP API on PostgreSQL' },
  migrate: { run: migrateCommand, summary: 'create or upgrade the PostgreSQL tables of the scaled-out shape' },
  simulate: { run: simulateCommand, summary: 'run a simulated device fleet against an MQTT endpoint' },
  check: { run: checkCommand, summary: 'compare a simulator history with what the platform stored' },
  replay: { run: replayCommand, summary: 'play a recorded waveform (WFDB or CSV) as a live device over MQTT' },
  news2: { run: news2Command, summary: 'score NEWS2 for JSON lines of observations (RCP 2017)' },
  audit: { run: auditCommand, summary: 'check the audit trail of a data directory as a hash chain' },
  certs: { run: certsCommand, summary: 'the device certificate authority: init, issue, server, list, revoke' },
  ecg: { run: ecgCommand, summary: 'detect QRS complexes in a WFDB record, or score them per EC57' },
  users: { run: usersCommand, summary: 'create the first admin and manage the users of the embedded token issuer' },
  clients: { run: clientsCommand, summary: 'manage the OAuth service clients of the embedded token issuer' },
  token: { run: tokenCommand, summary: 'mint a bearer token with the embedded issuer key (scripts, tests)' },
  keys: { run: keysCommand, summary: "rotate the embedded token issuer's signing key (no restart, no sign-out)" },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: wardstream <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "wardstream <command> --help" for a command's options.\n`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Dispatches `wardstream <command> …`; returns the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`wardstream ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`wardstream: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr.write(`wardstream ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
