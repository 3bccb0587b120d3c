/**
 * Stimuli and Backchannel methods for PBAP: Sync Contacts per PC, add /
 * edit / remove a contact (by id or script reference), log a call, load a
 * contact book; their JSON validation and a script that uses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { VirtualClock } from '../../src/link/virtual-clock';
import { Backchannel } from '../../src/sim-phone/backchannel';
import { StimulusError } from '../../src/sim-phone/errors';
import { PhoneModel } from '../../src/sim-phone/phone-model';
import { UnknownContactError } from '../../src/sim-phone/phonebook-errors';
import { loadPhoneProfile } from '../../src/sim-phone/profile';
import { parseStimulus, parseStimulusScript } from '../../src/sim-phone/stimulus';

const PC = 'AA:BB:CC:DD:EE:01';

function setup(): { clock: VirtualClock; model: PhoneModel; bc: Backchannel } {
  const clock = new VirtualClock();
  const model = new PhoneModel(loadPhoneProfile('iphone'), clock);
  return { clock, model, bc: new Backchannel(model) };
}

function stimulusField(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof StimulusError, `expected StimulusError, got ${String(err)}`);
    return err.field;
  }
  throw new Error('no error');
}

test('Sync Contacts is allowed and revoked per PC or for all', () => {
  const { model, bc } = setup();
  assert.equal(model.hasPermission(PC, 'syncContacts'), false);
  bc.allowSyncContacts(PC);
  assert.equal(model.hasPermission(PC, 'syncContacts'), true);
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:02', 'syncContacts'), false);
  bc.apply({ kind: 'revokeSyncContacts', pcAddress: PC });
  assert.equal(model.hasPermission(PC, 'syncContacts'), false);
  bc.apply(parseStimulus({ kind: 'allowSyncContacts' }));
  assert.equal(model.hasPermission('AA:BB:CC:DD:EE:02', 'syncContacts'), true);
});

test('contacts are added, edited and removed through stimuli, by id or by reference', () => {
  const { model, bc } = setup();
  const id = bc.apply(
    parseStimulus({
      kind: 'addContact',
      ref: 'jane',
      contact: { name: { family: 'Doe', given: 'Jane' }, phones: [{ number: '555' }], photo: { base64: 'AQID', type: 'PNG' } },
    }),
  );
  assert.equal(id, 1);
  const jane = model.contacts.get(1);
  assert.deepEqual(jane?.phones, [{ number: '555', type: 'mobile' }]);
  assert.deepEqual(jane?.photo, { bytes: Uint8Array.from([1, 2, 3]), type: 'PNG' });
  bc.apply(parseStimulus({ kind: 'editContact', contact: 'jane', changes: { organisation: 'Acme', photo: null } }));
  assert.equal(model.contacts.get(1)?.organisation, 'Acme');
  assert.equal(model.contacts.get(1)?.photo, undefined);
  bc.apply(parseStimulus({ kind: 'editContact', contact: 0, changes: { name: { given: 'Me' } } }));
  assert.equal(model.contacts.owner.formattedName, 'Me');
  bc.apply(parseStimulus({ kind: 'removeContact', contact: 'jane' }));
  assert.equal(model.contacts.size, 0);
  assert.throws(() => bc.removeContact('nobody'), UnknownContactError);
});

test('calls are logged through stimuli; the default time is the clock', () => {
  const { clock, model, bc } = setup();
  clock.advance(60_000);
  const id = bc.apply(parseStimulus({ kind: 'addCall', call: { kind: 'missed', number: '+1 555' } }));
  bc.apply(parseStimulus({ kind: 'addCall', call: { kind: 'received', number: '1', name: 'Jo', time: '2026-01-01T00:00:00Z', durationSec: 12 } }));
  assert.equal(id, 1);
  assert.deepEqual(
    model.calls.list().map((r) => [r.kind, r.time.toISOString(), r.durationSec, r.name]),
    [
      ['missed', '2026-01-05T09:01:00.000Z', 0, undefined],
      ['received', '2026-01-01T00:00:00.000Z', 12, 'Jo'],
    ],
  );
  assert.equal(model.calls.newMissedCalls, 1);
});

test('a contact book loads through a stimulus', () => {
  const { model, bc } = setup();
  bc.apply(parseStimulus({ kind: 'loadContactBook', file: path.join(__dirname, 'fixtures', 'contacts.json') }));
  assert.equal(model.contacts.size, 3);
  assert.equal(model.contacts.owner.formattedName, 'Jo Appleseed');
});

test('bad PBAP stimuli are named field by field', () => {
  assert.equal(stimulusField(() => parseStimulus({ kind: 'allowSyncContacts', pcAddress: 'nope' })), 'stimulus.pcAddress');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addContact', contact: { colour: 'red' } })), 'stimulus.contact.colour');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addContact', contact: { phones: [{ number: '1', type: 'fax' }] } })), 'stimulus.contact.phones[0].type');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addContact', contact: { photo: { base64: '!!', type: 'PNG' } } })), 'stimulus.contact.photo.base64');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addContact', contact: { note: null } })), 'stimulus.contact.note');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'editContact', contact: 1, changes: {} })), 'stimulus.changes');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'editContact', contact: -1, changes: { note: 'x' } })), 'stimulus.contact');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addCall', call: { kind: 'forwarded', number: '1' } })), 'stimulus.call.kind');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'addCall', call: { kind: 'missed', number: '1', time: 'later' } })), 'stimulus.call.time');
  assert.equal(stimulusField(() => parseStimulus({ kind: 'loadContactBook' })), 'stimulus.file');
});

test('a script adds a contact, edits it by reference and logs a call on the clock', async () => {
  const { clock, model, bc } = setup();
  const steps = parseStimulusScript([
    { atMs: 0, stimulus: { kind: 'allowSyncContacts', pcAddress: PC } },
    { atMs: 100, stimulus: { kind: 'addContact', ref: 'mum', contact: { name: { given: 'Mum' }, phones: [{ number: '07700 900123' }] } } },
    { atMs: 200, stimulus: { kind: 'editContact', contact: 'mum', changes: { phones: [{ number: '07700 900999', type: 'home' }] } } },
    { atMs: 300, stimulus: { kind: 'addCall', call: { kind: 'missed', number: '07700 900999' } } },
  ]);
  bc.runScript(steps);
  await clock.runUntilIdle();
  assert.equal(model.contacts.get(1)?.phones[0]?.number, '07700 900999');
  assert.equal(model.calls.list()[0]?.time.toISOString(), '2026-01-05T09:00:00.300Z');
  assert.equal(model.hasPermission(PC, 'syncContacts'), true);
  assert.equal(
    stimulusField(() => parseStimulusScript([{ atMs: 0, stimulus: { kind: 'removeContact', contact: 'ghost' } }])),
    '[0].stimulus.contact',
  );
  assert.equal(
    stimulusField(() =>
      parseStimulusScript([
        { atMs: 0, stimulus: { kind: 'addContact', ref: 'a', contact: {} } },
        { atMs: 0, stimulus: { kind: 'addContact', ref: 'a', contact: {} } },
      ]),
    ),
    '[1].stimulus.ref',
  );
});
