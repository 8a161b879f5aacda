import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingAt, bindingsOverlap, type Binding } from './binding.js';
import { deviceId, patientId } from './ids.js';

describe('device bindings', () => {
  const d = deviceId('mon-1');
  const bindings: Binding[] = [
    { id: 'b1', deviceId: d, patientId: patientId('p1'), fromAt: 100, toAt: 200 },
    { id: 'b2', deviceId: d, patientId: patientId('p2'), fromAt: 200, toAt: null },
  ];

  it('gives the binding in force at an event time, half-open ranges', () => {
    assert.equal(bindingAt(bindings, 99), undefined);
    assert.equal(bindingAt(bindings, 100)?.patientId, 'p1');
    assert.equal(bindingAt(bindings, 199)?.patientId, 'p1');
    assert.equal(bindingAt(bindings, 200)?.patientId, 'p2');
    assert.equal(bindingAt(bindings, 1e15)?.patientId, 'p2');
  });

  it('detects overlapping ranges', () => {
    assert.equal(bindingsOverlap({ fromAt: 0, toAt: 10 }, { fromAt: 10, toAt: null }), false);
    assert.equal(bindingsOverlap({ fromAt: 0, toAt: 11 }, { fromAt: 10, toAt: null }), true);
    assert.equal(bindingsOverlap({ fromAt: 0, toAt: null }, { fromAt: 5, toAt: 6 }), true);
  });
});
