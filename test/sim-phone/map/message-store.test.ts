/**
 * The phone's message store and the message stimuli: receiving and
 * recording sent messages, read status, folders, the bound (oldest dropped
 * first), the Backchannel's receiveMessage / readMessage and the "Show
 * Message Notifications" toggles, and message steps in stimulus scripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/link/virtual-clock';
import { Backchannel } from '../../../src/sim-phone/backchannel';
import { StimulusError } from '../../../src/sim-phone/errors';
import { MessageStore, UnknownMessageError, type PhoneMessage } from '../../../src/sim-phone/map';
import { PhoneModel } from '../../../src/sim-phone/phone-model';
import { loadPhoneProfile } from '../../../src/sim-phone/profile';
import { parseStimulus, parseStimulusScript } from '../../../src/sim-phone/stimulus';

const DATE = new Date('2026-03-01T10:00:00Z');

test('received messages arrive unread in the inbox; sent ones are read, in sent, with their PC', () => {
  const store = new MessageStore();
  const events: string[] = [];
  store.events.on('added', (m) => events.push(`added ${m.id}`));
  store.events.on('changed', (m, change) => events.push(`${change} ${m.id}`));
  store.events.on('removed', (m, reason) => events.push(`${reason} ${m.id}`));
  const got = store.receive({ from: '+15550002', name: 'Ann', text: 'hi', group: ['+15550003'], date: DATE });
  assert.deepEqual(
    [got.direction, got.folder, got.read, got.service, got.group, got.attachment],
    ['received', 'inbox', false, 'sms', ['+15550003'], undefined],
  );
  const sent = store.recordSent({ recipients: ['+15550002'], text: 'yo', type: 'SMS_GSM', sentBy: 'aa:bb:cc:dd:ee:01', date: DATE });
  assert.deepEqual([sent.direction, sent.folder, sent.read, sent.sentBy], ['sent', 'sent', true, 'AA:BB:CC:DD:EE:01']);
  assert.deepEqual(store.sent().map((m) => m.id), [sent.id]);
  assert.equal(store.setRead(got.id, true), true);
  assert.equal(store.setRead(got.id, true), false);
  assert.equal(store.move(got.id, 'deleted'), true);
  assert.equal(store.get(got.id)?.previousFolder, 'inbox');
  store.markShown(got.id, 'aa:bb:cc:dd:ee:01');
  store.markShown(got.id, 'AA:BB:CC:DD:EE:01');
  assert.deepEqual([...(store.get(got.id)?.shownTo ?? [])], ['AA:BB:CC:DD:EE:01']);
  assert.equal(store.remove(got.id), true);
  assert.equal(store.remove(got.id), false);
  assert.throws(() => store.setRead(got.id, false), (e: unknown) => e instanceof UnknownMessageError && e.code === 'sim-phone.unknown-message');
  assert.deepEqual(events, [`added 1`, `added 2`, `read 1`, `folder 1`, `shown 1`, `deleted 1`]);
});

test('property: the store never holds more than its limit; the oldest go first; ids never repeat', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), (limit, count) => {
      const store = new MessageStore(limit);
      const dropped: number[] = [];
      store.events.on('removed', (m, reason) => {
        assert.equal(reason, 'overflow');
        dropped.push(m.id);
      });
      const ids: number[] = [];
      for (let i = 0; i < count; i++) ids.push(store.receive({ from: '1', text: String(i), date: DATE }).id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(store.size, Math.min(limit, count));
      assert.deepEqual(dropped, ids.slice(0, Math.max(0, count - limit)));
      assert.deepEqual(store.all().map((m: PhoneMessage) => m.id), ids.slice(Math.max(0, count - limit)));
    }),
    { numRuns: 300 },
  );
  assert.throws(() => new MessageStore(0), RangeError);
});

test('the Backchannel receives messages (validated), reads them and flips the toggle', () => {
  const clock = new VirtualClock({ epoch: DATE });
  const model = new PhoneModel(loadPhoneProfile('iphone'), clock, { messageLimit: 5 });
  const backchannel = new Backchannel(model);
  const id = backchannel.receiveMessage({ from: '+15550002', text: 'hello', service: 'imessage', attachment: { mimeType: 'image/jpeg', size: 10 } }, 'first');
  const message = model.messages.get(id);
  assert.ok(message && message.direction === 'received');
  assert.equal(message.service, 'imessage');
  assert.equal(message.date.getTime(), clock.date().getTime());
  assert.deepEqual(message.attachment, { mimeType: 'image/jpeg', size: 10 });
  backchannel.readMessage('first');
  assert.equal(model.messages.get(id)?.read, true);
  assert.throws(() => backchannel.readMessage('nope'), UnknownMessageError);
  assert.throws(() => backchannel.receiveMessage({ from: '', text: 'x' }), (e: unknown) => e instanceof StimulusError && e.field === 'message.from');
  assert.throws(() => backchannel.receiveMessage({ from: 'a;b', text: 'x' }), StimulusError);
  assert.throws(() => backchannel.receiveMessage({ from: '1', text: 'x', group: Array.from({ length: 40 }, () => '2') }), /more than 31/);
  assert.throws(() => backchannel.receiveMessage({ from: '1', text: 'x', attachment: { mimeType: 'jpeg', size: 1 } }), StimulusError);
  assert.throws(() => backchannel.receiveMessage({ from: '1', text: 'x', date: 'yesterday' }), StimulusError);
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:01', 'showMessageNotifications'), false);
  backchannel.allowMessageNotifications('AA:BB:CC:DD:EE:01');
  assert.equal(model.hasPermission('aa:bb:cc:dd:ee:01', 'showMessageNotifications'), true);
  backchannel.revokeMessageNotifications();
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:01', 'showMessageNotifications'), false);
  assert.equal(model.messages.limit, 5);
});

test('message stimuli in scripts: parsed, refs checked, applied on the clock', async () => {
  const script = parseStimulusScript([
    { atMs: 0, stimulus: { kind: 'allowMessageNotifications', pcAddress: 'AA:BB:CC:DD:EE:01' } },
    { atMs: 100, stimulus: { kind: 'receiveMessage', ref: 'hi', message: { from: '+15550002', name: 'Ann', text: 'Hi', group: ['+15550003'] } } },
    { atMs: 200, stimulus: { kind: 'readMessage', message: 'hi' } },
    { atMs: 300, stimulus: { kind: 'revokeMessageNotifications' } },
  ]);
  assert.deepEqual(
    script.map((s) => s.stimulus.kind),
    ['allowMessageNotifications', 'receiveMessage', 'readMessage', 'revokeMessageNotifications'],
  );
  const clock = new VirtualClock();
  const model = new PhoneModel(loadPhoneProfile('iphone'), clock);
  const backchannel = new Backchannel(model);
  backchannel.runScript(script);
  await clock.runFor(150);
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:01', 'showMessageNotifications'), true);
  assert.equal(model.messages.size, 1);
  assert.equal(model.messages.all()[0]?.read, false);
  await clock.runFor(200);
  assert.equal(model.messages.all()[0]?.read, true);
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:01', 'showMessageNotifications'), false);

  assert.throws(
    () => parseStimulusScript([{ atMs: 0, stimulus: { kind: 'readMessage', message: 'ghost' } }]),
    (e: unknown) => e instanceof StimulusError && /no earlier step received/.test(e.message),
  );
  assert.throws(
    () =>
      parseStimulusScript([
        { atMs: 0, stimulus: { kind: 'receiveMessage', ref: 'a', message: { from: '1', text: 'x' } } },
        { atMs: 0, stimulus: { kind: 'receiveMessage', ref: 'a', message: { from: '1', text: 'y' } } },
      ]),
    /repeats/,
  );
  assert.throws(() => parseStimulus({ kind: 'receiveMessage', message: { from: '1', text: 'x', colour: 'red' } }), (e: unknown) => e instanceof StimulusError && e.field === 'stimulus.message.colour');
  assert.throws(() => parseStimulus({ kind: 'receiveMessage', message: { from: '1', text: 'x', service: 'whatsapp' } }), /stimulus\.message\.service/);
  assert.deepEqual(parseStimulus({ kind: 'readMessage', message: 3 }), { kind: 'readMessage', message: 3 });
  assert.equal(backchannel.apply({ kind: 'receiveMessage', message: { from: '+1555', text: 'via apply' } }), 2);
});
