import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type AgResult, decodeResult, isFinalResult } from '../../../src/protocol/hfp/results';
import { IndicatorMap } from '../../../src/protocol/hfp/indicators';
import { ResultLineSplitter } from '../../../src/protocol/hfp/splitter';
import { CallRefusedError } from '../../../src/sim-phone/hfp/call-model';
import { type AgRig, Hf, makeAgRig, slc } from './ag-rig';

const encoder = new TextEncoder();

/** Decodes everything the AG wrote; every line must be a well-formed result the codec knows. */
function results(output: string): AgResult[] {
  const splitter = new ResultLineSplitter();
  return splitter.push(encoder.encode(output)).map((event) => {
    assert.equal(event.kind, 'line', 'the AG writes only clean lines');
    const result = decodeResult(event.kind === 'line' ? event.text : '');
    assert.notEqual(result.kind, 'unknown', `unexpected line ${JSON.stringify(output)}`);
    return result;
  });
}

function finals(output: string): AgResult[] {
  return results(output).filter(isFinalResult);
}

const NAMES = [
  '+BRSF', '+BAC', '+CIND', '+CMER', '+CHLD', '+BIND', '+CLIP', '+CCWA', '+CMEE', '+COPS', '+NREC', '+CLCC', '+CNUM',
  '+VGS', '+VGM', 'A', '+CHUP', 'D', '+BLDN', '+VTS', '+BVRA', '+BIA', '+BIEV', '+BCS', '+BCC', '+BTRH', '+XAPL',
  '+IPHONEACCEV', '+FOO', 'H', '',
];
const argChars = fc.constantFrom(...'0123456789,;()"x- >*#+=?AaBb'.split(''));
const atLine = fc
  .tuple(
    fc.constantFrom('AT', 'at', 'At'),
    fc.constantFrom(...NAMES),
    fc.oneof(fc.constant(''), fc.constant('?'), fc.constant('=?'), fc.string({ unit: argChars, maxLength: 24 }).map((s) => `=${s}`), fc.string({ unit: argChars, maxLength: 12 })),
  )
  .map(([at, name, rest]) => `${at}${name}${rest}`);

test('property: random bytes in random chunks never break the AG, and it still answers afterwards', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { maxLength: 12 }), (chunks) => {
      const rig = makeAgRig();
      const hf = slc(rig);
      hf.take();
      for (const chunk of chunks) hf.write(chunk);
      rig.clock.advance(5);
      results(hf.take());
      const reply = hf.at('\rAT+CIND?');
      assert.ok(reply.endsWith('\r\n+CIND: 1,0,0,5,5,0,0\r\n\r\nOK\r\n'), JSON.stringify(reply));
      assert.deepEqual(rig.internalErrors, []);
      assert.equal(rig.ag.sessions().length, 1);
    }),
    { numRuns: 300 },
  );
});

test('property: every random AT line gets exactly one final result (OK, ERROR or +CME ERROR), with or without CMEE', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(atLine, { minLength: 1, maxLength: 25 }), (cmee, lines) => {
      const rig = makeAgRig();
      const hf = slc(rig, { codecs: [1, 2], extras: cmee ? ['AT+CMEE=1'] : [] });
      hf.take();
      for (const line of lines) {
        const got = finals(hf.at(line));
        assert.equal(got.length, 1, `${JSON.stringify(line)} -> ${JSON.stringify(got)}`);
        const kind = got[0]?.kind;
        assert.ok(kind === 'ok' || kind === 'error' || kind === 'cmeError', `${line} -> ${kind}`);
      }
      assert.deepEqual(rig.internalErrors, []);
    }),
    { numRuns: 300 },
  );
});

type Step =
  | { at: string }
  | { stimulus: 'incoming' | 'waiting' | 'outgoing' | 'remoteAnswers' | 'remoteBusy' | 'remoteHangsUp' | 'networkLoss' | 'serviceOn' | 'battery' }
  | { wait: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ at: fc.constantFrom('ATA', 'AT+CHUP', 'ATD5551;', 'AT+BLDN', 'AT+CHLD=0', 'AT+CHLD=1', 'AT+CHLD=2', 'AT+CHLD=3', 'AT+CHLD=11', 'AT+CHLD=12', 'AT+CHLD=21', 'AT+CHLD=22', 'AT+BCS=2', 'AT+BCS=1') }),
  fc.record({
    stimulus: fc.constantFrom(
      'incoming' as const,
      'waiting' as const,
      'outgoing' as const,
      'remoteAnswers' as const,
      'remoteBusy' as const,
      'remoteHangsUp' as const,
      'networkLoss' as const,
      'serviceOn' as const,
      'battery' as const,
    ),
  }),
  fc.record({ wait: fc.integer({ min: 0, max: 4000 }) }),
);

function applyStimulus(rig: AgRig, name: Extract<Step, { stimulus: string }>['stimulus']): void {
  const calls = rig.model.telephony;
  try {
    if (name === 'incoming') calls.incomingCall('+15550001');
    else if (name === 'waiting') calls.callWaiting('5550002');
    else if (name === 'outgoing') calls.startOutgoingCall('123');
    else if (name === 'remoteAnswers') calls.remoteAnswers();
    else if (name === 'remoteBusy') calls.remoteBusy();
    else if (name === 'remoteHangsUp') calls.remoteHangsUp();
    else if (name === 'networkLoss') calls.networkLoss();
    else if (name === 'serviceOn') calls.setService(true);
    else calls.setBattery((calls.battery + 1) % 6);
  } catch (err) {
    if (!(err instanceof CallRefusedError)) throw err;
  }
}

/** call / callsetup / callheld as +CLCC shows the calls. */
function fromClcc(list: AgResult[]): Record<string, number> {
  const status = list.flatMap((r) => (r.kind === 'clcc' ? [r.status] : []));
  const active = status.includes(0);
  const held = status.includes(1);
  const setup = status.includes(4) || status.includes(5) ? 1 : status.includes(2) ? 2 : status.includes(3) ? 3 : 0;
  return { call: active || held ? 1 : 0, callsetup: setup, callheld: held ? (active ? 1 : 2) : 0 };
}

for (const profile of ['iphone', 'android']) {
  test(`property (${profile}): the +CIEV stream an HF follows always matches AT+CIND? and the calls in AT+CLCC`, () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        const rig = makeAgRig({ profile });
        const hf = Hf.connect(rig);
        hf.at('AT+BRSF=511');
        hf.at('AT+BAC=1,2');
        const testReply = results(hf.at('AT+CIND=?')).find((r) => r.kind === 'cindTest');
        assert.ok(testReply?.kind === 'cindTest');
        const map = IndicatorMap.fromCindTest(testReply);
        const readReply = results(hf.at('AT+CIND?')).find((r) => r.kind === 'cindRead');
        assert.ok(readReply?.kind === 'cindRead');
        const known = new Map(map.interpretCind(readReply.values).map((v) => [v.name, v.value]));
        const follow = (output: string): void => {
          for (const r of results(output)) {
            if (r.kind !== 'ciev') continue;
            const v = map.interpretCiev(r);
            assert.ok(v.inRange, `${v.name}=${v.value} outside the listed range`);
            known.set(v.name, v.value);
          }
        };
        follow(hf.at('AT+CMER=3,0,0,1'));
        follow(hf.at('AT+CHLD=?'));
        for (const line of ['AT+BIND=1,2', 'AT+BIND=?', 'AT+BIND?', 'AT+CLIP=1', 'AT+CCWA=1']) follow(hf.at(line));
        for (const step of steps) {
          if ('at' in step) follow(hf.at(step.at));
          else if ('wait' in step) follow(hf.wait(step.wait));
          else {
            applyStimulus(rig, step.stimulus);
            follow(hf.wait(5));
          }
          // Timers (alerting, auto-answer) may fire while these run: read the output in stream order.
          let checked = 0;
          for (const r of results(hf.at('AT+CIND?'))) {
            if (r.kind === 'ciev') follow(`\r\n+CIEV: ${r.index},${r.value}\r\n`);
            if (r.kind !== 'cindRead') continue;
            const fresh = new Map(map.interpretCind(r.values).map((v) => [v.name, v.value]));
            assert.deepEqual(known, fresh, 'tracked +CIEV values match AT+CIND?');
            checked++;
          }
          const listed: AgResult[] = [];
          for (const r of results(hf.at('AT+CLCC'))) {
            if (r.kind === 'ciev') follow(`\r\n+CIEV: ${r.index},${r.value}\r\n`);
            else if (r.kind === 'clcc') listed.push(r);
            else if (r.kind === 'ok') {
              const clcc = fromClcc(listed);
              for (const name of ['call', 'callsetup', 'callheld']) assert.equal(known.get(name), clcc[name], `${name} matches AT+CLCC`);
              checked++;
            }
          }
          assert.equal(checked, 2);
        }
        assert.deepEqual(rig.internalErrors, []);
      }),
      { numRuns: 150 },
    );
  });
}
