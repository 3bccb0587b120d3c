/**
 * Writes the generated contact fixtures in fixtures/contacts/: address books
 * of 10, 1,000 and 5,000 contacts as vCard 3.0 files (through the phone's own
 * vCard writer) and a call history as JSON. Deterministic: running it again
 * gives the same files. Run: `node -r ts-node/register/transpile-only scripts/generate-fixtures.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContactBook } from '../src/sim-phone/contact-book';
import { generateAddressBook, generateCallHistory } from '../src/harness/fixtures/address-book';

const dir = path.resolve(__dirname, '..', 'fixtures', 'contacts');
mkdirSync(dir, { recursive: true });

for (const count of [10, 1000, 5000]) {
  const book = new ContactBook();
  book.replaceAll(generateAddressBook({ count, seed: 2026 }));
  // The address book only: a phone adds its own owner card (0.vcf) when it serves PBAP.
  const text = book.all().map((c) => book.vcardFor(c, '3.0')).join('');
  const file = path.join(dir, `contacts-${count}.vcf`);
  writeFileSync(file, text);
  console.log(`${path.relative(process.cwd(), file)}: ${count} contacts, ${text.length} bytes`);
}

const calls = generateCallHistory({ count: 200, seed: 7, book: generateAddressBook({ count: 1000, seed: 2026 }), end: new Date('2026-01-05T09:00:00Z') });
const file = path.join(dir, 'call-history.json');
writeFileSync(file, `${JSON.stringify(calls.map((c) => ({ ...c, time: c.time.toISOString() })), null, 1)}\n`);
console.log(`${path.relative(process.cwd(), file)}: ${calls.length} calls`);
