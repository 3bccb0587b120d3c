/**
 * The testbed's bounded PDU log (PDU_LOG_LIMIT): it keeps the newest
 * `limit` entries and counts the rest, positions stay absolute, and a step
 * asking for entries the log has dropped gets PduLogOverflowError instead
 * of a silently shifted answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PduLog, PduLogOverflowError } from '../../src/harness/pdu-log';
import { Testbed } from '../../src/harness/testbed';
import { PDU_LOG_LIMIT } from '../../src/limits';

test('PduLog keeps the newest `limit` entries with absolute positions', () => {
  const log = new PduLog<number>(3);
  const start = log.mark();
  for (let i = 0; i < 5; i++) log.push(i);
  assert.deepEqual(log.entries, [2, 3, 4]);
  assert.equal(log.dropped, 2);
  assert.equal(log.mark(), 5);
  assert.deepEqual(log.since(3), [3, 4]);
  assert.deepEqual(log.since(5), []);
  assert.throws(() => log.since(start), (err: unknown) => err instanceof PduLogOverflowError && err.code === 'harness.pdu-log-overflow' && err.dropped === 2);
  assert.throws(() => new PduLog(0), RangeError);
  assert.equal(new PduLog().limit, PDU_LOG_LIMIT);
});

test('PDU_LOG_LIMIT: a testbed whose log overflows keeps the newest PDUs and refuses the dropped range', async () => {
  const tb = new Testbed({ seed: 3, pduLogLimit: 40 });
  const back = tb.phone.backchannel;
  back.allowShareSystemNotifications(tb.pcAddress);
  const start = tb.pduLog.mark();
  await tb.connectPc();
  for (let i = 0; i < 10; i++) back.postNotification({ appId: 'com.apple.MobileSMS', title: `t${i}`, message: 'x', category: 'Social' });
  await tb.clock.runUntil(() => tb.pc.notifications.size === 10, 20_000);
  assert.equal(tb.pdus.length, 40);
  assert.ok(tb.pduLog.dropped > 0, 'the log overflowed');
  assert.equal(tb.pduLog.mark(), tb.pduLog.dropped + 40);
  assert.throws(() => tb.pduLog.since(start), PduLogOverflowError);
  // The newest PDU is the last entry: what was kept is the tail, in order.
  const times = tb.pdus.map((p) => p.time);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  await tb.shutdown();
});
