import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { verifyChain } from '@wardstream/auth';
import { AUDIT_PUBLIC_KEY } from '@wardstream/platform';
import type { Command, CommandIo } from './io.js';

const HELP = `Usage: wardstream audit verify [--data-dir DIR] [--public-key FILE]

Checks the audit trail of the clinical store (DIR/clinical.db) as a hash chain: each entry's hash
covers the entry before it, its number and its content, so an edited, deleted or reordered entry
breaks the chain from there on. The platform signs the chain's head now and then with a key kept
outside the data directory; each signed checkpoint must match the trail, so entries cut off the end
show as truncated. Prints the number of entries, checkpoints and the last hash when all holds, or
the first entry where it does not and why (altered, removed, reordered, truncated, bad-checkpoint).

  --data-dir DIR     the platform's data directory [WARDSTREAM_DATA_DIR] (default ./wardstream-data)
  --public-key FILE  the checkpoint key's public half (default <data-dir>-keys/${AUDIT_PUBLIC_KEY})
  --help             print this help

Exit status: 0 when the trail holds, 1 when it does not or cannot be read, 2 for a bad command line.
`;

export const auditCommand: Command = (argv, io) => Promise.resolve(audit(argv, io));

function audit(argv: readonly string[], io: CommandIo): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'verify') return usage(io, `unknown subcommand "${sub}" (expected verify)`);
  let values: { 'data-dir'?: string | undefined; 'public-key'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: { 'data-dir': { type: 'string' }, 'public-key': { type: 'string' }, help: { type: 'boolean' } },
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
  const keyPath = resolve(values['public-key'] ?? join(`${dataDir}-keys`, AUDIT_PUBLIC_KEY));
  let publicKey: KeyObject | undefined;
  if (existsSync(keyPath)) {
    publicKey = createPublicKey(readFileSync(keyPath));
  } else if (values['public-key'] !== undefined) {
    io.stderr.write(`wardstream audit: cannot read the public key ${keyPath}\n`);
    return 1;
  } else {
    io.stderr.write(`audit: no public key at ${keyPath}: checkpoint signatures are not checked\n`);
  }
  const store = SqliteClinicalStore.open({ path });
  try {
    const checkpoints = store.auditCheckpoints();
    const report = verifyChain(store.auditChain(), checkpoints, publicKey);
    if (report.ok) {
      io.stdout.write(
        `audit: ${report.records} entries, ${report.checkpoints} signed checkpoints, chain intact; last hash ${report.lastHash}\n`,
      );
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
