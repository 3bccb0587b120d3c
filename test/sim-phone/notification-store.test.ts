import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NotificationInit, NotificationStore, PhoneNotification } from '../../src/sim-phone/notification-store';
import { StoreFullError, UnknownNotificationError } from '../../src/sim-phone/errors';
import { CategoryId } from '../../src/protocol/ancs/constants';

const init = (over: Partial<NotificationInit> = {}): NotificationInit => ({
  appId: 'com.apple.MobileSMS',
  categoryId: CategoryId.Social,
  title: 'Mum',
  subtitle: '',
  message: 'Lunch?',
  date: new Date('2026-01-05T09:00:00Z'),
  silent: false,
  important: false,
  ...over,
});

test('add assigns increasing ids and emits added', () => {
  const store = new NotificationStore();
  const seen: number[] = [];
  store.events.on('added', (n) => seen.push(n.id));
  const a = store.add(init());
  const b = store.add(init({ title: 'Dad' }));
  assert.equal(a.id, 1);
  assert.equal(b.id, 2);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(store.all().map((n) => n.title), ['Mum', 'Dad']);
  assert.equal(store.size, 2);
});

test('notifications are frozen copies', () => {
  const store = new NotificationStore();
  const date = new Date('2026-01-05T09:00:00Z');
  const n = store.add(init({ date }));
  date.setTime(0);
  assert.equal(n.date.toISOString(), '2026-01-05T09:00:00.000Z');
  assert.ok(Object.isFrozen(n));
});

test('modify replaces the snapshot, keeps the id, null clears a label', () => {
  const store = new NotificationStore();
  const n = store.add(init({ positiveActionLabel: 'Mark as Read', negativeActionLabel: 'Clear' }));
  let event: [PhoneNotification, PhoneNotification] | undefined;
  store.events.on('modified', (next, prev) => (event = [next, prev]));
  const next = store.modify(n.id, { message: 'Lunch at 1?', positiveActionLabel: null });
  assert.equal(next.id, n.id);
  assert.equal(next.message, 'Lunch at 1?');
  assert.equal(next.positiveActionLabel, undefined);
  assert.equal(next.negativeActionLabel, 'Clear');
  assert.ok(event);
  assert.equal(event[1].message, 'Lunch?');
  assert.equal(store.get(n.id), next);
});

test('CategoryCount follows add, category change and remove', () => {
  const store = new NotificationStore();
  const a = store.add(init());
  store.add(init());
  const c = store.add(init({ categoryId: CategoryId.Email }));
  assert.equal(store.categoryCount(CategoryId.Social), 2);
  assert.equal(store.categoryCount(CategoryId.Email), 1);
  store.modify(a.id, { categoryId: CategoryId.Email });
  assert.equal(store.categoryCount(CategoryId.Social), 1);
  assert.equal(store.categoryCount(CategoryId.Email), 2);
  store.remove(c.id);
  assert.equal(store.categoryCount(CategoryId.Email), 1);
  assert.equal(store.categoryCount(CategoryId.News), 0);
});

test('remove emits removed; unknown ids are typed errors', () => {
  const store = new NotificationStore();
  const n = store.add(init());
  const removed: number[] = [];
  store.events.on('removed', (r) => removed.push(r.id));
  store.remove(n.id);
  assert.deepEqual(removed, [n.id]);
  assert.throws(() => store.remove(n.id), UnknownNotificationError);
  assert.throws(() => store.modify(99, { title: 'x' }), UnknownNotificationError);
});

test('the store is bounded', () => {
  const store = new NotificationStore(3);
  for (let i = 0; i < 3; i++) store.add(init());
  assert.throws(() => store.add(init()), (e: unknown) => e instanceof StoreFullError && e.limit === 3 && e.code === 'sim-phone.store-full');
  store.remove(1);
  store.add(init());
  assert.equal(store.size, 3);
  assert.equal(new NotificationStore().limit, 10_000);
});

test('invalid fields are refused without changing the store', () => {
  const store = new NotificationStore();
  assert.throws(() => store.add(init({ categoryId: 256 })), RangeError);
  assert.throws(() => store.add(init({ date: new Date(NaN) })), RangeError);
  const n = store.add(init());
  assert.throws(() => store.modify(n.id, { categoryId: -1 }), RangeError);
  assert.equal(store.get(n.id)?.categoryId, CategoryId.Social);
  assert.equal(store.categoryCount(CategoryId.Social), 1);
});

test('property: CategoryCount always equals a count over all()', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), category: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('modify' as const), pick: fc.nat(), category: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const store = new NotificationStore(20);
      for (const o of ops) {
        const ids = store.all().map((n) => n.id);
        if (o.kind === 'add') {
          if (store.size < store.limit) store.add(init({ categoryId: o.category }));
        } else if (ids.length > 0) {
          const id = ids[o.pick % ids.length] as number;
          if (o.kind === 'modify') store.modify(id, { categoryId: o.category });
          else store.remove(id);
        }
      }
      for (let c = 0; c <= 4; c++) {
        assert.equal(store.categoryCount(c), store.all().filter((n) => n.categoryId === c).length);
      }
    }),
    { numRuns: 300 },
  );
});
