import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from './cli.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: {},
  };
  return { out, io };
}

describe('wardstream command line', () => {
  it('lists its commands and exits 2 without one', async () => {
    const { out, io } = capture();
    assert.equal(await main([], io), 2);
    assert.match(out.stdout, /up\s+start the whole platform/);
    assert.match(out.stdout, /simulate/);
  });

  it('names an unknown command in one line and exits 2', async () => {
    const { out, io } = capture();
    assert.equal(await main(['upp'], io), 2);
    assert.match(out.stderr, /^wardstream: unknown command "upp"/);
  });

  it('reports every bad option of `up` and exits 2 without starting', async () => {
    const { out, io } = capture();
    assert.equal(await main(['up', '--http-port', 'x', '--demo', '0.5'], io), 2);
    assert.equal(out.stderr.trim().split('\n').length, 2);
    assert.match(out.stderr, /wardstream up: --http-port/);
  });

  it('prints help for up', async () => {
    const { out, io } = capture();
    assert.equal(await main(['up', '--help'], io), 0);
    assert.match(out.stdout, /--data-dir DIR/);
    assert.match(out.stdout, /WARDSTREAM_MQTT_PORT/);
  });
});
