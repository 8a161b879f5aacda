import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from './random.js';
import { DEFAULT_SCENARIO_SETTINGS, resolveScenario } from './scenario.js';
import { assignScenarios, parseScenarioSpec, ScenarioSpecError } from './scenario-spec.js';

test('a spec of counted entries sizes the fleet', () => {
  const names = assignScenarios(parseScenarioSpec('stable:16,deteriorating:4'));
  assert.equal(names.length, 20);
  assert.deepEqual(names[15], ['stable']);
  assert.deepEqual(names[16], ['deteriorating']);
});

test('uncounted entries share the devices left over', () => {
  const names = assignScenarios(parseScenarioSpec('malformed:1,stable,duplicates+out-of-order'), 6);
  assert.deepEqual(
    names.map((n) => n.join('+')),
    ['malformed', 'stable', 'stable', 'stable', 'duplicates+out-of-order', 'duplicates+out-of-order'],
  );
});

test('bad specs are refused with a clear message', () => {
  assert.throws(() => parseScenarioSpec('stable:4,sepsis:2'), /unknown scenario "sepsis"/);
  assert.throws(() => parseScenarioSpec('stable:x'), /whole number/);
  assert.throws(() => parseScenarioSpec('stable,,malformed'), /empty entry/);
  assert.throws(() => assignScenarios(parseScenarioSpec('stable:3'), 5), /add up to 3 but the fleet has 5/);
  assert.throws(() => assignScenarios(parseScenarioSpec('stable'), undefined), ScenarioSpecError);
  assert.throws(() => assignScenarios(parseScenarioSpec('stable:0')), /at least one device/);
});

test('scenario names resolve into one device behaviour', () => {
  const s = resolveScenario(['deteriorating', 'clock-skew', 'reboot'], DEFAULT_SCENARIO_SETTINGS, new Random('x'));
  assert.equal(s.label, 'deteriorating+clock-skew+reboot');
  assert.ok(s.deterioration !== undefined && s.reboot !== undefined && s.clockSkew !== undefined);
  assert.equal(s.malformedShare, 0);
  assert.equal(s.outOfOrderWindow, 1);
  const stable = resolveScenario(['stable'], DEFAULT_SCENARIO_SETTINGS, new Random('x'));
  assert.equal(stable.label, 'stable');
  assert.equal(stable.deterioration, undefined);
});
