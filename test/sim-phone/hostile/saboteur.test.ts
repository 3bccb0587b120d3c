/**
 * The saboteur's bookkeeping: armed faults go to the next frame of their
 * profile (and stream), in order; the random rate is seeded and limited to
 * the profiles and kinds the hostile profile names; arming and the record
 * are bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { Saboteur, SaboteurFullError } from '../../../src/sim-phone/hostile/saboteur';
import type { HostileProfile } from '../../../src/sim-phone/hostile/hostile-profile';

const clock = (): VirtualClock => new VirtualClock({ seed: 1 });

test('an armed fault takes the next frame of its profile, not of another', () => {
  const s = new Saboteur({ clock: clock() });
  s.arm('pbap', 'truncated');
  assert.equal(s.decide('map', 'mas'), undefined);
  assert.deepEqual(s.decide('pbap', 'pbap'), { kind: 'truncated', frame: 0, armed: true });
  assert.equal(s.decide('pbap', 'pbap'), undefined);
  assert.equal(s.frames('pbap'), 2);
  assert.equal(s.frames('map'), 1);
});

test('armed faults go out in order; a stream filter and the possible kinds hold a fault back', () => {
  const s = new Saboteur({ clock: clock() });
  s.arm('map', 'malformed', 'mns');
  s.arm('map', 'oversized');
  assert.deepEqual(s.decide('map', 'mas')?.kind, 'oversized');
  assert.deepEqual(s.armed('map'), [{ kind: 'malformed', part: 'mns' }]);
  assert.equal(s.decide('map', 'mns', ['truncated']), undefined);
  assert.deepEqual(s.decide('map', 'mns')?.kind, 'malformed');
  assert.deepEqual(s.armed('map'), []);
});

test('arming is bounded with a typed error; disarm drops what waits', () => {
  const s = new Saboteur({ clock: clock(), maxArmed: 2 });
  s.arm('hfp', 'malformed');
  s.arm('hfp', 'malformed');
  assert.throws(() => s.arm('hfp', 'malformed'), (err: unknown) => err instanceof SaboteurFullError && err.code === 'sim-phone.saboteur-full');
  s.disarm('hfp');
  assert.equal(s.decide('hfp', 'hfp'), undefined);
});

test('the record keeps committed faults with profile, kind, frame and time, bounded', () => {
  const c = clock();
  const hostile: HostileProfile = { rate: 0, seed: 1, profiles: [], kinds: [], maxRecords: 2 };
  const s = new Saboteur({ clock: c, hostile });
  const seen: string[] = [];
  s.events.on('fault', (f) => seen.push(`${f.profile}/${f.kind}`));
  for (const kind of ['malformed', 'truncated', 'oversized'] as const) {
    s.arm('ancs', kind);
    const d = s.decide('ancs', 'notificationSource');
    assert.ok(d);
    s.commit('ancs', 'notificationSource', d, 8, 3);
  }
  assert.deepEqual(seen, ['ancs/malformed', 'ancs/truncated', 'ancs/oversized']);
  const record = s.faults();
  assert.equal(record.length, 2);
  assert.equal(s.dropped, 1);
  assert.deepEqual(record[1], { profile: 'ancs', kind: 'oversized', part: 'notificationSource', frame: 2, at: 0, length: { before: 8, after: 3 }, armed: true });
});

test('the random rate is seeded and keeps to the named profiles and kinds', () => {
  const hostile: HostileProfile = { rate: 0.5, seed: 7, profiles: ['hfp'], kinds: ['outOfOrder'] };
  const draw = (): string[] => {
    const s = new Saboteur({ clock: clock(), hostile });
    const out: string[] = [];
    for (let i = 0; i < 200; i++) {
      assert.equal(s.decide('pbap', 'pbap'), undefined);
      const d = s.decide('hfp', 'hfp');
      if (d) {
        assert.equal(d.kind, 'outOfOrder');
        assert.equal(d.armed, false);
        out.push(String(d.frame));
      }
    }
    return out;
  };
  const first = draw();
  assert.ok(first.length > 60 && first.length < 140, `about half of 200 frames, got ${first.length}`);
  assert.deepEqual(draw(), first);
});

test('setRate turns random faults off (armed ones still apply) and refuses a rate outside 0..1', () => {
  const s = new Saboteur({ clock: clock(), hostile: { rate: 1, seed: 1, profiles: ['ancs'], kinds: ['malformed'] } });
  assert.equal(s.decide('ancs', 'dataSource')?.kind, 'malformed');
  s.setRate(0);
  assert.equal(s.decide('ancs', 'dataSource'), undefined);
  s.arm('ancs', 'truncated');
  assert.equal(s.decide('ancs', 'dataSource')?.kind, 'truncated');
  assert.throws(() => s.setRate(1.5), RangeError);
});
