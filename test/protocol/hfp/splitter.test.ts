import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCommand } from '../../../src/protocol/hfp/commands';
import { HfpError } from '../../../src/protocol/hfp/errors';
import { encodeResult, resultText } from '../../../src/protocol/hfp/results';
import { commandText } from '../../../src/protocol/hfp/commands';
import {
  CommandLineSplitter,
  ResultLineSplitter,
  type SplitterEvent,
} from '../../../src/protocol/hfp/splitter';
import { anyCommand, anyResult, ascii, chunkAt, concatBytes, isSubsequence } from './arbitraries';

function feed(splitter: ResultLineSplitter | CommandLineSplitter, chunks: readonly Uint8Array[]): SplitterEvent[] {
  return chunks.flatMap((c) => splitter.push(c));
}
const lines = (events: readonly SplitterEvent[]): string[] => events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
const errorCodes = (events: readonly SplitterEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'error' ? [e.error.code] : []));

test('result splitter: CRLF framing, bare CR or LF endings, missing leading CRLF, empty lines', () => {
  const events = new ResultLineSplitter().push(ascii('\r\n+BRSF: 4079\r\n\r\nOK\r\nRING\r+CIEV: 3,1\n\n\r\r\n+CLIP: "1",129\r\n'));
  assert.deepEqual(lines(events), ['+BRSF: 4079', 'OK', 'RING', '+CIEV: 3,1', '+CLIP: "1",129']);
  assert.deepEqual(errorCodes(events), []);
});

test('result splitter: line offsets are stream byte offsets and survive chunking', () => {
  const splitter = new ResultLineSplitter();
  const first = splitter.push(ascii('\r\nO'));
  assert.deepEqual(first, []);
  assert.equal(splitter.pendingBytes, 1);
  const second = splitter.push(ascii('K\r\n\r\n+CIEV: 1,1\r\n'));
  assert.deepEqual(second, [
    { kind: 'line', text: 'OK', offset: 2 },
    { kind: 'line', text: '+CIEV: 1,1', offset: 8 },
  ]);
  assert.equal(splitter.bytesSeen, 20);
});

test('result splitter: a UTF-8 character split across chunks is decoded whole', () => {
  const bytes = ascii('\r\n+COPS: 0,0,"Café ☎"\r\n');
  const whole = lines(new ResultLineSplitter().push(bytes));
  assert.deepEqual(whole, ['+COPS: 0,0,"Café ☎"']);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(lines(feed(new ResultLineSplitter(), chunkAt(bytes, [cut]))), whole, `cut at ${cut}`);
  }
});

test('result splitter: garbage costs only its own line, and control bytes drop a line with an error', () => {
  const events = new ResultLineSplitter().push(ascii('\rX\r\n+CLCC: 1,1,4,0,0\r\nab\u0000cd\r\nOK\r\n'));
  assert.deepEqual(lines(events), ['X', '+CLCC: 1,1,4,0,0', 'OK']);
  const errors = events.filter((e) => e.kind === 'error');
  assert.equal(errors.length, 1);
  const [error] = errors;
  assert.ok(error?.kind === 'error');
  assert.equal(error.error.code, 'hfp.bad-character');
  assert.equal(error.error.offset, 24);
});

test('result splitter: an over-long line is dropped once and the splitter resynchronises at the next terminator', () => {
  const long = 'A'.repeat(600);
  const bytes = ascii(`\r\nOK\r\n${long}\r\n+CIEV: 2,1\r\n`);
  for (const size of [1, 7, 100, bytes.length]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    const splitter = new ResultLineSplitter({ maxLineLength: 512 });
    const events = feed(splitter, chunks);
    assert.deepEqual(lines(events), ['OK', '+CIEV: 2,1'], `chunk size ${size}`);
    assert.deepEqual(errorCodes(events), ['hfp.line-too-long']);
    const [error] = events.filter((e) => e.kind === 'error');
    assert.ok(error?.kind === 'error');
    assert.equal(error.error.offset, 6);
    assert.ok(error.error instanceof HfpError);
  }
});

test('result splitter: a line of exactly the limit is kept, one byte more is not', () => {
  const splitter = new ResultLineSplitter({ maxLineLength: 8 });
  assert.deepEqual(lines(splitter.push(ascii('12345678\r'))), ['12345678']);
  const events = splitter.push(ascii('123456789\r'));
  assert.deepEqual(lines(events), []);
  assert.deepEqual(errorCodes(events), ['hfp.line-too-long']);
  assert.throws(() => new ResultLineSplitter({ maxLineLength: 0 }), HfpError);
});

test('command splitter: CR endings, LF and CRLF tolerated, a stray leading CR, bytes before AT', () => {
  const splitter = new CommandLineSplitter();
  const events = splitter.push(ascii('\rATD"0123"\rAT+CHUP\nAT+BRSF=1\r\n\u0007xyzAT+CIND=?\rjunk\r'));
  assert.deepEqual(lines(events), ['ATD"0123"', 'AT+CHUP', 'AT+BRSF=1', 'AT+CIND=?']);
  assert.deepEqual(errorCodes(events), ['hfp.garbage', 'hfp.garbage']);
  const garbage = events.filter((e) => e.kind === 'error').map((e) => (e.kind === 'error' ? e.error.offset : -1));
  assert.deepEqual(garbage, [30, 44]);
});

test('command splitter: byte-at-a-time input gives the same command', () => {
  const splitter = new CommandLineSplitter();
  const events = [...ascii('AT+BRSF\r')].flatMap((b) => splitter.push(Uint8Array.of(b)));
  assert.deepEqual(events, [{ kind: 'line', text: 'AT+BRSF', offset: 0 }]);
});

const resultStream = fc.array(anyResult, { minLength: 1, maxLength: 8 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

test('property: result lines are the same whatever the chunk boundaries', () => {
  fc.assert(
    fc.property(resultStream, cuts, (results, at) => {
      const bytes = concatBytes(results.map(encodeResult));
      const whole = new ResultLineSplitter().push(bytes);
      assert.deepEqual(lines(whole), results.map(resultText));
      assert.deepEqual(feed(new ResultLineSplitter(), chunkAt(bytes, at)), whole);
    }),
    { numRuns: 400 },
  );
});

test('property: garbage between frames never throws and the valid lines around it are recovered in order', () => {
  const garbage = fc.uint8Array({ maxLength: 40 });
  fc.assert(
    fc.property(resultStream, fc.array(garbage, { minLength: 9, maxLength: 9 }), cuts, (results, junk, at) => {
      const parts: Uint8Array[] = [];
      results.forEach((r, i) => {
        parts.push(junk[i] ?? new Uint8Array(0), encodeResult(r));
      });
      parts.push(junk[8] ?? new Uint8Array(0));
      const splitter = new ResultLineSplitter();
      const events = feed(splitter, chunkAt(concatBytes(parts), at));
      assert.ok(isSubsequence(results.map(resultText), lines(events)));
      assert.ok(splitter.pendingBytes <= 512);
    }),
    { numRuns: 400 },
  );
});

test('property: any bytes, any chunking: no throw, bounded buffer, every error is an HfpError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), cuts, fc.integer({ min: 1, max: 64 }), (bytes, at, max) => {
      for (const splitter of [new ResultLineSplitter({ maxLineLength: max }), new CommandLineSplitter({ maxLineLength: max })]) {
        const events = feed(splitter, chunkAt(bytes, at));
        assert.ok(splitter.pendingBytes <= max);
        for (const e of events) {
          if (e.kind === 'error') assert.ok(e.error instanceof HfpError);
          else assert.ok(e.text.length <= max && e.text !== '' && !/[\r\n]/.test(e.text));
        }
      }
    }),
    { numRuns: 300 },
  );
});

const commandStream = fc.array(anyCommand, { minLength: 1, maxLength: 8 });

test('property: command lines are the same whatever the chunk boundaries', () => {
  fc.assert(
    fc.property(commandStream, cuts, (commands, at) => {
      const bytes = concatBytes(commands.map(encodeCommand));
      const events = feed(new CommandLineSplitter(), chunkAt(bytes, at));
      assert.deepEqual(lines(events), commands.map(commandText));
      assert.deepEqual(errorCodes(events), []);
    }),
    { numRuns: 400 },
  );
});

test('property: command splitter recovers every command after garbage (prefixed, or ended by a stray CR)', () => {
  const noA = fc.uint8Array({ maxLength: 20 }).map((b) => b.filter((x) => x !== 0x41 && x !== 0x61 && x !== 0x0d && x !== 0x0a));
  const anyJunk = fc.uint8Array({ maxLength: 20 });
  fc.assert(
    fc.property(commandStream, fc.array(fc.tuple(noA, anyJunk), { minLength: 8, maxLength: 8 }), cuts, (commands, junk, at) => {
      const parts: Uint8Array[] = [];
      commands.forEach((c, i) => {
        const [prefix, stray] = junk[i] ?? [new Uint8Array(0), new Uint8Array(0)];
        parts.push(stray, Uint8Array.of(0x0d), prefix, encodeCommand(c));
      });
      const events = feed(new CommandLineSplitter(), chunkAt(concatBytes(parts), at));
      assert.ok(isSubsequence(commands.map(commandText), lines(events)));
    }),
    { numRuns: 400 },
  );
});
