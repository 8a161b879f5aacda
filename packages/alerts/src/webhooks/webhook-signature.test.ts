import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"id":"a1:1","type":"alarm.raised","note":"SpO₂ 85 %"}';
const T = 1_740_816_000;

void describe('webhook signatures', () => {
  void it('signs "<t>.<body>" with HMAC-SHA256 as t=…,v1=<hex>', () => {
    const hex = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    assert.equal(webhookSignature(SECRET, T, BODY), `t=${T},v1=${hex}`);
  });

  void it('verifies its own signature within the tolerance, either side', () => {
    const header = webhookSignature(SECRET, T, BODY);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T), true);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T + 300), true);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T - 300), true);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T + 10, 10), true);
  });

  void it('refuses a signature older or newer than the tolerance (a replay)', () => {
    const header = webhookSignature(SECRET, T, BODY);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T + 301), false);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T - 301), false);
    assert.equal(verifyWebhookSignature(SECRET, header, BODY, T + 11, 10), false);
  });

  void it('refuses a tampered body, timestamp, signature or the wrong secret', () => {
    const header = webhookSignature(SECRET, T, BODY);
    const hex = header.split('v1=')[1] ?? '';
    assert.equal(verifyWebhookSignature(SECRET, header, BODY.replace('85', '95'), T), false);
    assert.equal(verifyWebhookSignature(SECRET, `t=${T + 1},v1=${hex}`, BODY, T), false);
    const flipped = `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
    assert.equal(verifyWebhookSignature(SECRET, `t=${T},v1=${flipped}`, BODY, T), false);
    assert.equal(verifyWebhookSignature('another-secret-16chars', header, BODY, T), false);
  });

  void it('accepts any one matching v1 (secret rotation) and refuses malformed headers', () => {
    const good = webhookSignature(SECRET, T, BODY).split('v1=')[1] ?? '';
    const old = webhookSignature('the-old-secret-16ch', T, BODY).split('v1=')[1] ?? '';
    assert.equal(verifyWebhookSignature(SECRET, `t=${T},v1=${old},v1=${good}`, BODY, T), true);
    for (const header of [
      '',
      'garbage',
      `t=${T}`,
      `v1=${good}`,
      `t=abc,v1=${good}`,
      `t=${T},v1=zz`,
      `t=${T},v1=${good.slice(2)}`,
    ]) {
      assert.equal(verifyWebhookSignature(SECRET, header, BODY, T), false, header);
    }
  });
});
