import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../src/link/virtual-clock';
import { CategoryId } from '../../src/protocol/ancs/constants';
import { Backchannel } from '../../src/sim-phone/backchannel';
import { StimulusError, UnknownNotificationError } from '../../src/sim-phone/errors';
import { PhoneModel } from '../../src/sim-phone/phone-model';
import { fixturesDir, loadPhoneProfile } from '../../src/sim-phone/profile';
import { loadStimulusScript, parseStimulus, parseStimulusScript } from '../../src/sim-phone/stimulus';

function setup(): { clock: VirtualClock; model: PhoneModel; bc: Backchannel } {
  const clock = new VirtualClock();
  const model = new PhoneModel(loadPhoneProfile('iphone'), clock);
  return { clock, model, bc: new Backchannel(model) };
}

function expectStimulusError(run: () => unknown, field: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof StimulusError, `expected StimulusError, got ${String(err)}`);
    assert.equal(err.field, field);
    return true;
  });
}

test('postNotification fills defaults from the clock and returns the store id', () => {
  const { clock, model, bc } = setup();
  clock.advance(90_000);
  const id = bc.postNotification({ appId: 'com.apple.MobileSMS', title: 'Mum', message: 'Lunch?' });
  const n = model.notifications.get(id);
  assert.ok(n);
  assert.equal(n.date.toISOString(), '2026-01-05T09:01:30.000Z');
  assert.equal(n.categoryId, CategoryId.Other);
  assert.equal(n.subtitle, '');
  assert.equal(n.silent, false);
  assert.equal(n.important, false);
  assert.equal(n.positiveActionLabel, undefined);
});

test('category by name or number, explicit date, labels', () => {
  const { model, bc } = setup();
  const a = bc.postNotification({
    appId: 'com.apple.mobilecal',
    title: 'Stand-up',
    message: '09:30',
    category: 'Schedule',
    date: '2026-01-05T08:00:00Z',
    important: true,
    negativeActionLabel: 'Clear',
  });
  const b = bc.postNotification({ appId: 'x', title: '', message: '', category: 200 });
  assert.equal(model.notifications.get(a)?.categoryId, CategoryId.Schedule);
  assert.equal(model.notifications.get(a)?.date.toISOString(), '2026-01-05T08:00:00.000Z');
  assert.equal(model.notifications.get(a)?.negativeActionLabel, 'Clear');
  assert.equal(model.notifications.get(b)?.categoryId, 200);
});

test('modify and remove by id or by ref', () => {
  const { model, bc } = setup();
  const id = bc.postNotification({ appId: 'com.whatsapp.WhatsApp', title: 'Group', message: 'one' }, 'group');
  bc.modifyNotification('group', { message: 'two', category: 'Social' });
  assert.equal(model.notifications.get(id)?.message, 'two');
  assert.equal(model.notifications.get(id)?.categoryId, CategoryId.Social);
  bc.modifyNotification(id, { title: 'Group!' });
  assert.equal(model.notifications.get(id)?.title, 'Group!');
  bc.removeNotification('group');
  assert.equal(model.notifications.size, 0);
  assert.throws(() => bc.removeNotification('nobody'), UnknownNotificationError);
  assert.throws(() => bc.removeNotification(id), UnknownNotificationError);
});

test('permissions: one PC or every PC, including PCs seen later', () => {
  const { model, bc } = setup();
  const events: Array<[string | undefined, boolean]> = [];
  model.events.on('permissionChanged', (pc, perm, granted) => {
    assert.equal(perm, 'shareSystemNotifications');
    events.push([pc, granted]);
  });
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:01', 'shareSystemNotifications'), false);
  bc.allowShareSystemNotifications('aa:aa:aa:aa:aa:01');
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:01', 'shareSystemNotifications'), true);
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:02', 'shareSystemNotifications'), false);
  bc.allowShareSystemNotifications();
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:03', 'shareSystemNotifications'), true);
  bc.revokeShareSystemNotifications('AA:AA:AA:AA:AA:03');
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:03', 'shareSystemNotifications'), false);
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:01', 'shareSystemNotifications'), true);
  bc.revokeShareSystemNotifications();
  assert.equal(model.hasPermission('AA:AA:AA:AA:AA:01', 'shareSystemNotifications'), false);
  assert.deepEqual(model.permissions('AA:AA:AA:AA:AA:01'), {
    shareSystemNotifications: false,
    syncContacts: false,
    showMessageNotifications: false,
  });
  assert.deepEqual(events, [
    ['aa:aa:aa:aa:aa:01', true],
    [undefined, true],
    ['AA:AA:AA:AA:AA:03', false],
    [undefined, false],
  ]);
});

test('installApp adds to the model and emits', () => {
  const { model, bc } = setup();
  const seen: string[] = [];
  model.events.on('appInstalled', (id, name) => seen.push(`${id}=${name}`));
  assert.equal(model.appName('com.example.new'), undefined);
  bc.installApp('com.example.new', 'New');
  assert.equal(model.appName('com.example.new'), 'New');
  assert.deepEqual(seen, ['com.example.new=New']);
});

test('apply runs each stimulus kind', () => {
  const { model, bc } = setup();
  const id = bc.apply(parseStimulus({ kind: 'postNotification', ref: 'r', notification: { appId: 'a', title: 't', message: 'm' } }));
  assert.equal(typeof id, 'number');
  bc.apply(parseStimulus({ kind: 'modifyNotification', notification: 'r', changes: { message: 'm2', positiveActionLabel: 'OK' } }));
  assert.equal(model.notifications.get(id as number)?.positiveActionLabel, 'OK');
  bc.apply(parseStimulus({ kind: 'modifyNotification', notification: 'r', changes: { positiveActionLabel: null } }));
  assert.equal(model.notifications.get(id as number)?.positiveActionLabel, undefined);
  bc.apply(parseStimulus({ kind: 'allowShareSystemNotifications', pcAddress: '11:22:33:44:55:66' }));
  assert.equal(model.hasPermission('11:22:33:44:55:66', 'shareSystemNotifications'), true);
  bc.apply(parseStimulus({ kind: 'revokeShareSystemNotifications' }));
  assert.equal(model.hasPermission('11:22:33:44:55:66', 'shareSystemNotifications'), false);
  bc.apply(parseStimulus({ kind: 'installApp', appId: 'b', name: 'B' }));
  assert.equal(model.appName('b'), 'B');
  bc.apply(parseStimulus({ kind: 'removeNotification', notification: 'r' }));
  assert.equal(model.notifications.size, 0);
});

test('stimulus validation names the bad field', () => {
  expectStimulusError(() => parseStimulus({ kind: 'explode' }), 'stimulus.kind');
  expectStimulusError(() => parseStimulus({ kind: 'postNotification' }), 'stimulus.notification');
  expectStimulusError(() => parseStimulus({ kind: 'postNotification', notification: { appId: 'a', title: 't' } }), 'stimulus.notification.message');
  expectStimulusError(
    () => parseStimulus({ kind: 'postNotification', notification: { appId: 'a', title: 't', message: 'm', category: 'Gossip' } }),
    'stimulus.notification.category',
  );
  expectStimulusError(
    () => parseStimulus({ kind: 'postNotification', notification: { appId: 'a', title: 't', message: 'm', date: 'yesterday' } }),
    'stimulus.notification.date',
  );
  expectStimulusError(
    () => parseStimulus({ kind: 'postNotification', notification: { appId: 'a', title: 't', message: 'm', colour: 'red' } }),
    'stimulus.notification.colour',
  );
  expectStimulusError(() => parseStimulus({ kind: 'modifyNotification', notification: 1, changes: {} }), 'stimulus.changes');
  expectStimulusError(() => parseStimulus({ kind: 'modifyNotification', notification: 1, changes: { appId: 'x' } }), 'stimulus.changes.appId');
  expectStimulusError(() => parseStimulus({ kind: 'removeNotification', notification: 0 }), 'stimulus.notification');
  expectStimulusError(() => parseStimulus({ kind: 'allowShareSystemNotifications', pcAddress: 'PC-1' }), 'stimulus.pcAddress');
  expectStimulusError(() => parseStimulus({ kind: 'installApp', appId: 'a' }), 'stimulus.name');
});

test('script validation: order, refs, shape', () => {
  const post = (ref: string) => ({ kind: 'postNotification', ref, notification: { appId: 'a', title: 't', message: 'm' } });
  expectStimulusError(() => parseStimulusScript({}), '(root)');
  expectStimulusError(() => parseStimulusScript([{ atMs: 5, stimulus: post('a') }, { atMs: 4, stimulus: post('b') }]), '[1].atMs');
  expectStimulusError(() => parseStimulusScript([{ atMs: -1, stimulus: post('a') }]), '[0].atMs');
  expectStimulusError(() => parseStimulusScript([{ atMs: 0, stimulus: post('a') }, { atMs: 1, stimulus: post('a') }]), '[1].stimulus.ref');
  expectStimulusError(
    () => parseStimulusScript([{ atMs: 0, stimulus: { kind: 'removeNotification', notification: 'later' } }, { atMs: 1, stimulus: post('later') }]),
    '[0].stimulus.notification',
  );
  expectStimulusError(() => parseStimulusScript([{ atMs: 0, stimulus: post('a'), extra: 1 }]), '[0].extra');
  expectStimulusError(() => parseStimulusScript([{ atMs: 0, stimulus: { kind: 'installApp', appId: 'a', name: 5 } }]), '[0].stimulus.name');
  const steps = parseStimulusScript([{ atMs: 0, note: 'hello', stimulus: post('a') }]);
  assert.deepEqual(steps, [{ atMs: 0, stimulus: post('a') }]);
});

test('loadStimulusScript reports unreadable files as StimulusError', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'script-'));
  const file = path.join(dir, 'broken.json');
  writeFileSync(file, '[{');
  expectStimulusError(() => loadStimulusScript(file), '(file)');
});

test('the morning script is valid and plays out on the clock', async () => {
  const { clock, model, bc } = setup();
  const steps = loadStimulusScript(path.join(fixturesDir(), 'notifications', 'morning.json'));
  assert.ok(steps.length >= 10);
  const kinds = steps.map((s) => s.stimulus.kind);
  assert.equal(kinds.filter((k) => k === 'modifyNotification').length, 1);
  assert.equal(kinds.filter((k) => k === 'removeNotification').length, 1);
  const posts = kinds.filter((k) => k === 'postNotification').length;
  const apps = new Set(steps.flatMap((s) => (s.stimulus.kind === 'postNotification' ? [s.stimulus.notification.appId] : [])));
  assert.ok(apps.size >= 5, 'several apps');

  clock.advance(1000);
  const run = bc.runScript(steps);
  const changes: string[] = [];
  model.notifications.events.on('added', (n) => changes.push(`+${n.id}@${clock.now()}`));
  model.notifications.events.on('modified', (n) => changes.push(`~${n.id}@${clock.now()}`));
  model.notifications.events.on('removed', (n) => changes.push(`-${n.id}@${clock.now()}`));
  assert.equal(run.pending, true);
  clock.advance(0);
  assert.equal(model.notifications.size, 1, 'the first step runs at once');
  assert.equal(model.notifications.all()[0]?.date.toISOString(), '2026-01-05T09:00:01.000Z');
  await clock.runUntilIdle();
  assert.equal(run.pending, false);
  assert.equal(run.applied, steps.length);
  assert.equal(model.notifications.size, posts - 1);
  const last = steps[steps.length - 1];
  assert.ok(last);
  assert.equal(clock.now(), 1000 + last.atMs);
  // Every change happened at its step's time.
  assert.deepEqual(
    changes.map((c) => Number(c.split('@')[1]) - 1000),
    steps.map((s) => s.atMs),
  );
});

test('a cancelled script stops', () => {
  const { clock, model, bc } = setup();
  const post = { kind: 'postNotification' as const, notification: { appId: 'a', title: 't', message: 'm' } };
  const run = bc.runScript([
    { atMs: 10, stimulus: post },
    { atMs: 20, stimulus: post },
  ]);
  clock.advance(15);
  run.cancel();
  clock.advance(100);
  assert.equal(model.notifications.size, 1);
  assert.equal(run.applied, 1);
  assert.equal(clock.nextEventTime(), undefined);
});
