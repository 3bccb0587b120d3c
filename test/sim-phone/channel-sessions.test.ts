/**
 * ChannelSessions, the per-channel session keeping the PBAP and MAP servers
 * share: bytes reach the session's OBEX side, a session ends exactly once
 * (channel closed, its own close, or the server), in order: the session
 * closes, then the channel, then the server hears of it; endAll ends them all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/link/virtual-clock';
import { channelPair } from '../../src/harness/fuzz/fuzz-channels';
import { ChannelSessions } from '../../src/sim-phone/channel-sessions';
import type { ClassicPeer } from '../../src/link/classic';

const PEER: ClassicPeer = { address: 'AA:BB:CC:DD:EE:01', classOfDevice: 0x200404, encrypted: true, bonded: true };

class Session {
  readonly received: number[] = [];
  readonly obex = { receive: (chunk: Uint8Array): void => void this.received.push(...chunk) };
}

function rig() {
  const log: string[] = [];
  const sessions = new ChannelSessions<Session, string>({
    closeSession: (_s, reason) => log.push(`close:${reason}`),
    ended: (_peer, reason) => log.push(`ended:${reason}`),
  });
  return { log, sessions, clock: new VirtualClock() };
}

test('bytes reach the session; the channel closing ends it once, session first, then the server is told', async () => {
  const { log, sessions, clock } = rig();
  const [pc, phone] = channelPair(clock);
  const session = sessions.add(PEER, phone, 'channel-closed', () => new Session());
  pc.write(Uint8Array.of(1, 2, 3));
  await clock.runFor(10);
  assert.deepEqual(session.received, [1, 2, 3]);
  assert.equal(sessions.size, 1);
  await pc.close();
  await pc.close();
  assert.deepEqual(log, ['close:channel-closed', 'ended:channel-closed']);
  assert.equal(sessions.size, 0);
  assert.equal(phone.open, false);
});

test('the session ending itself closes its channel; endAll ends every other one with its reason', async () => {
  const { log, sessions, clock } = rig();
  const [pcA, phoneA] = channelPair(clock, 1);
  const [, phoneB] = channelPair(clock, 2);
  let endA: ((reason: string) => void) | undefined;
  sessions.add(PEER, phoneA, 'channel-closed', (end) => {
    endA = end;
    return new Session();
  });
  sessions.add(PEER, phoneB, 'channel-closed', () => new Session());
  endA?.('framing');
  assert.equal(phoneA.open, false);
  assert.equal(pcA.open, false);
  sessions.endAll('stopped');
  sessions.endAll('stopped');
  assert.deepEqual(log, ['close:framing', 'ended:framing', 'close:stopped', 'ended:stopped']);
  assert.equal(sessions.size, 0);
  assert.equal(phoneB.open, false);
});
