/**
 * Replays the AG side of BlueZ's HF unit tests (unit/test-hfp.c, PTS-named
 * sessions and fragmented/garbled snippets, from ../shared/corpora) against
 * the HandsFree. BlueZ's HF sends its post-SLC commands in another order
 * than ours, so each recorded reply group answers whichever command we send
 * next: the check is robustness (the SLC comes up on BlueZ's indicator
 * order, nothing but protocol errors is reported, the unit stays
 * connected) and that indicators end at the values the stream last set, by
 * name. Skips when the corpus is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ProtocolError } from '../../../src/protocol/errors';
import { HfFeature } from '../../../src/protocol/hfp/constants';
import { IndicatorMap } from '../../../src/protocol/hfp/indicators';
import { decodeResult } from '../../../src/protocol/hfp/results';
import { AgCmeError } from '../../../src/sim-pc/hfp/errors';
import { connected, fails, ok, rig, settle } from './hf-rig';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora', 'bluez-hfp', 'test_hfp_pdus.json');

interface Pdu {
  kind: 'raw' | 'frg' | 'end' | 'type';
  text?: string;
}
interface CorpusTest {
  name: string;
  pdus: Pdu[];
  ag_to_hf_stream_chunks?: string[];
}

function load(): CorpusTest[] | undefined {
  if (!existsSync(CORPUS)) return undefined;
  return (JSON.parse(readFileSync(CORPUS, 'utf8')) as { tests: CorpusTest[] }).tests;
}

/** Reply groups: a raw pdu and the fragments written right after it. */
function groups(pdus: Pdu[]): string[][] {
  const out: string[][] = [];
  for (const pdu of pdus) {
    if (pdu.text === undefined) continue;
    if (pdu.kind === 'raw' || out.length === 0) out.push([pdu.text]);
    else out[out.length - 1]?.push(pdu.text);
  }
  return out;
}

/** The last value the stream gave each indicator, by name (decoded here, independently of the HF). */
function finalIndicators(stream: string): Record<string, number> {
  const lines = stream.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  let map: IndicatorMap | undefined;
  const values: Record<string, number> = {};
  for (const line of lines) {
    let r;
    try {
      r = decodeResult(line);
    } catch {
      continue;
    }
    if (r.kind === 'cindTest') map = IndicatorMap.fromCindTest(r);
    else if (r.kind === 'cindRead' && map) r.values.forEach((v, i) => (values[map?.nameOf(i + 1) ?? ''] = v));
    else if (r.kind === 'ciev' && map) values[map.nameOf(r.index)] = r.value;
  }
  return values;
}

const sessions = (load() ?? []).filter((t) => t.ag_to_hf_stream_chunks !== undefined && t.name !== '/hfp_hf/test_session_minimal');

test('bluez HFP/HF session streams: SLC on BlueZ indicator order, only protocol errors, indicators by name', async (t) => {
  const tests = load();
  if (!tests) {
    t.skip('corpus ../shared/corpora/bluez-hfp is absent');
    return;
  }
  assert.ok(sessions.length >= 20, `expected the PTS sessions, found ${sessions.length}`);
  for (const session of sessions) {
    const replies = groups(session.pdus);
    const r = rig(undefined, {
      features: HfFeature.ThreeWayCalling | HfFeature.CallerId | HfFeature.EnhancedCallStatus | HfFeature.EnhancedCallControl,
      apple: false,
    });
    r.ag.handler = (_command, ag) => {
      const next = replies.shift();
      if (!next) return undefined;
      for (const text of next) ag.sendRaw(text);
      return 'silent';
    };
    await ok(r.clock, r.hf.start());
    await r.clock.runUntilIdle();
    while (replies.length > 0) {
      // Leftover replies: pull them with harmless commands.
      await settle(r.clock, r.hf.sendDtmf('1'));
    }
    await r.clock.runUntilIdle();
    assert.equal(r.hf.state, 'connected', session.name);
    for (const err of r.seen.errors) assert.ok(err instanceof ProtocolError, `${session.name}: ${String(err)}`);
    const want = finalIndicators((session.ag_to_hf_stream_chunks ?? []).join(''));
    for (const [name, value] of Object.entries(want)) assert.equal(r.hf.indicator(name), value, `${session.name}: ${name}`);
    if (want.call === 0 && want.callsetup === 0 && want.callheld === 0) assert.deepEqual(r.hf.calls, [], session.name);
  }
});

test('bluez HF snippets: fragmented +CME ERROR, split and corrupted +CLCC, unknown lines', async (t) => {
  const tests = load();
  if (!tests) {
    t.skip('corpus ../shared/corpora/bluez-hfp is absent');
    return;
  }
  const byName = new Map(tests.map((x) => [x.name, x]));
  const frgs = (name: string): string[] => (byName.get(name)?.pdus ?? []).filter((p) => p.kind === 'frg' && p.text).map((p) => p.text ?? '');

  // test_send_command_3: "+CME E" / "RROR:30" answers AT+CHLD=1.
  const a = await connected();
  a.ag.handler = (command, ag) => {
    if (command.kind !== 'chld') return undefined;
    for (const piece of frgs('/hfp_hf/test_send_command_3')) ag.sendRaw(piece);
    return 'silent';
  };
  const err = await fails(a.clock, a.hf.releaseActiveAcceptOther());
  assert.ok(err instanceof AgCmeError && err.cme === 30, String(err));

  // Unsolicited snippets after the SLC: nothing but protocol errors, still connected.
  const b = await connected();
  for (const name of ['/hfp_hf/test_unsolicited_1', '/hfp_hf/test_unsolicited_2', '/hfp_hf/test_unsolicited_3', '/hfp_hf/test_corrupted_1', '/hfp_hf/test_context_parser_1', '/hfp_hf/test_context_skip_field', '/hfp_hf/test_unknown', '/hfp_hf/test_empty']) {
    const pieces = frgs(name);
    const raw = (byName.get(name)?.pdus ?? []).filter((p) => p.kind === 'raw' && p.text?.startsWith('\r')).map((p) => p.text ?? '');
    for (const piece of [...raw, ...pieces]) b.ag.sendRaw(piece);
    b.ag.sendRaw('\r\n');
  }
  await b.clock.runUntilIdle();
  assert.equal(b.hf.state, 'connected');
  for (const e of b.seen.errors) assert.ok(e instanceof ProtocolError, String(e));
  await ok(b.clock, b.hf.sendDtmf('3'));
});
