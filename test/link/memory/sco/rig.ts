/**
 * Shared set-up for the in-memory SCO link tests: a virtual clock, a link,
 * two device addresses, packet builders and a recorder for one end.
 */
import { VirtualClock } from '../../../../src/link/virtual-clock';
import { MemoryScoLink, MemoryScoLinkOptions } from '../../../../src/link/memory/sco';
import type { ScoChannel } from '../../../../src/link/sco';

export const PHONE = '11:22:33:44:55:66';
export const PC = 'AA:BB:CC:DD:EE:01';

export function makeRig(options: MemoryScoLinkOptions = {}): { clock: VirtualClock; sco: MemoryScoLink } {
  const clock = new VirtualClock();
  return { clock, sco: new MemoryScoLink(clock, options) };
}

/** A host packet of `size` bytes whose bytes are all `fill` (0..255). */
export function packet(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill & 0xff);
}

export interface Heard {
  time: number;
  first: number;
  status: number;
  length: number;
}

/** Records what reaches one end: packets (arrival time, first byte, status) and closes (time, reason). */
export function listen(channel: ScoChannel, clock: VirtualClock): { packets: Heard[]; closes: { time: number; reason: number }[] } {
  const packets: Heard[] = [];
  const closes: { time: number; reason: number }[] = [];
  channel.events.on('packet', (data, status) => packets.push({ time: clock.now(), first: data[0] ?? -1, status, length: data.length }));
  channel.events.on('close', (reason) => closes.push({ time: clock.now(), reason }));
  return { packets, closes };
}
