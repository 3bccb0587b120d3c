import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { DisconnectedError } from '../../src/link/errors';
import { NotConnectedError, TimeoutError } from '../../src/sim-pc/errors';
import type { ObexClientSession } from '../../src/protocol/obex/client-session';
import { coreOptions, ObexProfileClient, type ObexProfile, type ObexProfileClientOptions } from '../../src/sim-pc/obex-profile-client';
import { findPse, type PseInfo } from '../../src/sim-pc/pbap/pse-record';
import { settle } from './map/fake-mse';
import { FakePhone, PHONE, PSE_CHANNEL, type FakePhoneOptions } from './pbap/fake-pse';

/** An error a test profile hook made, tagged with the hook's name. */
class HookError extends Error {
  constructor(
    readonly hook: string,
    readonly detail: string,
  ) {
    super(`${hook}: ${detail}`);
  }
}

interface Seen {
  connected: PseInfo[];
  closed: (Error | undefined)[];
}

/** The smallest profile client: records the hooks and exposes run(). */
class TestClient extends ObexProfileClient<PseInfo> {
  constructor(
    options: ObexProfileClientOptions,
    profile: ObexProfile<PseInfo>,
    private readonly seen: Seen,
  ) {
    super(options, profile);
  }

  get info(): PseInfo | undefined {
    return this.serviceRecord;
  }

  op<T>(what: string, body: (session: ObexClientSession) => Promise<T>): Promise<T> {
    return this.run(what, body);
  }

  protected onConnected(info: PseInfo): void {
    this.seen.connected.push(info);
  }

  protected onClosed(reason: Error | undefined): void {
    this.seen.closed.push(reason);
  }
}

const TARGET = Uint8Array.from([0x79, 0x61, 0x35, 0xf0, 0xf0, 0xc5, 0x11, 0xd8, 0x09, 0x66, 0x08, 0x00, 0x20, 0x0c, 0x9a, 0x66]);

function setup(phoneOptions: FakePhoneOptions = {}, maxQueued = 2) {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, phoneOptions);
  const seen: Seen = { connected: [], closed: [] };
  const profile: ObexProfile<PseInfo> = {
    name: 'TEST',
    target: TARGET,
    findService: findPse,
    serviceNotFound: (address) => new HookError('serviceNotFound', address),
    connectAppParams: (info) => (info.featuresPublished ? Uint8Array.from([0x10, 0x04, 0, 0, 0, 0x23]) : undefined),
    channelError: (err, channel) => (err.code === 'link.channel-refused' ? new HookError('channelError', String(channel)) : undefined),
    permissionRequired: (what) => new HookError('permissionRequired', what),
    refused: (what, code) => new HookError('refused', `${what} 0x${code.toString(16)}`),
    aborted: (what) => new HookError('aborted', what),
    protocolError: (what, message) => new HookError('protocolError', `${what}: ${message}`),
    queueFull: (limit) => new HookError('queueFull', String(limit)),
  };
  const core = new TestClient({ client: phone, phoneAddress: PHONE, clock, timeoutMs: 1_000, maxQueued }, profile, seen);
  return { clock, phone, core, seen };
}

async function failure(clock: VirtualClock, promise: Promise<unknown>): Promise<unknown> {
  const outcome = await settle(clock, promise);
  assert.equal(outcome.ok, false, 'expected a failure');
  return outcome.ok ? undefined : outcome.error;
}

function hookOf(err: unknown): string {
  assert.ok(err instanceof HookError, `expected a HookError, got ${String(err)}`);
  return err.hook;
}

test('connect: the profile record, Target and Connect parameters; onConnected once; connect again is a no-op', async () => {
  const { clock, phone, core, seen } = setup({ features: 0x3ff });
  assert.equal(core.state, 'idle');
  const outcome = await settle(clock, core.connect());
  assert.ok(outcome.ok);
  assert.equal(outcome.value.channel, PSE_CHANNEL);
  assert.equal(core.state, 'connected');
  assert.equal(core.info, outcome.value);
  assert.deepEqual([...(phone.log.connects[0]?.target ?? [])], [...TARGET]);
  assert.deepEqual(phone.log.connects[0]?.appParams, { supportedFeatures: 0x23 });
  assert.equal(phone.log.pairings, 1);
  assert.deepEqual(seen.connected, [outcome.value]);
  const again = await settle(clock, core.connect());
  assert.ok(again.ok);
  assert.equal(phone.log.connects.length, 1);
});

test('connect failures go through the profile hooks', async () => {
  const missing = setup({ noPse: true });
  assert.equal(hookOf(await failure(missing.clock, missing.core.connect())), 'serviceNotFound');
  assert.equal(missing.core.state, 'closed');

  const refused = setup({ refuseChannel: true });
  const err = await failure(refused.clock, refused.core.connect());
  assert.equal(hookOf(err), 'channelError');
  assert.equal((err as HookError).detail, String(PSE_CHANNEL));

  const forbidden = setup({ forbidden: true });
  assert.equal(hookOf(await failure(forbidden.clock, forbidden.core.connect())), 'permissionRequired');
  assert.deepEqual(forbidden.seen.connected, []);
  assert.deepEqual(forbidden.seen.closed, [], 'a session that never came up reports no close');
});

test('operations run one at a time in order; the queue is bounded by the queueFull hook', async () => {
  const { clock, core } = setup({}, 2);
  await settle(clock, core.connect());
  const order: string[] = [];
  const op = (name: string, ms: number) =>
    core.op(name, () => {
      order.push(`start ${name}`);
      return new Promise<string>((resolve) => {
        clock.schedule(ms, () => {
          order.push(`end ${name}`);
          resolve(name);
        });
      });
    });
  const a = op('a', 300);
  const b = op('b', 100);
  const c = op('c', 10);
  const overflow = await failure(clock, op('d', 1));
  assert.equal(hookOf(overflow), 'queueFull');
  assert.equal((overflow as HookError).detail, '2');
  const results = await settle(clock, Promise.all([a, b, c]));
  assert.ok(results.ok);
  assert.deepEqual(results.value, ['a', 'b', 'c']);
  assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('an operation silent for timeoutMs fails with TimeoutError named after the profile and closes the session', async () => {
  const { clock, core, seen } = setup();
  await settle(clock, core.connect());
  const stuck = core.op('Stuck', () => new Promise<void>(() => undefined));
  const queued = core.op('Next', async () => 'never').then(
    () => undefined,
    (error: unknown) => error,
  );
  const err = await failure(clock, stuck);
  assert.ok(err instanceof TimeoutError);
  assert.match(err.message, /TEST Stuck/);
  assert.equal(core.state, 'closed');
  assert.equal(seen.closed.length, 1);
  assert.equal(seen.closed[0], err);
  assert.equal(await queued, err, 'queued operations reject with the reason the session ended');
});

test('a link drop rejects with DisconnectedError; close() and disconnect() end the session; connect works again', async () => {
  const { clock, phone, core, seen } = setup();
  await settle(clock, core.connect());
  const running = core.op('Wait', () => new Promise<void>(() => undefined));
  phone.dropAll();
  assert.ok((await failure(clock, running)) instanceof DisconnectedError);
  assert.equal(core.state, 'closed');
  assert.ok(seen.closed[0] instanceof DisconnectedError);

  const again = await settle(clock, core.connect());
  assert.ok(again.ok);
  assert.equal(core.state, 'connected');
  core.close();
  assert.equal(core.state, 'closed');
  assert.equal(seen.closed.length, 2);
  assert.equal(seen.closed[1], undefined);
  const after = await failure(clock, core.op('Late', async () => 1));
  assert.ok(after instanceof NotConnectedError);
  assert.match(after.message, /TEST Late/);

  await settle(clock, core.connect());
  const bye = await settle(clock, core.disconnect());
  assert.ok(bye.ok);
  assert.equal(core.state, 'closed');
  assert.equal(seen.closed.length, 3);
});

test('coreOptions fills the profile defaults and passes maxPacketLength only when given', () => {
  const clock = new VirtualClock();
  const phone = new FakePhone(clock, {});
  const base = { client: phone, phoneAddress: PHONE, clock };
  assert.deepEqual(coreOptions(base, 15_000, 8), { ...base, timeoutMs: 15_000, maxQueued: 8 });
  assert.deepEqual(coreOptions({ ...base, timeoutMs: 5, maxQueuedOperations: 1, maxPacketLength: 512 }, 15_000, 8), {
    ...base,
    timeoutMs: 5,
    maxQueued: 1,
    maxPacketLength: 512,
  });
});
