/**
 * The BlueZ unit/test-hfp.c byte streams (../shared/corpora/bluez-hfp):
 * HF-side sessions named after SIG test cases must parse to the result
 * sequences written out below by hand from the test descriptions and the
 * HFP spec; gateway cases must classify to the command types they expect.
 * Cases not listed here (the corpus may grow) get generic checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyCommand, decodeCommand } from '../../../src/protocol/hfp/commands';
import { clccDirectionName, clccStatusName } from '../../../src/protocol/hfp/constants';
import { HfpError } from '../../../src/protocol/hfp/errors';
import { IndicatorMap } from '../../../src/protocol/hfp/indicators';
import { type AgResult, decodeResult, resultPrefix } from '../../../src/protocol/hfp/results';
import { CommandLineSplitter, ResultLineSplitter, type SplitterEvent } from '../../../src/protocol/hfp/splitter';
import { parseParameters } from '../../../src/protocol/hfp/tokenizer';

interface Pdu {
  kind: 'raw' | 'frg' | 'type' | 'end';
  hex?: string;
  text?: string;
  gw_cmd_type?: string;
}
interface CorpusTest {
  name: string;
  suite: string;
  test_function: string;
  description: string;
  pdus: Pdu[];
  ag_to_hf_stream_chunks?: string[];
}

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'bluez-hfp', 'test_hfp_pdus.json');
const SKIP = `BlueZ HFP corpus not found at ${CORPUS}`;

function loadCorpus(): CorpusTest[] | undefined {
  if (!existsSync(CORPUS)) return undefined;
  const parsed = JSON.parse(readFileSync(CORPUS, 'utf8')) as { tests: CorpusTest[] };
  return parsed.tests;
}
const corpus = loadCorpus();
const hfTests = (corpus ?? []).filter((t) => t.suite.startsWith('hfp_hf'));
const gwTests = (corpus ?? []).filter((t) => t.suite.startsWith('hfp_gw'));

const bytesOf = (pdu: Pdu): Uint8Array => Uint8Array.from(Buffer.from(pdu.hex ?? '', 'hex'));
/** Registration prefixes and HF commands in the tests end with a NUL; they are not AG output. */
const isStreamPdu = (pdu: Pdu): boolean =>
  (pdu.kind === 'raw' || pdu.kind === 'frg') && !(pdu.hex ?? '').endsWith('00');

// ---- Hand-written expectations -------------------------------------------------------------

const BLUEZ_CIND = 'cind-test service,call,callsetup,callheld,signal,roam,battchg';
const minimalSlc = (s: number, c: number, cs: number, ch: number): string[] => [
  'brsf 0', 'ok', BLUEZ_CIND, 'ok', `cind ${s},${c},${cs},${ch},5,0,5`, 'ok', 'ok', 'ok', 'cops 0 0 TEST', 'ok', 'ok',
];
const fullSlc = (s: number, c: number, cs: number, ch: number): string[] => [
  'brsf 16383', 'ok', BLUEZ_CIND, 'ok', `cind ${s},${c},${cs},${ch},5,0,5`, 'ok', 'ok',
  'chld 0,1,1x,2,2x,3,4', 'ok', 'ok', 'cops 0 0 TEST', 'ok', 'ok', 'ok', 'ok', 'ok',
];
const incomingRing = ['callsetup=1', 'ring', 'clip 1234567 129'];
const outgoing = ['ok', 'callsetup=2', 'callsetup=3', 'call=1', 'callsetup=0'];
/** In-band ring setting, incoming call listed, answered, listed active, ended (the ICA pattern). */
const icaCall = [
  'callsetup=1', 'clcc 1 MobileTerminated Incoming 1234567 129', 'ok', 'ring', 'clip 1234567 129', 'ok',
  'call=1', 'callsetup=0', 'clcc 1 MobileTerminated Active 1234567 129', 'ok',
];

const SESSIONS: Record<string, string[]> = {
  '/hfp_hf/test_session_minimal': minimalSlc(0, 0, 0, 0),
  // Incoming call interrupted: ringing, then the caller gives up.
  '/HFP/HF/CIT/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing, 'callsetup=0'],
  '/HFP/HF/CLI/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing],
  '/HFP/HF/ECS/BV-01-C': [
    ...fullSlc(1, 0, 0, 0), 'clcc 1 MobileTerminated Active 7654321 129 AnActivecall', 'ok', 'call=0', 'ok',
  ],
  '/HFP/HF/ECS/BV-02-C': [
    ...fullSlc(1, 1, 0, 0), 'clcc 1 MobileTerminated Active 7654321 129 AnActivecall', 'ok', 'call=0', 'ok',
  ],
  '/HFP/HF/ENO/BV-01-C': [...fullSlc(1, 0, 0, 0), 'ok', ...incomingRing, 'ok', 'call=1', 'callsetup=0', 'ok'],
  '/HFP/HF/ICA/BV-01-C': [...fullSlc(1, 0, 0, 0), 'ok', 'bsir 1', ...icaCall, 'call=0', 'ok'],
  '/HFP/HF/ICA/BV-02-C': [
    ...fullSlc(1, 0, 0, 0), 'ok', 'bsir 0', ...icaCall, 'ok', 'call=0', 'ok', 'bsir 1', ...icaCall, 'call=0', 'ok',
  ],
  '/HFP/HF/ICA/BV-03-C': [...fullSlc(1, 0, 0, 0), 'ok', 'bsir 0', 'bsir 1', ...icaCall, 'call=0', 'ok'],
  '/HFP/HF/ICA/BV-04-C-full': [...fullSlc(1, 0, 0, 0), 'ok', 'bsir 0', ...icaCall, 'call=0', 'ok'],
  // The call is already ringing when the SLC comes up (callsetup=1 in +CIND).
  '/HFP/HF/ICA/BV-07-C': [
    ...minimalSlc(1, 0, 1, 0), 'ring', 'clip 1234567 129 Aincomingcall', 'ok', 'call=1', 'callsetup=0', 'call=0',
  ],
  '/HFP/HF/ICA/BV-07-C-full': [
    ...fullSlc(1, 0, 1, 0),
    'clcc 1 MobileTerminated Incoming 1234567 129 Aincomingcall', 'ok', 'ring', 'clip 1234567 129 Aincomingcall', 'ok',
    'call=1', 'callsetup=0', 'clcc 1 MobileTerminated Active 1234567 129 Aincomingcall', 'ok', 'call=0', 'ok',
  ],
  '/HFP/HF/ICR/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing, 'ok', 'callsetup=0'],
  '/HFP/HF/ICR/BV-02-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing, 'callsetup=0'],
  '/HFP/HF/OCL/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...outgoing],
  '/HFP/HF/OCL/BV-02-C': [...minimalSlc(1, 0, 0, 0), 'error'],
  '/HFP/HF/OCM/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...outgoing],
  '/HFP/HF/OCN/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...outgoing],
  '/HFP/HF/PSI/BV-01-C': [...minimalSlc(1, 0, 0, 0), 'signal=3'],
  '/HFP/HF/PSI/BV-02-C': [...minimalSlc(1, 0, 0, 0), 'roam=1', 'roam=0'],
  // Operator name: the "TEST" in +COPS is the point of this one.
  '/HFP/HF/PSI/BV-04-C': minimalSlc(1, 0, 0, 0),
  '/HFP/HF/TCA/BV-01-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing, 'ok', 'call=1', 'callsetup=0', 'ok', 'call=0'],
  '/HFP/HF/TCA/BV-02-C': [...minimalSlc(1, 0, 0, 0), ...incomingRing, 'ok', 'call=1', 'callsetup=0', 'call=0'],
  '/HFP/HF/TRS/BV-01-C': [...minimalSlc(0, 0, 0, 0), 'service=1', 'service=0', 'service=1'],
  // Call waiting while busy: the waiting call is listed held, released with CHLD=0 (callheld back to 0).
  '/HFP/HF/TWC/BV-01-C': [
    ...fullSlc(1, 0, 0, 0), 'ok',
    'callsetup=1', 'clcc 1 MobileTerminated Incoming 1234567 129 blueman', 'ok', 'ring', 'clip 1234567 129 blueman', 'ok',
    'call=1', 'callsetup=0', 'clcc 1 MobileTerminated Active 1234567 129 blueman', 'ok',
    'ccwa 7654321 129', 'callsetup=1', 'clcc 1 MobileTerminated Active 1234567 129 blueman',
    'clcc 2 MobileTerminated Held 7654321 129 asecondcall', 'ok', 'ok',
    'callsetup=0', 'callheld=0', 'clcc 1 MobileTerminated Active 1234567 129 blueman', 'ok', 'call=0', 'ok',
  ],
};

/** Non-session HF cases: one entry per line; `! <prefix> <code>` means the line is routed by prefix but its body is malformed. */
const HF_CASES: Record<string, string[]> = {
  '/hfp_hf/test_init': [],
  '/hfp_hf/test_send_command_1': ['ok'],
  '/hfp_hf/test_send_command_2': ['! +BRSF hfp.bad-syntax', 'ok'],
  '/hfp_hf/test_send_command_3': ['cme 30'],
  '/hfp_hf/test_unsolicited_1': ['! +CLCC hfp.bad-syntax'],
  '/hfp_hf/test_unsolicited_2': ['! +CLCC hfp.missing-parameter'],
  '/hfp_hf/test_unsolicited_3': ['! +CLCC hfp.missing-parameter'],
  '/hfp_hf/test_corrupted_1': ['unknown X', '! +CLCC hfp.missing-parameter'],
  '/hfp_hf/test_empty': [],
  '/hfp_hf/test_unknown': ['unknown BR'],
  '/hfp_hf/test_context_parser_1': ['! +CLCC hfp.bad-value'],
  '/hfp_hf/test_context_skip_field': ['chld 1,2x'],
};

const GW_TYPES: Record<string, string> = {
  HFP_GW_CMD_TYPE_COMMAND: 'command',
  HFP_GW_CMD_TYPE_SET: 'set',
  HFP_GW_CMD_TYPE_READ: 'read',
  HFP_GW_CMD_TYPE_TEST: 'test',
};

// ---- Turning a stream into comparable summaries -------------------------------------------

function summarise(result: AgResult, map: IndicatorMap | undefined): string {
  switch (result.kind) {
    case 'brsf':
      return `brsf ${result.features}`;
    case 'cindTest':
      return `cind-test ${result.indicators.map((i) => i.name).join(',')}`;
    case 'cindRead':
      return `cind ${result.values.join(',')}`;
    case 'ciev': {
      assert.ok(map, '+CIEV before any +CIND test response');
      const v = map.interpretCiev(result);
      assert.ok(v.inRange, `${v.name}=${v.value} is outside the announced range`);
      return `${v.name}=${v.value}`;
    }
    case 'chld':
      return `chld ${result.options.join(',')}`;
    case 'clip':
      return ['clip', result.number, result.type, result.alpha].filter((x) => x !== undefined).join(' ');
    case 'ccwa':
      return `ccwa ${result.number} ${result.type}`;
    case 'clcc':
      return [
        'clcc', result.index, clccDirectionName(result.direction), clccStatusName(result.status), result.number, result.type, result.alpha,
      ]
        .filter((x) => x !== undefined)
        .join(' ');
    case 'cops':
      return `cops ${result.mode} ${result.format} ${result.operator}`;
    case 'cmeError':
      return `cme ${result.code}`;
    case 'bsir':
      return `bsir ${result.enabled ? 1 : 0}`;
    case 'unknown':
      return `unknown ${result.raw}`;
    default:
      return result.kind;
  }
}

function runHf(chunks: readonly Uint8Array[]): { events: SplitterEvent[]; summaries: string[] } {
  const splitter = new ResultLineSplitter();
  const events = chunks.flatMap((c) => splitter.push(c));
  let map: IndicatorMap | undefined;
  const summaries: string[] = [];
  for (const event of events) {
    assert.equal(event.kind, 'line', event.kind === 'error' ? event.error.message : '');
    if (event.kind !== 'line') continue;
    try {
      const result = decodeResult(event.text);
      if (result.kind === 'cindTest') map = IndicatorMap.fromCindTest(result);
      if (result.kind === 'cindRead' && map) assert.equal(result.values.length, map.size);
      summaries.push(summarise(result, map));
    } catch (e) {
      assert.ok(e instanceof HfpError, String(e));
      summaries.push(`! ${resultPrefix(event.text)} ${e.code}`);
    }
  }
  return { events, summaries };
}

const byteAtATime = (chunks: readonly Uint8Array[]): Uint8Array[] =>
  chunks.flatMap((c) => [...c].map((b) => Uint8Array.of(b)));

// ---- Tests ----------------------------------------------------------------------------------

test('bluez-hfp: every name in the expectation tables exists in the corpus', (t) => {
  if (!corpus) return t.skip(SKIP);
  const names = new Set(corpus.map((c) => c.name));
  for (const name of [...Object.keys(SESSIONS), ...Object.keys(HF_CASES)]) assert.ok(names.has(name), name);
});

test('bluez-hfp: PTS-named HF sessions parse to the hand-written result sequences', (t) => {
  if (!corpus) return t.skip(SKIP);
  const sessions = hfTests.filter((c) => c.ag_to_hf_stream_chunks !== undefined);
  assert.ok(sessions.length >= Object.keys(SESSIONS).length);
  for (const session of sessions) {
    const chunks = session.pdus.filter(isStreamPdu).map(bytesOf);
    assert.equal(Buffer.concat(chunks).toString('utf8'), (session.ag_to_hf_stream_chunks ?? []).join(''), session.name);
    const { events, summaries } = runHf(chunks);
    // The same lines whatever the chunking: the corpus's own fragments, one byte at a time, all at once.
    assert.deepEqual(runHf(byteAtATime(chunks)).events, events, session.name);
    assert.deepEqual(runHf([Buffer.concat(chunks)]).events, events, session.name);
    // A valid stream holds nothing unknown and nothing malformed.
    assert.deepEqual(summaries.filter((s) => s.startsWith('unknown') || s.startsWith('!')), [], session.name);
    const expected = SESSIONS[session.name];
    if (expected) {
      assert.deepEqual(summaries, expected, session.name);
    } else {
      t.diagnostic(`${session.name}: no hand-written sequence, generic checks only`);
      assert.match(summaries[0] ?? '', /^brsf \d+$/, session.name);
      assert.equal(summaries[2], BLUEZ_CIND, session.name);
    }
  }
});

test('bluez-hfp: the other HF cases (fragments, garbage, unknown lines, list syntax) give the described events', (t) => {
  if (!corpus) return t.skip(SKIP);
  for (const hf of hfTests.filter((c) => c.ag_to_hf_stream_chunks === undefined)) {
    const chunks = hf.pdus.filter(isStreamPdu).map(bytesOf);
    const { summaries } = runHf(chunks);
    assert.deepEqual(runHf(byteAtATime(chunks)).summaries, summaries, hf.name);
    const expected = HF_CASES[hf.name];
    if (expected) assert.deepEqual(summaries, expected, hf.name);
    else t.diagnostic(`${hf.name}: no hand-written expectation, parsed as ${JSON.stringify(summaries)}`);
  }
});

test('bluez-hfp: the context-parser case still yields BlueZ\'s nested containers when tokenized leniently', (t) => {
  if (!corpus) return t.skip(SKIP);
  const hf = hfTests.find((c) => c.name === '/hfp_hf/test_context_parser_1');
  assert.ok(hf);
  const line = Buffer.concat(hf.pdus.filter(isStreamPdu).map(bytesOf)).toString('utf8').trim();
  const params = parseParameters(line, { lenient: true, start: '+CLCC:'.length });
  const plain = (ps: typeof params): unknown =>
    ps.map((p) => (p.kind === 'list' ? plain(p.items) : p.kind === 'range' ? [p.min, p.max] : p.value));
  assert.deepEqual(plain(params), [
    ['call', ['0', '1']],
    ['callsetup', [[0, 3]]],
  ]);
});

test('bluez-hfp: gateway cases split into the expected commands and classify to the expected types', (t) => {
  if (!corpus) return t.skip(SKIP);
  let typed = 0;
  for (const gw of gwTests) {
    const pdus = gw.pdus.filter((p) => p.kind !== 'end');
    if (gw.test_function === 'test_command_handler') {
      // First PDU is written, the second is the command text the handler must see.
      const [input, expected] = pdus;
      assert.ok(input && expected, gw.name);
      const events = new CommandLineSplitter().push(bytesOf(input));
      assert.deepEqual(events.map((e) => (e.kind === 'line' ? e.text : e.error.code)), [expected.text], gw.name);
      continue;
    }
    const typePdu = pdus.find((p) => p.kind === 'type');
    const splitter = new CommandLineSplitter();
    const events = pdus.filter(isStreamPdu).flatMap((p) => splitter.push(bytesOf(p)));
    const lines = events.flatMap((e) => (e.kind === 'line' ? [e.text] : []));
    assert.deepEqual(events.filter((e) => e.kind === 'error'), [], gw.name);
    if (!typePdu) {
      // Fragmented input gives the one command; a lone CR gives nothing.
      if (gw.test_function === 'test_fragmented') assert.deepEqual(lines, ['AT+BRSF'], gw.name);
      if (gw.test_function === 'test_send_and_close' || gw.test_function === 'test_init') assert.deepEqual(lines, [], gw.name);
      continue;
    }
    const prefixPdu = pdus.find((p) => p.kind === 'raw' && (p.hex ?? '').endsWith('00'));
    assert.equal(lines.length, 1, gw.name);
    const classified = classifyCommand(lines[0] ?? '');
    assert.equal(classified.type, GW_TYPES[typePdu.gw_cmd_type ?? ''], gw.name);
    assert.equal(classified.name, (prefixPdu?.text ?? '').replace(/\u0000$/, ''), gw.name);
    try {
      decodeCommand(lines[0] ?? '');
    } catch (e) {
      assert.ok(e instanceof HfpError, String(e));
    }
    typed++;
  }
  assert.ok(typed > 0, 'no typed gateway case found');
});
