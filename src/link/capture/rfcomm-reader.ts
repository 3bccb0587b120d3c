/**
 * Reads one RFCOMM session (the frames on one L2CAP channel of PSM 3) out of
 * a capture: who started the multiplexer, which side serves each DLC (from
 * the DLCI's direction bit), credit-based flow control from PN, and the
 * channels' opening, bytes (credit octets stripped) and closing. Frames cut
 * short or with lengths that disagree raise an RfcommReadError; nothing
 * else escapes.
 */
import { ProtocolError } from '../../protocol/errors';
import { CREDIT_FLOW_ACCEPT, CREDIT_FLOW_REQUEST, RFCOMM_PF, RfcommFrameType, RfcommMcc } from './rfcomm-frames';

export class RfcommReadError extends ProtocolError {}

export type RfcommEvent =
  | { kind: 'open'; dlci: number; channel: number; serverIsLocal: boolean }
  | { kind: 'data'; dlci: number; channel: number; serverIsLocal: boolean; fromLocal: boolean; data: Uint8Array }
  | { kind: 'close'; dlci: number; channel: number; serverIsLocal: boolean };

interface DlcState {
  open: boolean;
  /** undefined until a PN says; credit octets are then assumed (what every current stack does). */
  creditFlow: boolean | undefined;
  closing: boolean;
}

/** DLCs tracked per session (the DLCI has 6 bits). */
const MAX_DLCS = 64;

export class RfcommSessionReader {
  /** Which side sent SABM on DLCI 0 (or, failing that, the side whose commands carry C/R = 1). */
  private initiatorIsLocal: boolean | undefined;
  private readonly dlcs = new Map<number, DlcState>();

  /** One RFCOMM frame sent by the local host (`fromLocal`) or received. */
  push(frame: Uint8Array, fromLocal: boolean): RfcommEvent[] {
    if (frame.length < 4) throw new RfcommReadError('rfcomm.truncated', `an RFCOMM frame of ${frame.length} bytes`, 0);
    const address = frame[0] as number;
    const control = frame[1] as number;
    const dlci = address >> 2;
    const cr = (address & 0x02) !== 0;
    const type = control & ~RFCOMM_PF & 0xff;
    const pf = (control & RFCOMM_PF) !== 0;
    let at = 2;
    let length = (frame[at] as number) >> 1;
    if (((frame[at] as number) & 0x01) === 0) {
      length |= (frame[at + 1] ?? 0) << 7;
      at += 1;
    }
    at += 1;
    const events: RfcommEvent[] = [];
    if (type === RfcommFrameType.SABM && dlci === 0) this.initiatorIsLocal = fromLocal;
    if (this.initiatorIsLocal === undefined && type === RfcommFrameType.UIH) this.initiatorIsLocal = fromLocal === cr;
    // A SABM or data may start tracking a DLC; answers and DISC only concern one already known.
    const creates = type === RfcommFrameType.SABM || type === RfcommFrameType.UIH;
    const dlc = dlci === 0 ? undefined : creates ? this.dlc(dlci) : this.dlcs.get(dlci);
    let credits = 0;
    if (type === RfcommFrameType.UIH && pf && dlc && dlc.creditFlow !== false) credits = 1;
    const end = at + credits + length;
    if (end + 1 !== frame.length) {
      throw new RfcommReadError('rfcomm.bad-length', `RFCOMM length ${length} does not match a ${frame.length}-byte frame`, 2);
    }
    const info = frame.subarray(at + credits, end);
    const serverIsLocal = this.serverIsLocal(dlci);
    const channel = dlci >> 1;
    switch (type) {
      case RfcommFrameType.UIH:
        if (dlci === 0) this.control(info);
        else if (dlc) {
          if (!dlc.open) {
            dlc.open = true;
            events.push({ kind: 'open', dlci, channel, serverIsLocal });
          }
          if (info.length > 0) events.push({ kind: 'data', dlci, channel, serverIsLocal, fromLocal, data: info.slice() });
        }
        break;
      case RfcommFrameType.UA:
        if (dlc && dlc.closing) {
          this.dlcs.delete(dlci);
          events.push({ kind: 'close', dlci, channel, serverIsLocal });
        } else if (dlc && !dlc.open) {
          dlc.open = true;
          events.push({ kind: 'open', dlci, channel, serverIsLocal });
        }
        break;
      case RfcommFrameType.DISC:
        if (dlc) dlc.closing = true;
        break;
      case RfcommFrameType.DM:
        if (dlc) {
          this.dlcs.delete(dlci);
          if (dlc.open) events.push({ kind: 'close', dlci, channel, serverIsLocal });
        }
        break;
      default:
        break;
    }
    return events;
  }

  private serverIsLocal(dlci: number): boolean {
    const serverIsInitiator = (dlci & 1) === 1;
    // With no SABM seen, assume the remote started the session (it makes the local side the client).
    const initiatorIsLocal = this.initiatorIsLocal ?? false;
    return serverIsInitiator === initiatorIsLocal;
  }

  private dlc(dlci: number): DlcState | undefined {
    let state = this.dlcs.get(dlci);
    if (!state && this.dlcs.size < MAX_DLCS) {
      state = { open: false, creditFlow: undefined, closing: false };
      this.dlcs.set(dlci, state);
    }
    return state;
  }

  /** Multiplexer commands on DLCI 0: only PN matters here (credit-based flow control). */
  private control(info: Uint8Array): void {
    if (info.length < 2) return;
    const type = (info[0] as number) >> 2;
    const command = ((info[0] as number) & 0x02) !== 0;
    const length = (info[1] as number) >> 1;
    if (type !== RfcommMcc.PN || length < 8 || info.length < 10) return;
    const dlc = this.dlc((info[2] as number) & 0x3f);
    if (!dlc) return;
    const convergence = (info[3] as number) >> 4;
    if (command) dlc.creditFlow = convergence === CREDIT_FLOW_REQUEST ? undefined : false;
    else dlc.creditFlow = convergence === CREDIT_FLOW_ACCEPT;
  }
}
