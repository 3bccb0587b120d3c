/**
 * The hostile PC's byte links for the `hostile-pc` fuzz campaign: a raw OBEX
 * link (requests out, cut at odd places; every byte back must frame and
 * decode as an OBEX response), a raw AT link (every line back must be a
 * clean, known HFP result) and a hostile MNS server that answers the
 * phone's event reports as told: properly, with an error code, with bytes
 * that are no OBEX, or not at all. None of them trusts the phone.
 */
import type { ByteChannel } from '../../link/classic';
import { decodeRequest, decodeResponse, encodeResponse, PacketSplitter, ResponseCode, connectionIdHeader, OBEX_VERSION, type ObexResponse } from '../../protocol/obex';
import { decodeResult, isFinalResult, type AgResult } from '../../protocol/hfp/results';
import { ResultLineSplitter } from '../../protocol/hfp/splitter';

/** Most packets or lines a link keeps unread; the phone sending more than this is itself a failure. */
const MAX_UNREAD = 4096;

/** An OBEX client end that frames nothing for the phone: it writes the bytes it is given and checks what comes back. */
export class RawObexLink {
  private readonly splitter = new PacketSplitter();
  private unread: Uint8Array[] = [];
  /** Violations: unframed bytes, undecodable responses, a flood. */
  readonly bad: string[] = [];
  /** Whether the next response answers a Connect (it then carries Connect's fixed fields). */
  private connectPending: boolean[] = [];
  closedByPhone = false;
  /** Largest packet the PC may be sent: 255 until a Connect announces more. */
  peerMax = 255;

  constructor(
    readonly channel: ByteChannel,
    private readonly cut: (bytes: Uint8Array) => Uint8Array[],
  ) {
    channel.events.on('data', (chunk) => {
      let packets: Uint8Array[];
      try {
        packets = this.splitter.push(chunk);
      } catch (err) {
        this.bad.push(`bytes from the phone do not frame as OBEX: ${String(err)}`);
        return;
      }
      for (const packet of packets) {
        if (packet.length > this.peerMax) this.bad.push(`a ${packet.length}-byte response to a PC that takes at most ${this.peerMax}`);
        if (this.unread.length >= MAX_UNREAD) this.bad.push(`more than ${MAX_UNREAD} unread OBEX responses`);
        else this.unread.push(packet);
      }
    });
    channel.events.on('close', () => {
      this.closedByPhone = true;
    });
  }

  get open(): boolean {
    return this.channel.open;
  }

  /** Sends one request's bytes (cut into pieces); `connect` tells how to read its answer. */
  send(bytes: Uint8Array, connect: boolean): void {
    if (!this.channel.open) return;
    this.connectPending.push(connect);
    for (const piece of this.cut(bytes)) this.channel.write(piece);
  }

  /** Writes bytes that will get no answer of their own (garbage, a part of a packet). */
  sendUnanswered(bytes: Uint8Array): void {
    if (!this.channel.open) return;
    for (const piece of this.cut(bytes)) this.channel.write(piece);
  }

  /** Forget which requests were waiting (after the phone dropped the channel or a request got no answer by design). */
  forgetPending(): void {
    this.connectPending = [];
  }

  /** Responses received so far, decoded; a response that does not decode is recorded as bad. */
  take(): ObexResponse[] {
    const out: ObexResponse[] = [];
    for (const packet of this.unread) {
      const connect = this.connectPending.shift() ?? false;
      try {
        // A Connect's answer carries Connect's fixed fields, success or not (a bare 3-byte refusal aside).
        const response = decodeResponse(packet, { connectResponse: connect && packet.length >= 7 });
        if (((packet[0] ?? 0) & 0x80) === 0) this.bad.push(`response code 0x${(packet[0] ?? 0).toString(16)} lacks the final bit`);
        out.push(response);
      } catch (err) {
        this.bad.push(`response ${Buffer.from(packet).toString('hex').slice(0, 80)} does not decode: ${String(err)}`);
      }
    }
    this.unread = [];
    return out;
  }

  get unreadCount(): number {
    return this.unread.length;
  }

  async close(): Promise<void> {
    if (this.channel.open) await this.channel.close().catch(() => undefined);
  }
}

/** An HF end on the phone's AG channel: lines out, results back, each checked. */
export class RawAtLink {
  private readonly splitter = new ResultLineSplitter();
  private pending: AgResult[] = [];
  readonly bad: string[] = [];
  closedByPhone = false;

  constructor(
    readonly channel: ByteChannel,
    private readonly cut: (bytes: Uint8Array) => Uint8Array[],
  ) {
    channel.events.on('data', (chunk) => {
      for (const event of this.splitter.push(chunk)) {
        if (event.kind === 'error') {
          this.bad.push(`AG output does not split into lines: ${event.error.code}`);
          continue;
        }
        let result: AgResult;
        try {
          result = decodeResult(event.text);
        } catch (err) {
          this.bad.push(`${JSON.stringify(event.text)} is no result (${String(err)})`);
          continue;
        }
        if (result.kind === 'unknown') this.bad.push(`${JSON.stringify(event.text)} is no known result`);
        else if (this.pending.length >= MAX_UNREAD) this.bad.push(`more than ${MAX_UNREAD} unread AG results`);
        else this.pending.push(result);
      }
    });
    channel.events.on('close', () => {
      this.closedByPhone = true;
    });
  }

  get open(): boolean {
    return this.channel.open;
  }

  write(bytes: Uint8Array): void {
    if (!this.channel.open) return;
    for (const piece of this.cut(bytes)) this.channel.write(piece);
  }

  take(): AgResult[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** The final results among `results`. */
  static finals(results: readonly AgResult[]): AgResult[] {
    return results.filter(isFinalResult);
  }

  async close(): Promise<void> {
    if (this.channel.open) await this.channel.close().catch(() => undefined);
  }
}

/** How the hostile MNS server answers the phone's requests. */
export type MnsBehaviour = { kind: 'good' } | { kind: 'code'; code: number } | { kind: 'garbage'; bytes: Uint8Array } | { kind: 'silent' };

/** A hostile MNS server end: answers each request packet of the phone as `behaviour` says and checks that the phone's packets decode. */
export class HostileMnsEnd {
  private readonly splitter = new PacketSplitter();
  readonly bad: string[] = [];
  requests = 0;
  eventReports = 0;

  constructor(
    readonly channel: ByteChannel,
    private readonly behaviour: () => MnsBehaviour,
  ) {
    channel.events.on('data', (chunk) => {
      let packets: Uint8Array[];
      try {
        packets = this.splitter.push(chunk);
      } catch (err) {
        this.bad.push(`the phone's MNS bytes do not frame as OBEX: ${String(err)}`);
        return;
      }
      for (const packet of packets) this.answer(packet);
    });
  }

  private answer(packet: Uint8Array): void {
    this.requests++;
    let opcode: number;
    try {
      opcode = decodeRequest(packet).opcode;
    } catch (err) {
      this.bad.push(`the phone sent an MNS request that does not decode: ${String(err)}`);
      return;
    }
    if ((opcode & 0x7f) === 0x02) this.eventReports++;
    if (!this.channel.open) return;
    const how = this.behaviour();
    const connect = (opcode & 0x7f) === 0x00;
    const fields = { version: OBEX_VERSION, flags: 0, maxPacketLength: 1024 };
    if (how.kind === 'silent') return;
    if (how.kind === 'garbage') {
      this.channel.write(how.bytes);
      return;
    }
    const code = how.kind === 'good' ? (connect || (opcode & 0x80) !== 0 ? ResponseCode.Success : ResponseCode.Continue) : how.code;
    const headers = how.kind === 'good' && connect ? [connectionIdHeader(1)] : [];
    this.channel.write(encodeResponse({ code, headers, ...(connect ? { connect: fields } : {}) }));
  }
}
