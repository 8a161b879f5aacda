import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { verifyChain } from '@wardstream/auth';
import type { Command, CommandIo } from './io.js';

const HELP = `Usage: wardstream audit verify [--data-dir DIR]

Checks the audit trail of the clinical store (DIR/clinical.db) as a hash chain: each entry's hash
covers the entry before it, its number and its content, so an edited, deleted or reordered entry
breaks the chain from there on. Prints the number of entries and the last hash when the chain holds,
or the first entry where it does not and why (altered, removed, reordered).

  --data-dir DIR   the platform's data directory [WARDSTREAM_DATA_DIR] (default ./wardstream-data)
  --help           print this help

Exit status: 0 when the chain holds, 1 when it does not or the store cannot be read, 2 for a bad
command line.
Not yet: signed checkpoints, so cutting entries off the end of the trail is not detected.
`;

export const auditCommand: Command = (argv, io) => Promise.resolve(audit(argv, io));

function audit(argv: readonly string[], io: CommandIo): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'verify') return usage(io, `unknown subcommand "${sub}" (expected verify)`);
  let values: { 'data-dir'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: { 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (values.help === true) {
    io.stdout.write(HELP);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? io.env['WARDSTREAM_DATA_DIR'] ?? 'wardstream-data');
  const path = join(dataDir, 'clinical.db');
  if (!existsSync(path)) {
    io.stderr.write(`wardstream audit: no clinical store at ${path} (is --data-dir the platform's data directory?)\n`);
    return 1;
  }
  const store = SqliteClinicalStore.open({ path });
  try {
    const report = verifyChain(store.auditChain());
    if (report.ok) {
      io.stdout.write(`audit: ${report.records} entries, chain intact; last hash ${report.lastHash}\n`);
      return 0;
    }
    io.stdout.write(`audit: entry ${report.seq} ${report.problem}: ${report.detail}\n`);
    return 1;
  } finally {
    store.close();
  }
}

function usage(io: CommandIo, problem: string): number {
  io.stderr.write(`wardstream audit: ${problem}\nRun "wardstream audit --help" for the options.\n`);
  return 2;
}
