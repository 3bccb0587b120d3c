/**
 * Streaming H4 framer: takes UART bytes cut anywhere and returns whole
 * packets in order. A byte that cannot start a packet (a type this direction
 * does not carry) or an ACL header announcing more than the allowed length
 * is reported as an `HciError` and the splitter resynchronises by skipping
 * one byte (a run of unusable type bytes is reported once). It never throws
 * and never holds more than one maximum-size packet.
 */
import { H4Type } from './hci-constants';
import { HciError, HciErrorKind } from './hci-errors';
import { decodeH4, H4Packet, headerLength, payloadLength } from './h4-packet';
import { HCI_MAX_ACL_LENGTH } from '../../../limits';

export interface H4SplitterOptions {
  /** Packet types this direction carries. Default: command and ACL (host to controller). */
  accept?: readonly number[];
  /** Largest ACL payload accepted, 1..65535. Default 1021. */
  maxAclLength?: number;
}

export type SplitItem =
  | { kind: 'packet'; packet: H4Packet; /** The packet's bytes, type byte included. */ bytes: Uint8Array }
  | { kind: 'error'; error: HciError; /** Bytes dropped to resynchronise. */ skipped: number };

export const DEFAULT_MAX_ACL_LENGTH = HCI_MAX_ACL_LENGTH;

export class H4Splitter {
  private readonly accept: ReadonlySet<number>;
  private readonly maxAclLength: number;
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream offset of pending[0]. */
  private pendingOffset = 0;

  constructor(options: H4SplitterOptions = {}) {
    const accept = options.accept ?? [H4Type.Command, H4Type.Acl];
    for (const type of accept) {
      if (headerLength(type) === undefined) throw new RangeError(`H4Splitter cannot frame packet type ${type}`);
    }
    this.accept = new Set(accept);
    this.maxAclLength = options.maxAclLength ?? DEFAULT_MAX_ACL_LENGTH;
    if (!Number.isInteger(this.maxAclLength) || this.maxAclLength < 1 || this.maxAclLength > 0xffff) {
      throw new RangeError(`maxAclLength ${this.maxAclLength} is outside 1..65535`);
    }
  }

  /** Largest number of bytes the splitter can hold between pushes. */
  get capacity(): number {
    return 1 + 4 + Math.max(this.maxAclLength, 0xff);
  }

  /** Bytes held for a packet not yet complete. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Drops any partial packet. */
  reset(): void {
    this.pendingOffset += this.pending.length;
    this.pending = new Uint8Array(0);
  }

  push(chunk: Uint8Array): SplitItem[] {
    const data = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const base = this.pendingOffset;
    const out: SplitItem[] = [];
    let at = 0;
    while (at < data.length) {
      const type = data[at] as number;
      const header = this.accept.has(type) ? headerLength(type) : undefined;
      if (header === undefined) {
        let end = at + 1;
        while (end < data.length && !this.accept.has(data[end] as number)) end++;
        out.push({
          kind: 'error',
          skipped: end - at,
          error: new HciError(
            HciErrorKind.BadPacketType,
            `H4 type byte 0x${type.toString(16).padStart(2, '0')} cannot start a packet here; skipped ${end - at} byte(s)`,
            base + at,
          ),
        });
        at = end;
        continue;
      }
      if (data.length - at < 1 + header) break;
      const length = payloadLength(type, data, at + 1);
      if (type === H4Type.Acl && length > this.maxAclLength) {
        out.push({
          kind: 'error',
          skipped: 1,
          error: new HciError(
            HciErrorKind.BadLength,
            `ACL packet announces ${length} bytes, more than ${this.maxAclLength}; skipped 1 byte`,
            base + at + 3,
          ),
        });
        at += 1;
        continue;
      }
      const total = 1 + header + length;
      if (data.length - at < total) break;
      const bytes = data.slice(at, at + total);
      out.push({ kind: 'packet', packet: decodeH4(bytes), bytes });
      at += total;
    }
    this.pending = at === data.length ? new Uint8Array(0) : data.slice(at);
    this.pendingOffset = base + at;
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
