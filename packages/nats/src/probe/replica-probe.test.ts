import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const probe = fileURLToPath(new URL('./replica-probe.js', import.meta.url));

void it('refuses bad options with one line naming the option and exit 2, before starting any server', () => {
  for (const [args, message] of [
    [['--cycles', '0'], /--cycles must be a whole number from 1 to 100, not "0"/],
    [['--fault-ms', 'soon'], /--fault-ms must be a whole number from 1000 to 60000, not "soon"/],
    [['--devices'], /--devices needs a value/],
    [['--replicas', '5'], /unknown option --replicas/],
  ] as const) {
    const run = spawnSync(process.execPath, [probe, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.stdout, '');
  }
});
