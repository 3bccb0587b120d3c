/**
 * A btsnoop capture of one host's HCI, written from the virtual
 * controller's trace: the commands and ACL the host sent and the events and
 * ACL it received, as H4 packets (datalink 1002), time-stamped with wall
 * time. Over `--transport hci` this is the PC's real HCI traffic from noble,
 * so Wireshark reads it as it would a log taken on a Linux PC.
 *
 * A log taken on the host shows packets in the host's order, the trace in
 * the controller's: ACL the host sent on a connection just before it read
 * that connection's Disconnection Complete reaches the controller after the
 * event. Such ACL (arriving right after the event, before anything else) is
 * written before the event, as the host's own log would have it.
 */
import { BtsnoopFlag, BtsnoopWriter, fileSink, unixMsToBtsnoop } from '../capture/btsnoop';
import type { HciTraceEntry } from './controller/hci-trace';

/** The H4 packet an entry stands for, with its btsnoop flags; undefined for air and error entries. */
export function h4FromTrace(entry: HciTraceEntry): { flags: number; data: Uint8Array } | undefined {
  switch (entry.kind) {
    case 'command': {
      const opcode = parseInt(entry.opcode, 16);
      const params = Buffer.from(entry.params, 'hex');
      return { flags: BtsnoopFlag.CommandOrEvent, data: Uint8Array.from([0x01, opcode & 0xff, opcode >> 8, params.length, ...params]) };
    }
    case 'event': {
      const params = Buffer.from(entry.params, 'hex');
      return { flags: BtsnoopFlag.CommandOrEvent | BtsnoopFlag.Received, data: Uint8Array.from([0x04, parseInt(entry.code, 16), params.length, ...params]) };
    }
    case 'acl': {
      const data = Buffer.from(entry.data, 'hex');
      const word = (entry.handle & 0x0fff) | ((entry.pb & 0x3) << 12);
      return {
        flags: entry.direction === 'to-host' ? BtsnoopFlag.Received : 0,
        data: Uint8Array.from([0x02, word & 0xff, word >> 8, data.length & 0xff, data.length >> 8, ...data]),
      };
    }
    default:
      return undefined;
  }
}

/** HCI Disconnection Complete event code. */
const DISCONNECTION_COMPLETE = 0x05;

export class HciCaptureFile {
  private readonly writer: BtsnoopWriter;
  private problems = 0;
  /** A Disconnection Complete held back until the next entry shows whether ACL raced it. */
  private heldDisconnect: { handle: number; packet: { flags: number; data: Uint8Array }; timestampUs: bigint } | undefined;

  constructor(
    file: string,
    /** The controller (by address) whose host interface is captured. */
    private readonly controller: string,
    private readonly wallMs: () => number = () => Date.now(),
  ) {
    this.writer = new BtsnoopWriter(fileSink(file));
  }

  /** Records lost to the file's size bound. */
  get dropped(): number {
    return this.writer.dropped + this.problems;
  }

  /** Feeds one trace entry; entries of other controllers are ignored. Never throws. */
  record(entry: HciTraceEntry): void {
    if (this.writer.isClosed || entry.controller.toUpperCase() !== this.controller.toUpperCase()) return;
    const packet = h4FromTrace(entry);
    if (!packet) return;
    const held = this.heldDisconnect;
    if (held && entry.kind === 'acl' && entry.direction !== 'to-host' && (entry.handle & 0x0fff) === held.handle) {
      // Sent by the host before it read the event: in the host's order it comes first.
      this.write(packet, held.timestampUs);
      return;
    }
    this.flushHeld();
    const timestampUs = unixMsToBtsnoop(this.wallMs());
    if (entry.kind === 'event' && parseInt(entry.code, 16) === DISCONNECTION_COMPLETE) {
      const params = Buffer.from(entry.params, 'hex');
      if (params.length >= 3) {
        this.heldDisconnect = { handle: params.readUInt16LE(1) & 0x0fff, packet, timestampUs };
        return;
      }
    }
    this.write(packet, timestampUs);
  }

  close(): void {
    this.flushHeld();
    if (!this.writer.isClosed) this.writer.close();
  }

  private flushHeld(): void {
    const held = this.heldDisconnect;
    this.heldDisconnect = undefined;
    if (held) this.write(held.packet, held.timestampUs);
  }

  private write(packet: { flags: number; data: Uint8Array }, timestampUs: bigint): void {
    if (this.writer.isClosed) return;
    try {
      this.writer.write({ ...packet, timestampUs });
    } catch {
      // Full or too large: counted, and the link goes on.
      this.problems++;
    }
  }
}
