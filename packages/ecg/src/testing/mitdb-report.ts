// `npm run ecg:mitdb`: the QRS detection table (EC57 on the MIT-BIH records shipped here) and the
// rhythm-condition table that docs/CLINICAL.md carries; a test keeps the document equal to them.
import { QrsDetector } from '../qrs/qrs-detector.js';
import { evaluateMitdb, mitdbTable, rhythmTable } from './mitdb.js';

const results = await evaluateMitdb((fs) => new QrsDetector(fs));
process.stdout.write(`${mitdbTable(results)}\n\n${await rhythmTable()}\n`);
