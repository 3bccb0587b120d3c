/**
 * A btsnoop capture of one host's HCI, written from the virtual
 * controller's trace: the commands and ACL the host sent and the events and
 * ACL it received, as H4 packets (datalink 1002), time-stamped with wall
 * time. Over `--transport hci` this is the PC's real HCI traffic from noble,
 * so Wireshark reads it as it would a log taken on a Linux PC.
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

export class HciCaptureFile {
  private readonly writer: BtsnoopWriter;
  private problems = 0;

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
    try {
      this.writer.write({ ...packet, timestampUs: unixMsToBtsnoop(this.wallMs()) });
    } catch {
      // Full or too large: counted, and the link goes on.
      this.problems++;
    }
  }

  close(): void {
    if (!this.writer.isClosed) this.writer.close();
  }
}
