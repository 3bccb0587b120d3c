/**
 * Bumble's AT tokenizer/parser cases and HFP byte snippets
 * (../shared/corpora/bumble/bumble_vectors.json) against our tokenizer,
 * splitters and codecs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeCommand } from '../../../src/protocol/hfp/commands';
import { decodeResult } from '../../../src/protocol/hfp/results';
import { CommandLineSplitter, ResultLineSplitter } from '../../../src/protocol/hfp/splitter';
import { type AtParam, parseParameters, tokenizeParameters } from '../../../src/protocol/hfp/tokenizer';
import { ascii } from './arbitraries';

interface AtCase {
  fn: string;
  input: string;
  expected: unknown;
}
interface Snippet {
  direction: string;
  bytes: string;
  context: string;
}

const VECTORS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'bumble', 'bumble_vectors.json');
const SKIP = `bumble vectors not found at ${VECTORS}`;

function load(): { at_parameter_parsing: AtCase[]; hfp_snippets_from_hfp_test_py: Snippet[] } | undefined {
  if (!existsSync(VECTORS)) return undefined;
  return JSON.parse(readFileSync(VECTORS, 'utf8')) as { at_parameter_parsing: AtCase[]; hfp_snippets_from_hfp_test_py: Snippet[] };
}
const vectors = load();

type Plain = string | Plain[];
const plain = (params: readonly AtParam[]): Plain[] =>
  params.map((p): Plain => (p.kind === 'list' ? plain(p.items) : p.kind === 'range' ? `${p.min}-${p.max}` : p.value));

test('bumble: AT tokenizer and parameter parser cases give the expected parse', (t) => {
  if (!vectors) return t.skip(SKIP);
  const cases = vectors.at_parameter_parsing;
  assert.ok(cases.length > 0);
  for (const c of cases) {
    if (c.fn === 'tokenize_parameters') {
      assert.deepEqual(
        tokenizeParameters(c.input).map((tok) => tok.value),
        c.expected,
        c.input,
      );
    } else if (c.fn === 'parse_parameters') {
      assert.deepEqual(plain(parseParameters(c.input)), c.expected, c.input);
    } else {
      assert.fail(`unknown bumble case function ${c.fn}`);
    }
  }
});

test('bumble: HFP snippets split and decode as the context says', (t) => {
  if (!vectors) return t.skip(SKIP);
  const snippets = vectors.hfp_snippets_from_hfp_test_py;
  const agToHf = snippets.filter((s) => s.direction === 'AG->HF');
  const hfToAg = snippets.filter((s) => s.direction === 'HF->AG');
  assert.ok(agToHf.length > 0 && hfToAg.length > 0);

  for (const s of agToHf) {
    const events = new ResultLineSplitter().push(ascii(s.bytes));
    const results = events.map((e) => (e.kind === 'line' ? decodeResult(e.text) : assert.fail(e.error.message)));
    assert.ok(results.every((r) => r.kind !== 'unknown'), s.context);
    if (s.context === 'response to AT+BIND=?') {
      assert.deepEqual(results, [{ kind: 'bindList', indicators: [1, 2] }, { kind: 'ok' }]);
    }
  }
  for (const s of hfToAg) {
    const events = new CommandLineSplitter().push(ascii(s.bytes));
    const commands = events.map((e) => (e.kind === 'line' ? decodeCommand(e.text) : assert.fail(e.error.message)));
    assert.ok(commands.every((c) => c.kind !== 'unknown'), s.context);
    if (s.bytes === 'ATA\rAT+CHUP\r') assert.deepEqual(commands, [{ kind: 'answer' }, { kind: 'chup' }]);
  }
});
