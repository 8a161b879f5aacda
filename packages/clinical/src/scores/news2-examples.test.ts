import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { scoreNews2 } from './news2.js';
import { parseNews2Input } from './news2-input.js';

interface ExampleCase {
  readonly id: string;
  readonly description: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly published?: { readonly aggregate: number };
  readonly expected: {
    readonly subscores: Readonly<Record<string, number>>;
    readonly aggregate: number;
    readonly anySingleParameter3: boolean;
    readonly clinicalRisk: string;
  };
}

// Tests run from dist/scores/, two levels below the package root (see test-data/SOURCES.md).
const examples = JSON.parse(
  await readFile(new URL('../../test-data/news2_examples.json', import.meta.url), 'utf8'),
) as { readonly cases: readonly ExampleCase[] };

/** Fields some examples carry that NEWS2 does not use. */
const NOT_NEWS2 = new Set(['diastolicBP']);

describe('NEWS2: every case of news2_examples.json', () => {
  it('has the cases it should', () => {
    assert.ok(examples.cases.length >= 12);
  });

  for (const example of examples.cases) {
    it(`${example.id}: ${example.description.slice(0, 60)}`, () => {
      const parsed = parseNews2Input(
        Object.fromEntries(Object.entries(example.input).filter(([k]) => !NOT_NEWS2.has(k))),
      );
      assert.ok(parsed.ok, JSON.stringify(parsed));
      const result = scoreNews2(parsed.input);
      assert.deepEqual(result.subscores, example.expected.subscores);
      assert.equal(result.aggregate, example.expected.aggregate);
      assert.equal(result.anySingleParameter3, example.expected.anySingleParameter3);
      assert.equal(result.clinicalRisk, example.expected.clinicalRisk);
      // A published score that disagrees with the chart is a trap, not a second truth.
      if (example.published !== undefined) assert.notEqual(result.aggregate, example.published.aggregate);
    });
  }
});
