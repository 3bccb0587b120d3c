/**
 * vCard parsing speed on the generated 5,000-contact address book (with
 * photos), in contacts per second: our parser beside the `vcf` and
 * `ical.js` packages, on the same text in the same run. Each parser's
 * result is checked (card count, a name and a number) before timing, so
 * none of them is measured doing less than the others.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import VCF from 'vcf';
import { parseVcards } from '../src/protocol/vcard';
import type { BenchFigure } from './index';

const FILE = path.resolve(__dirname, '..', 'fixtures', 'contacts', 'contacts-5000.vcf');
const ROUNDS = 7;

interface Contender {
  name: string;
  parse(text: string): number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function run(): Promise<BenchFigure[]> {
  const text = readFileSync(FILE, 'utf8');
  const contenders: Contender[] = [
    {
      name: 'phonebridge parseVcards',
      parse: (t) => {
        const cards = parseVcards(t);
        if (cards[0]?.formattedName !== "Kwame O'Brien" || (cards[0]?.tel.length ?? 0) < 1) throw new Error('phonebridge parsed the wrong thing');
        return cards.length;
      },
    },
    {
      name: 'vcf',
      parse: (t) => {
        const cards = VCF.parse(t);
        if (String(cards[0]?.get('fn')?.valueOf()) !== "Kwame O'Brien") throw new Error('vcf parsed the wrong thing');
        return cards.length;
      },
    },
    {
      name: 'ical.js',
      parse: (t) => {
        const parsed = ICAL.parse(t) as unknown[];
        const cards = (Array.isArray(parsed[0]) ? parsed : [parsed]) as [string, [string, unknown, string, unknown][]][];
        if (cards[0]?.[1].find((p) => p[0] === 'fn')?.[3] !== "Kwame O'Brien") throw new Error('ical.js parsed the wrong thing');
        return cards.length;
      },
    },
  ];
  const rates = new Map<string, number[]>();
  for (const c of contenders) {
    const count = c.parse(text); // warm-up and correctness
    if (count !== 5000) throw new Error(`${c.name} found ${count} cards, not 5000`);
    c.parse(text);
    rates.set(c.name, []);
  }
  // Interleave rounds so every parser sees the same machine load.
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const start = performance.now();
      const count = c.parse(text);
      const ms = performance.now() - start;
      rates.get(c.name)?.push((count / ms) * 1000);
    }
  }
  const ours = median(rates.get('phonebridge parseVcards') ?? []);
  const vcf = median(rates.get('vcf') ?? []);
  const ical = median(rates.get('ical.js') ?? []);
  const faster = vcf >= ical ? { name: 'vcf', value: vcf } : { name: 'ical.js', value: ical };
  const mb = Buffer.byteLength(text) / 1e6;
  return [
    {
      name: 'vCard parsing, 5,000 contacts with photos',
      value: ours,
      unit: 'contacts/s',
      baseline: { name: `${faster.name} (the faster of vcf and ical.js)`, value: faster.value, unit: 'contacts/s' },
      better: 'higher',
      note: `${mb.toFixed(1)} MB; vcf ${Math.round(vcf)}/s, ical.js ${Math.round(ical)}/s; median of ${ROUNDS} interleaved rounds`,
    },
  ];
}

if (require.main === module) {
  void run().then((figures) => console.log(JSON.stringify(figures, null, 2)));
}
