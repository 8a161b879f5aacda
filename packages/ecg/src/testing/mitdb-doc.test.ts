import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { QrsDetector } from '../qrs/qrs-detector.js';
import { evaluateMitdb, mitdbTable, rhythmTable } from './mitdb.js';

const DOC = new URL('../../../../docs/CLINICAL.md', import.meta.url).pathname;

test('docs/CLINICAL.md carries the MIT-BIH detection table and the rhythm table as `npm run ecg:mitdb` prints them', async () => {
  const doc = await readFile(DOC, 'utf8');
  const detection = mitdbTable(await evaluateMitdb((fs) => new QrsDetector(fs)));
  assert.ok(doc.includes(detection), `docs/CLINICAL.md should contain:\n${detection}`);
  const rhythm = await rhythmTable();
  assert.ok(doc.includes(rhythm), `docs/CLINICAL.md should contain:\n${rhythm}`);
});
