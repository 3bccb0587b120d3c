/**
 * Step definitions for the notification scenarios (features/notifications):
 * stimuli on the simulated phone, actions on the PC, and checks in link time.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { ANCS_DATA_SOURCE_UUID, CategoryId, EventFlag, categoryName } from '../../src/protocol/ancs/constants';
import { AttErrorCode } from '../../src/link/att-codes';
import type { NotificationSpec } from '../../src/sim-phone';
import { DEFAULT_BACKOFF } from '../../src/sim-pc';
import { predictAncsBurst } from '../../src/harness/predict';
import type { PhoneBridgeWorld } from '../../src/harness/world';
import { describeList, pcEntryForCurrent, settle } from './support';

const CATEGORY_BY_APP: Record<string, keyof typeof CategoryId> = {
  'com.apple.MobileSMS': 'Social',
  'com.whatsapp.WhatsApp': 'Social',
  'com.apple.mobilemail': 'Email',
  'com.apple.mobilephone': 'MissedCall',
  'com.apple.mobilecal': 'Schedule',
};

function post(world: PhoneBridgeWorld, spec: NotificationSpec): number {
  const id = world.bed.phone.backchannel.postNotification({ category: CATEGORY_BY_APP[spec.appId] ?? 'Other', ...spec });
  world.currentPhoneNotification = id;
  world.notes[`posted:${id}`] = { title: spec.title, message: spec.message };
  return id;
}

const seconds = (s: number): number => Math.round(s * 1000);

// ---- setting up -------------------------------------------------------------

Given('the PC is paired with the phone', async function (this: PhoneBridgeWorld) {
  await this.bed.pair();
});

Given('the phone refuses pairing', function (this: PhoneBridgeWorld) {
  this.bed.setPairingPolicy(() => false);
});

Given('the user allows {string} for the PC', function (this: PhoneBridgeWorld, permission: string) {
  const backchannel = this.bed.phone.backchannel;
  if (permission === 'Share System Notifications') backchannel.allowShareSystemNotifications(this.bed.pcAddress);
  else if (permission === 'Sync Contacts') backchannel.allowSyncContacts(this.bed.pcAddress);
  else if (permission === 'Show Message Notifications') {
    backchannel.allowMessageNotifications(this.bed.pcAddress);
    // The user just turned it on: the PC tries again now rather than at its next scheduled attempt.
    this.bed.pc.retryMessages();
  } else assert.fail(`unknown permission "${permission}"`);
});

Given(/^the PC (?:is connected|connects) to the phone$/, async function (this: PhoneBridgeWorld) {
  await this.bed.connectPc();
});

When('the PC connects to the phone without pairing', async function (this: PhoneBridgeWorld) {
  this.bed.startPc();
  await this.bed.clock.runFor(3000);
});

// ---- the phone ----------------------------------------------------------------

Given(
  /^(?:while it is away )?the phone shows a notification from "([^"]*)" titled "([^"]*)" saying "([^"]*)"(?: at "([^"]*)")?$/,
  function (this: PhoneBridgeWorld, appId: string, title: string, message: string, at?: string) {
    post(this, { appId, title, message, negativeActionLabel: 'Clear', ...(at ? { date: at } : {}) });
  },
);

Given(
  'the phone shows a notification from {string} titled {string} saying {string} with a {string} action',
  function (this: PhoneBridgeWorld, appId: string, title: string, message: string, label: string) {
    post(this, { appId, title, message, negativeActionLabel: label });
  },
);

Given(
  'the phone shows a notification from {string} titled {string} saying {string} without actions',
  function (this: PhoneBridgeWorld, appId: string, title: string, message: string) {
    post(this, { appId, title, message });
  },
);

When(
  'the phone shows a notification from {string} titled {string} with a message of {int} characters',
  function (this: PhoneBridgeWorld, appId: string, title: string, length: number) {
    const message = Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    this.notes.dsSince = this.bed.pduLog.mark();
    post(this, { appId, title, message, negativeActionLabel: 'Clear' });
  },
);

Given(/^the phone shows (\d+) notifications from "([^"]*)"(?: at once)?$/, function (this: PhoneBridgeWorld, count: string, appId: string) {
  const n = Number(count);
  this.notes.burstStart = this.bed.clock.now();
  this.notes.burstCount = n;
  for (let i = 1; i <= n; i++) post(this, { appId, title: `Contact ${i}`, message: `Message number ${i}`, negativeActionLabel: 'Clear' });
});

When('the phone changes that notification\'s message to {string}', function (this: PhoneBridgeWorld, message: string) {
  const id = this.currentPhoneNotification;
  assert.ok(id !== undefined, 'no notification to change');
  this.bed.phone.backchannel.modifyNotification(id, { message });
  const posted = this.notes[`posted:${id}`] as { title: string };
  this.notes[`posted:${id}`] = { ...posted, message };
});

When('the user clears that notification on the phone', function (this: PhoneBridgeWorld) {
  const id = this.currentPhoneNotification;
  assert.ok(id !== undefined, 'no notification to clear');
  this.bed.phone.backchannel.removeNotification(id);
});

When(/^while it is away the user clears (\d+) notifications? on the phone$/, function (this: PhoneBridgeWorld, count: string) {
  const all = this.bed.phone.model.notifications.all();
  for (const n of all.slice(0, Number(count))) this.bed.phone.backchannel.removeNotification(n.id);
});

// ---- faults --------------------------------------------------------------------

function rememberPcState(world: PhoneBridgeWorld): void {
  world.faultAt = world.bed.clock.now();
  world.notes.reconnectsBefore = world.bed.pc.health().reconnectTimingsMs.length;
  world.savedPcIds.clear();
  for (const e of world.bed.pc.notifications.list()) world.savedPcIds.set(e.title, e.id);
}

When('the phone goes out of range for {int} s', function (this: PhoneBridgeWorld, s: number) {
  rememberPcState(this);
  this.notes.outOfRangeMs = seconds(s);
  this.bed.outOfRange(seconds(s));
});

When('the link drops', function (this: PhoneBridgeWorld) {
  rememberPcState(this);
  this.notes.outOfRangeMs = 0;
  this.bed.dropLinks();
});

When('the phone withdraws the notification service', function (this: PhoneBridgeWorld) {
  rememberPcState(this);
  this.bed.phone.backchannel.withdrawAncs();
});

When('the phone publishes the notification service again', function (this: PhoneBridgeWorld) {
  this.bed.phone.backchannel.publishAncs();
});

Then('within {float} s of link time the PC reports notifications as unavailable', async function (this: PhoneBridgeWorld, s: number) {
  const unavailable = () => {
    const ancs = this.bed.pc.health().ancs;
    return ancs.state === 'failed' && ancs.lastError?.code === 'sim-pc.ancs-unavailable';
  };
  await this.bed.clock.runUntil(unavailable, seconds(s));
  assert.ok(this.bed.pc.health().connected, 'the link itself should stay up');
});

// ---- the PC --------------------------------------------------------------------

When('the user dismisses that notification on the PC', async function (this: PhoneBridgeWorld) {
  const entry = pcEntryForCurrent(this);
  await settle(this, this.bed.pc.notifications.dismiss(entry.id));
});

When('the user tries to dismiss that notification on the PC', async function (this: PhoneBridgeWorld) {
  const entry = pcEntryForCurrent(this);
  try {
    await settle(this, this.bed.pc.notifications.dismiss(entry.id));
    this.lastRefusal = undefined;
  } catch (err) {
    this.lastRefusal = err as Error;
  }
});

When('the user tries to reply {string} to that notification on the PC', async function (this: PhoneBridgeWorld, text: string) {
  const entry = pcEntryForCurrent(this);
  try {
    await settle(this, this.bed.pc.notifications.reply(entry.id, text));
    this.lastRefusal = undefined;
  } catch (err) {
    this.lastRefusal = err as Error;
  }
});

// ---- checks ----------------------------------------------------------------------

Then(
  /^within ([\d.]+) s of link time the PC shows a notification from "([^"]*)" titled "([^"]*)" saying "([^"]*)"$/,
  async function (this: PhoneBridgeWorld, s: string, appName: string, title: string, message: string) {
    const center = this.bed.pc.notifications;
    const match = () => center.list().some((e) => e.appName === appName && e.title === title && e.message === message);
    try {
      await this.bed.clock.runUntil(match, seconds(Number(s)));
    } catch {
      assert.fail(`the PC shows ${describeList(center.list())}, not [${appName}] ${JSON.stringify(title)}: ${JSON.stringify(message)}`);
    }
  },
);

Then(/^within ([\d.]+) s of link time the PC shows (\d+) notifications?$/, async function (this: PhoneBridgeWorld, s: string, count: string) {
  const center = this.bed.pc.notifications;
  const want = Number(count);
  // "Shows" means live entries: a stale entry from an earlier session is not on screen as current.
  const live = () => center.list().filter((e) => !e.stale);
  try {
    await this.bed.clock.runUntil(() => live().length === want && center.list().length === want, seconds(Number(s)));
  } catch {
    assert.fail(`the PC shows ${center.list().length} notifications, not ${want}: ${describeList(center.list())}`);
  }
});

Then(/^after ([\d.]+) s of link time the PC shows (\d+) notifications?$/, async function (this: PhoneBridgeWorld, s: string, count: string) {
  await this.bed.clock.runFor(seconds(Number(s)));
  const list = this.bed.pc.notifications.list();
  assert.equal(list.length, Number(count), `the PC shows ${describeList(list)}`);
});

Then('the PC shows {int} notification(s)', function (this: PhoneBridgeWorld, count: number) {
  const list = this.bed.pc.notifications.list();
  assert.equal(list.length, count, `the PC shows ${describeList(list)}`);
});

Then('that notification on the PC is dated {string}', function (this: PhoneBridgeWorld, iso: string) {
  const entry = pcEntryForCurrent(this);
  assert.ok(entry.date, `the PC has no date for "${entry.title}" (raw "${entry.dateRaw}")`);
  assert.equal(entry.date.toISOString(), new Date(iso).toISOString());
});

Then('that notification on the PC is in the {string} category', function (this: PhoneBridgeWorld, name: string) {
  const entry = pcEntryForCurrent(this);
  assert.equal(categoryName(entry.categoryId), name);
});

Then(
  /^the PC groups them as (\d+) from "([^"]*)" and (\d+) from "([^"]*)"$/,
  function (this: PhoneBridgeWorld, n1: string, app1: string, n2: string, app2: string) {
    const groups = new Map(this.bed.pc.notifications.byApp().map((g) => [g.label, g.entries.length] as const));
    assert.equal(groups.get(app1), Number(n1), `groups: ${JSON.stringify([...groups])}`);
    assert.equal(groups.get(app2), Number(n2), `groups: ${JSON.stringify([...groups])}`);
  },
);

Then(
  'within {float} s of link time the PC shows that notification with the whole {int}-character message',
  async function (this: PhoneBridgeWorld, s: number, length: number) {
    await this.bed.clock.runUntil(() => {
      try {
        return pcEntryForCurrent(this).message.length === length;
      } catch {
        return false;
      }
    }, seconds(s));
  },
);

Then('the phone sent that reply in Data Source notifications of at most MTU-3 bytes, as many as it needs', function (this: PhoneBridgeWorld) {
  const since = Number(this.notes.dsSince ?? 0);
  const payload = (this.bed.pc.health().mtu ?? 23) - 3;
  const sizes = this.bed.pduLog
    .since(since)
    .filter((p) => p.kind === 'ATT_HANDLE_VALUE_NTF' && p.characteristic === ANCS_DATA_SOURCE_UUID)
    .map((p) => p.value?.length ?? 0);
  // The notification's reply comes first: full fragments, then one shorter one that ends it.
  const end = sizes.findIndex((n) => n < payload);
  const reply = sizes.slice(0, end < 0 ? sizes.length : end + 1);
  const bytes = reply.reduce((a, b) => a + b, 0);
  assert.ok(sizes.every((n) => n <= payload), `a fragment is over MTU-3 = ${payload}: ${sizes.join(', ')}`);
  assert.ok(bytes > 400, `the first reply holds ${bytes} bytes, too few for the message`);
  assert.equal(reply.length, Math.ceil(bytes / payload), `fragments ${reply.join(', ')} for ${bytes} bytes at ${payload} per notification`);
});

Then('the phone no longer shows that notification', function (this: PhoneBridgeWorld) {
  const id = this.currentPhoneNotification;
  assert.ok(id !== undefined && !this.bed.phone.model.notifications.has(id));
});

Then('within {float} s of link time the phone no longer shows that notification', async function (this: PhoneBridgeWorld, s: number) {
  const id = this.currentPhoneNotification;
  assert.ok(id !== undefined, 'no notification in this scenario');
  await this.bed.clock.runUntil(() => !this.bed.phone.model.notifications.has(id), seconds(s));
});

Then('the phone still shows that notification', async function (this: PhoneBridgeWorld) {
  await this.bed.clock.runFor(1000);
  const id = this.currentPhoneNotification;
  assert.ok(id !== undefined && this.bed.phone.model.notifications.has(id), 'the notification is gone from the phone');
});

Then('the PC refuses with a reason that mentions {string}', function (this: PhoneBridgeWorld, phrase: string) {
  assert.ok(this.lastRefusal, 'the PC did not refuse');
  assert.match(this.lastRefusal.message.toLowerCase(), new RegExp(phrase.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
});

Then('the limitation {string} holds as documented', async function (this: PhoneBridgeWorld, what: string) {
  // ANCS has no reply command, so no phone profile can lift this; it is Phone Link's documented limit.
  await this.verdict('limited', `${what} (ANCS offers positive and negative actions only)`);
});

Then('all of them are marked as pre-existing', function (this: PhoneBridgeWorld) {
  const list = this.bed.pc.notifications.list();
  assert.ok(list.length > 0);
  for (const e of list) assert.ok(e.flags & EventFlag.PreExisting, `${JSON.stringify(e.title)} is not marked PreExisting`);
});

Then('the phone answers {string}', function (this: PhoneBridgeWorld, error: string) {
  assert.equal(error, 'Insufficient Authentication');
  const refused = this.bed.pdus.some((p) => p.kind === 'ATT_ERROR_RSP' && p.attCode === AttErrorCode.InsufficientAuthentication);
  assert.ok(refused, 'no ATT Insufficient Authentication was sent');
});

Then('within {float} s of link time the PC is connected to the phone again', async function (this: PhoneBridgeWorld, s: number) {
  const before = Number(this.notes.reconnectsBefore ?? 0);
  await this.bed.clock.runUntil(() => this.bed.pc.health().connected && this.bed.pc.health().reconnectTimingsMs.length > before, seconds(s));
});

Then('the PC shows no notification twice', function (this: PhoneBridgeWorld) {
  const keys = this.bed.pc.notifications.list().map((e) => JSON.stringify([e.appId, e.title, e.message, e.dateRaw]));
  assert.equal(new Set(keys).size, keys.length, `duplicates in ${keys.join('; ')}`);
});

Then('the notifications the PC kept have the same PC ids as before', function (this: PhoneBridgeWorld) {
  let kept = 0;
  for (const e of this.bed.pc.notifications.list()) {
    const before = this.savedPcIds.get(e.title);
    if (before === undefined) continue;
    kept++;
    assert.equal(e.id, before, `${JSON.stringify(e.title)} changed PC id`);
  }
  assert.ok(kept > 0, 'no notification survived the reconnect');
});

Then('the PC reconnected within the backoff bounds', async function (this: PhoneBridgeWorld) {
  const timings = this.bed.pc.health().reconnectTimingsMs;
  const took = timings[timings.length - 1];
  assert.ok(took !== undefined, 'no reconnect was recorded');
  const model = this.bed.model;
  const away = Number(this.notes.outOfRangeMs ?? 0);
  // Worst case: the outage, then the longest wait the policy can draw for any retry made during
  // it (capped, with full positive jitter), then one connect attempt that has to time out and one that succeeds.
  const policy = DEFAULT_BACKOFF;
  let maxWait = 0;
  for (let delay = policy.initialMs, t = 0; t <= away + policy.initialMs; t += delay, delay = Math.min(policy.maxMs, delay * policy.factor)) {
    maxWait = Math.max(maxWait, Math.min(policy.maxMs, delay * (1 + policy.jitter)));
  }
  const bound = away + maxWait + 5000 + model.connectSetupMs + model.supervisionTimeoutMs;
  await this.figure({ name: 'reconnect time', value: took, unit: 'ms', bound });
  assert.ok(took <= bound, `reconnect took ${took} ms of link time, bound ${bound} ms`);
});

Then('all {int} appear on the PC within the time the link model predicts', async function (this: PhoneBridgeWorld, count: number) {
  const tb = this.bed;
  const start = Number(this.notes.burstStart ?? tb.clock.now());
  const center = tb.pc.notifications;
  await tb.clock.runUntil(() => center.list().length >= count, 120_000);
  const elapsed = tb.clock.now() - start;
  assert.equal(center.list().length, count);
  const mtu = tb.pc.health().mtu ?? 23;
  const cps = tb.pdus.filter((p) => p.time >= start && p.kind === 'ATT_WRITE_REQ');
  const dsBytes = tb.pdus
    .filter((p) => p.time >= start && p.kind === 'ATT_HANDLE_VALUE_NTF' && p.characteristic === ANCS_DATA_SOURCE_UUID)
    .reduce((sum, p) => sum + (p.value?.length ?? 0), 0);
  const prediction = predictAncsBurst(tb.model, mtu, count, cps.length, dsBytes / Math.max(1, cps.length), tb.hostTurnaroundEvents);
  this.log(prediction.formula);
  await this.figure({ name: 'burst delivery time', value: elapsed, unit: 'ms', predicted: Math.round(prediction.expectedMs), lowerBound: prediction.lowerMs, bound: Math.round(prediction.upperMs), note: prediction.formula });
  assert.ok(elapsed >= prediction.lowerMs, `took ${elapsed} ms, faster than the lower bound ${prediction.lowerMs} ms: the model is not being honoured`);
  assert.ok(elapsed <= prediction.upperMs, `took ${elapsed} ms, more than the predicted worst case ${Math.round(prediction.upperMs)} ms`);
});
