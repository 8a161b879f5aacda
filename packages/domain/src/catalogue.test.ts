import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Catalogue } from './catalogue.js';
import { CATALOGUE } from './catalogue-table.js';

describe('code catalogue', () => {
  const catalogue = new Catalogue();

  it('resolves MDC reference ids, numeric codes and aliases to one entry', () => {
    const byRef = catalogue.lookup('MDC_PULS_OXIM_SAT_O2');
    assert.equal(catalogue.lookup('150456'), byRef);
    assert.equal(catalogue.lookup('spo2'), byRef);
    assert.ok(byRef);
    assert.equal(byRef.unit, '%');
    assert.deepEqual(byRef.loinc, ['2708-6', '59408-5']);
    assert.equal(catalogue.lookup('MDC_ECG_CARD_BEAT_RATE')?.code, 'MDC_ECG_HEART_RATE');
    assert.equal(catalogue.lookup('nope'), undefined);
  });

  it('agrees with the reference CSV on every MDC code, LOINC and unit it carries', () => {
    const csv = readFileSync(new URL('../data/vitals_code_map.csv', import.meta.url), 'utf8');
    for (const entry of CATALOGUE) {
      const row = csv.split('\n').find((line) => new RegExp(`\\b${entry.mdc}\\b`).test(line));
      assert.ok(row, `${entry.code}: numeric code ${entry.mdc} has no row in the CSV`);
      if (entry.loinc[0] !== undefined)
        assert.ok(row.includes(entry.loinc[0]), `${entry.code}: LOINC ${entry.loinc[0]}`);
    }
  });

  it('refuses a catalogue that defines a name twice', () => {
    const first = CATALOGUE[0];
    assert.ok(first);
    assert.throws(() => new Catalogue([first, { ...first, code: 'OTHER', mdc: 1 }]), /defined twice/);
  });
});
