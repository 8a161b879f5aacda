import assert from 'node:assert/strict';
import { WardstreamError } from '@wardstream/domain';
import type { RuleScope } from '@wardstream/clinical';
import { bandRuleFixture, T0, thresholdRuleFixture } from './fixtures.js';
import type { CaseRunner } from './session.js';

const DEFAULT: RuleScope = { kind: 'default' };

function isConflict(err: unknown): boolean {
  return err instanceof WardstreamError && err.code === 'CONFLICT';
}

/** Rule sets per scope, versions and optimistic concurrency. */
export function ruleCases(test: CaseRunner): void {
  test('versions a scope’s rule set 1, 2, … and replaces its rules', ({ store }) => {
    assert.equal(store.getRuleSet(DEFAULT), undefined);
    const rules = [thresholdRuleFixture(), bandRuleFixture()];
    const first = store.putRuleSet(DEFAULT, rules, 'admin.lee', T0);
    assert.deepEqual(first, { scope: DEFAULT, rules, version: 1, updatedAt: T0, updatedBy: 'admin.lee' });
    assert.deepEqual(store.getRuleSet(DEFAULT), first);
    const fewer = [thresholdRuleFixture({ limit: 140 })];
    const second = store.putRuleSet(DEFAULT, fewer, 'admin.kim', T0 + 1);
    assert.deepEqual(second, { scope: DEFAULT, rules: fewer, version: 2, updatedAt: T0 + 1, updatedBy: 'admin.kim' });
    assert.deepEqual(store.getRuleSet(DEFAULT), second);
    assert.equal(store.putRuleSet(DEFAULT, [], 'admin.kim', T0 + 2).version, 3);
    assert.deepEqual(store.getRuleSet(DEFAULT)?.rules, []);
  });

  test('refuses a put whose expectedVersion is not the stored version, changing nothing', ({ store }) => {
    assert.throws(() => store.putRuleSet(DEFAULT, [], 'admin.lee', T0, 1), isConflict, 'nothing stored yet');
    assert.equal(store.getRuleSet(DEFAULT), undefined);
    assert.equal(store.putRuleSet(DEFAULT, [bandRuleFixture()], 'admin.lee', T0, 0).version, 1, '0: none stored');
    const second = store.putRuleSet(DEFAULT, [thresholdRuleFixture()], 'admin.lee', T0 + 1, 1);
    assert.equal(second.version, 2);
    assert.throws(() => store.putRuleSet(DEFAULT, [], 'admin.kim', T0 + 2, 1), isConflict);
    assert.throws(() => store.putRuleSet(DEFAULT, [], 'admin.kim', T0 + 2, 3), isConflict);
    assert.deepEqual(store.getRuleSet(DEFAULT), second);
    assert.equal(store.putRuleSet(DEFAULT, [], 'admin.kim', T0 + 3, 2).version, 3);
  });

  test('keeps the default, each ward’s and each patient’s rule set apart', ({ store }) => {
    const scopes: RuleScope[] = [
      DEFAULT,
      { kind: 'ward', wardId: 'w-4' },
      { kind: 'ward', wardId: 'w-5' },
      { kind: 'patient', patientId: 'p-1' },
      { kind: 'patient', patientId: 'w-4' },
    ];
    const stored = scopes.map((scope, i) =>
      store.putRuleSet(scope, [thresholdRuleFixture({ limit: 100 + i })], `admin.${i}`, T0 + i),
    );
    const again = store.putRuleSet(scopes[1]!, [bandRuleFixture()], 'admin.ward', T0 + 9);
    assert.equal(again.version, 2);
    assert.deepEqual(store.getRuleSet({ kind: 'ward', wardId: 'w-4' }), again);
    for (const [i, scope] of scopes.entries()) {
      if (i === 1) continue;
      const expected = stored[i]!;
      assert.deepEqual(store.getRuleSet(scope), expected, `scope ${JSON.stringify(scope)}`);
      assert.equal(expected.version, 1);
      assert.deepEqual(expected.scope, scope);
    }
    assert.equal(store.getRuleSet({ kind: 'ward', wardId: 'w-9' }), undefined);
    assert.equal(store.getRuleSet({ kind: 'patient', patientId: 'p-2' }), undefined);
  });
}
