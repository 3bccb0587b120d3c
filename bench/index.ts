/**
 * `npm run bench`: runs every bench/*.bench.ts module and prints each figure
 * beside the baseline measured in the same run, as a ratio. Targets are
 * ratios, never absolute times, so the numbers mean the same on any machine.
 * Pass names to run a subset: `npm run bench -- ancs`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The same work done a simpler way in the same run, for a ratio. */
  baseline?: { name: string; value: number; unit: string };
  /** How to read value/baseline: 'higher' when bigger is better. */
  better?: 'higher' | 'lower';
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchFigure[]>;
}

function format(n: number): string {
  if (n >= 1000) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  let failed = false;
  for (const file of files) {
    const mod = (await import(path.join(__dirname, file))) as BenchModule;
    console.log(`\n## ${file}`);
    try {
      for (const fig of await mod.run()) {
        let line = `${fig.name}: ${format(fig.value)} ${fig.unit}`;
        if (fig.baseline) {
          const ratio = fig.value / fig.baseline.value;
          line += `  | baseline ${fig.baseline.name}: ${format(fig.baseline.value)} ${fig.baseline.unit}  | ratio ${ratio.toFixed(2)}x`;
        }
        if (fig.note) line += `  (${fig.note})`;
        console.log(line);
      }
    } catch (err) {
      failed = true;
      console.error(`${file} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) void main();
