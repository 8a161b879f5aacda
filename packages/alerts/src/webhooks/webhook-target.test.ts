import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebhookTargets } from './webhook-target.js';

const SECRET = 'a-secret-of-16ch';
const json = {
  id: 'ops-hook',
  kind: 'json',
  url: 'https://hooks.example.org/alarms',
  secret: SECRET,
  minPriority: 'medium',
};
const pd = {
  id: 'pagerduty.icu',
  kind: 'pagerduty',
  url: 'https://events.pagerduty.com/v2/enqueue',
  secret: SECRET,
  routingKey: 'R0UT1NGKEY',
  minPriority: 'high',
  categories: ['physiological', 'score'],
};

function problems(input: unknown): string {
  try {
    parseWebhookTargets(input);
  } catch (err) {
    assert.ok(err instanceof RangeError, `expected a RangeError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the targets to be refused');
}

void describe('parseWebhookTargets', () => {
  void it('accepts json and pagerduty targets, keeping only the fields given', () => {
    assert.deepEqual(parseWebhookTargets([json, pd]), [json, pd]);
    assert.deepEqual(parseWebhookTargets([]), []);
  });

  const cases: readonly [string, unknown, string][] = [
    ['not an array', { targets: [] }, 'expected a JSON array'],
    ['an entry that is not an object', [json, 'x'], 'targets[1]: expected an object'],
    ['a bad id', [{ ...json, id: 'has space' }], 'targets[0].id: must be 1-64'],
    ['a too long id', [{ ...json, id: 'x'.repeat(65) }], 'targets[0].id:'],
    ['a duplicate id', [json, { ...pd, id: 'ops-hook' }], 'targets[1].id: duplicate id "ops-hook"'],
    ['an unknown kind', [{ ...json, kind: 'slack' }], 'targets[0].kind: must be one of json, pagerduty'],
    ['a non-http url', [{ ...json, url: 'ftp://example.org/x' }], 'targets[0].url: must be an http: or https: URL'],
    ['an unparsable url', [{ ...json, url: 'not a url' }], 'targets[0].url:'],
    ['a short secret', [{ ...json, secret: 'short' }], 'targets[0].secret: must be a string of at least 16'],
    ['a missing secret', [{ ...json, secret: undefined }], 'targets[0].secret:'],
    ['pagerduty without routingKey', [{ ...pd, routingKey: undefined }], 'targets[0].routingKey: is required'],
    ['pagerduty with a blank routingKey', [{ ...pd, routingKey: ' ' }], 'targets[0].routingKey: is required'],
    ['routingKey on a json target', [{ ...json, routingKey: 'k' }], 'targets[0].routingKey: is only allowed'],
    ['a bad minPriority', [{ ...json, minPriority: 'urgent' }], 'targets[0].minPriority: must be one of high'],
    ['an unknown category', [{ ...pd, categories: ['physiological', 'x'] }], 'targets[0].categories:'],
    ['an empty category list', [{ ...pd, categories: [] }], 'targets[0].categories:'],
    ['a repeated category', [{ ...pd, categories: ['score', 'score'] }], 'targets[0].categories:'],
    ['an unknown field', [{ ...json, minPriorty: 'low' }], 'targets[0].minPriorty: unknown field'],
  ];
  for (const [what, input, expected] of cases) {
    void it(`refuses ${what}, naming the index and field`, () => {
      assert.ok(problems(input).includes(expected), `"${problems(input)}" should include "${expected}"`);
    });
  }

  void it('lists every problem at once and never shows a secret', () => {
    const message = problems([
      { ...json, url: 'x', secret: 'tiny-secret' },
      { ...pd, id: 'bad id!' },
    ]);
    assert.deepEqual(
      message.split('\n').map((line) => line.split(':')[0]),
      ['webhook targets[0].url', 'webhook targets[0].secret', 'webhook targets[1].id'],
    );
    assert.ok(!message.includes('tiny-secret') && !message.includes(SECRET));
  });
});
