import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CertificateAuthority } from '@wardstream/pki';
import { parseConfig } from './config.js';
import { startEmbedded } from './embedded.js';
import { SILENT_LOGGER } from './logger.js';

/** GET over HTTPS trusting only `ca`; resolves with the status, or rejects with the TLS error. */
function httpsGet(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTP API over TLS', () => {
  it('serves HTTPS with the certificate of the platform CA when --http-tls platform-ca', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-https-'));
    const parsed = parseConfig(
      [
        '--data-dir',
        join(dir, 'data'),
        '--http-port',
        '0',
        '--mqtt-port',
        '0',
        '--http-tls',
        'platform-ca',
        '--public-url',
        'https://127.0.0.1',
      ],
      {},
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
    const platform = await startEmbedded(parsed.config, { logger: SILENT_LOGGER });
    t.after(async () => {
      await platform.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const ca = platform.ca?.certificatePem ?? '';
    const base = `https://127.0.0.1:${platform.httpPort}`;
    assert.equal(await httpsGet(`${base}/healthz`, ca), 200);
    assert.equal(await httpsGet(`${base}/api/v1/patients`, ca), 401, 'still a bearer token to show');
    // A client trusting another CA only does not get through the handshake.
    const other = await CertificateAuthority.openOrCreate(join(dir, 'other-ca'));
    await assert.rejects(
      httpsGet(`${base}/healthz`, other.certificatePem),
      /self[- ]signed|unable to verify|certificate/i,
    );
    // Plain HTTP on the HTTPS port gets no answer of the API.
    const plain = await fetch(`http://127.0.0.1:${platform.httpPort}/healthz`).then(
      (res) => res.status,
      () => 'refused',
    );
    assert.notEqual(plain, 200);
  });
});
