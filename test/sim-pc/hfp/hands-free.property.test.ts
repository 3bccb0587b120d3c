/**
 * Property tests: whatever the AG sends (random unsolicited results,
 * garbage bytes, everything cut into fragments at any byte) and whatever
 * the user does meanwhile, the hands-free unit never throws, reports only
 * protocol errors, stays connected, and once things are quiet and a +CLCC
 * has been answered its call list is exactly the AG's. Also: random
 * garbage during the SLC ends in an SLC or an SlcError, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/protocol/errors';
import { resultPrefix, type AgResult, type AgResultOf } from '../../../src/protocol/hfp/results';
import { SlcError } from '../../../src/sim-pc/hfp/errors';
import { isAgRefusal } from '../../../src/sim-pc/hfp/errors';
import { NotConnectedError, UnsupportedError } from '../../../src/sim-pc/errors';
import type { FakeChannel } from './fake-ag';
import { brief, connected, rig, settle } from './hf-rig';

/** Lines that would end or feed a command if they arrived unasked: a real AG never sends them so. */
const FORBIDDEN = new Set(['OK', 'ERROR', '+CME ERROR', '+CLCC', '+BRSF', '+CIND', '+CHLD', '+BIND', '+COPS', '+CNUM', '+XAPL']);

function harmless(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('latin1');
  return text.split(/[\r\n]/).every((line) => {
    const prefix = resultPrefix(line);
    return prefix === undefined || !FORBIDDEN.has(prefix);
  });
}

const number = fc.oneof(fc.constant(''), fc.stringMatching(/^\+?[0-9]{3,12}$/));

const clccEntry = (index: number): fc.Arbitrary<AgResultOf<'clcc'>> =>
  fc.record({
    kind: fc.constant('clcc' as const),
    index: fc.constant(index),
    direction: fc.integer({ min: 0, max: 1 }),
    status: fc.integer({ min: 0, max: 6 }),
    mode: fc.constant(0),
    multiparty: fc.boolean(),
    number: fc.stringMatching(/^\+?[0-9]{3,12}$/),
    type: fc.constantFrom(129, 145),
  });

const callList: fc.Arbitrary<AgResultOf<'clcc'>[]> = fc
  .uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 4 })
  .chain((indexes) => (indexes.length === 0 ? fc.constant([]) : fc.tuple(...indexes.map(clccEntry))));

const unsolicited: fc.Arbitrary<AgResult> = fc.oneof(
  fc.record({ kind: fc.constant('ciev' as const), index: fc.integer({ min: 1, max: 9 }), value: fc.integer({ min: 0, max: 6 }) }),
  fc.constant<AgResult>({ kind: 'ring' }),
  fc.record({ kind: fc.constant('clip' as const), number, type: fc.constantFrom(129, 145) }),
  fc.record({ kind: fc.constant('ccwa' as const), number, type: fc.constantFrom(129, 145) }),
  fc.record({ kind: fc.constant('vgs' as const), gain: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('vgm' as const), gain: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('bcs' as const), codec: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('bsir' as const), enabled: fc.boolean() }),
  fc.record({ kind: fc.constant('btrh' as const), state: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('bindStatus' as const), indicator: fc.integer({ min: 1, max: 3 }), enabled: fc.boolean() }),
  fc.constantFrom<AgResult>({ kind: 'noCarrier' }, { kind: 'busy' }, { kind: 'noAnswer' }, { kind: 'unknown', raw: '+APLSIRI: 1' }),
);

type Action =
  | { kind: 'result'; result: AgResult }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'calls'; calls: AgResultOf<'clcc'>[] }
  | { kind: 'user'; what: 'answer' | 'hangUp' | 'hold' | 'join' | 'dial' | 'dtmf' | 'volume' }
  | { kind: 'wait'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: unsolicited.map((result): Action => ({ kind: 'result', result })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).filter(harmless).map((bytes): Action => ({ kind: 'garbage', bytes })) },
  { weight: 2, arbitrary: callList.map((calls): Action => ({ kind: 'calls', calls })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('answer', 'hangUp', 'hold', 'join', 'dial', 'dtmf', 'volume')
      .map((what): Action => ({ kind: 'user', what: what as Extract<Action, { kind: 'user' }>['what'] })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 400 }).map((ms): Action => ({ kind: 'wait', ms })) },
);

/** Cuts every write into pieces at the given sizes (cycled). */
function fragmenter(channel: FakeChannel, sizes: number[]): void {
  let turn = 0;
  channel.fragment = (bytes) => {
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = sizes.length === 0 ? bytes.length : Math.max(1, sizes[turn++ % sizes.length] ?? 1);
      out.push(bytes.subarray(at, at + size));
      at += size;
    }
    return out;
  };
}

test('property: arbitrary AG output never breaks the HF, and after a +CLCC its list is the AG list', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(action, { maxLength: 40 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 6 }),
      callList,
      async (actions, cuts, finalCalls) => {
        const { clock, ag, hf, seen } = await connected();
        fragmenter(ag.channel, cuts);
        const userFailures: unknown[] = [];
        for (const a of actions) {
          if (a.kind === 'result') ag.send(a.result);
          else if (a.kind === 'garbage') ag.sendRaw(a.bytes);
          else if (a.kind === 'calls') ag.calls = a.calls;
          else if (a.kind === 'wait') await clock.runFor(a.ms);
          else {
            const run = {
              answer: () => hf.answer(),
              hangUp: () => hf.hangUp(),
              hold: () => hf.hold(),
              join: () => hf.join(),
              dial: () => hf.dial('5551234'),
              dtmf: () => hf.sendDtmf('1'),
              volume: () => hf.setSpeakerGain(8),
            }[a.what];
            run().catch((err: unknown) => userFailures.push(err));
          }
        }
        await clock.runUntilIdle();
        ag.calls = finalCalls;
        const outcome = await settle(clock, hf.refreshCalls());
        await clock.runUntilIdle();
        assert.ok(outcome.ok, String(!outcome.ok && outcome.error));
        assert.equal(hf.state, 'connected');
        const want = [...finalCalls]
          .sort((x, y) => x.index - y.index)
          .map((c) => [c.index, c.direction, c.status, c.number, c.multiparty]);
        assert.deepEqual(brief(hf.calls), want);
        assert.ok(seen.calls.length === 0 || brief(seen.calls.at(-1) ?? []).length === want.length);
        for (const err of seen.errors) assert.ok(err instanceof ProtocolError, `unexpected error event: ${String(err)}`);
        for (const err of userFailures) {
          assert.ok(err instanceof UnsupportedError || err instanceof NotConnectedError || isAgRefusal(err), String(err));
        }
        assert.equal(clock.pendingEvents, 0, 'idle means no timer left');
      },
    ),
    { numRuns: 150 },
  );
});

test('property: garbage and fragmentation during the SLC end in an SLC or an SlcError, never a hang', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.uint8Array({ minLength: 1, maxLength: 30 })), { maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 5 }),
      async (noise, cuts) => {
        const r = rig();
        fragmenter(r.ag.channel, cuts);
        let count = 0;
        r.ag.handler = (_command, ag) => {
          for (const [at, bytes] of noise) if (at === count) ag.sendRaw(bytes);
          count++;
          return undefined;
        };
        const outcome = await settle(r.clock, r.hf.start());
        if (!outcome.ok) {
          assert.ok(outcome.error instanceof SlcError, String(outcome.error));
          assert.equal(r.hf.state, 'closed');
        } else {
          assert.equal(r.hf.state, 'connected');
        }
        await r.clock.runUntilIdle();
        for (const err of r.seen.errors) assert.ok(err instanceof Error);
        assert.equal(r.clock.pendingEvents, 0);
      },
    ),
    { numRuns: 200 },
  );
});
