/**
 * A stand-in for the part of the Linux kernel that a raw-socket host such as
 * bleno relies on to answer LE Long Term Key Requests: bleno runs SMP itself
 * and hands its keys to the kernel (mgmt Load Long Term Keys), which a UART
 * host has no kernel to receive. When enabled on a controller, this watches
 * SMP (L2CAP CID 6) on the controller's links, derives the legacy Just Works
 * STK from the exchanged randoms, keeps the keys the host distributes
 * (Encryption Information + Master Identification), and answers LTK
 * requests from them. Bounded: at most `limit` stored keys (oldest dropped).
 */
import { legacyStk } from './le-crypto';

const SMP_CID = 0x0006;
const SmpCode = {
  PairingRequest: 0x01,
  PairingResponse: 0x02,
  PairingRandom: 0x04,
  PairingFailed: 0x05,
  EncryptionInformation: 0x06,
  MasterIdentification: 0x07,
} as const;

/** IO capabilities (SMP Pairing Request/Response octet 1). */
const Io = { DisplayOnly: 0x00, DisplayYesNo: 0x01, KeyboardOnly: 0x02, NoInputNoOutput: 0x03, KeyboardDisplay: 0x04 } as const;
const AUTH_MITM = 0x04;
const AUTH_SC = 0x08;
/** Largest L2CAP frame reassembled while looking for SMP (SMP PDUs are at most 65 bytes). */
const MAX_SMP_FRAME = 128;

interface Reassembly {
  expected: number;
  cid: number;
  parts: Uint8Array[];
  filled: number;
}

interface LinkState {
  peerAddress: string;
  rx: Reassembly | undefined;
  tx: Reassembly | undefined;
  preq?: Uint8Array;
  pres?: Uint8Array;
  mrand?: Uint8Array;
  srand?: Uint8Array;
  stk?: Uint8Array;
  pendingLtk?: Uint8Array;
}

interface StoredKey {
  peerAddress: string;
  ediv: number;
  random: string;
  ltk: Uint8Array;
}

export class LtkResponder {
  private readonly links = new Map<number, LinkState>();
  private readonly keys: StoredKey[] = [];

  constructor(private readonly limit = 64) {}

  /** Number of stored keys (for stats and tests). */
  get storedKeys(): number {
    return this.keys.length;
  }

  linkOpened(linkId: number, peerAddress: string): void {
    this.links.set(linkId, { peerAddress, rx: undefined, tx: undefined });
  }

  linkClosed(linkId: number): void {
    this.links.delete(linkId);
  }

  /**
   * Feeds one ACL packet seen on a link. `fromHost` is true for packets this
   * controller's host sent; `hostIsCentral` gives the host's role.
   */
  observe(linkId: number, fromHost: boolean, hostIsCentral: boolean, pb: number, data: Uint8Array): void {
    const link = this.links.get(linkId);
    if (!link) return;
    const key = fromHost ? 'tx' : 'rx';
    const frame = reassemble(link, key, pb, data);
    if (!frame || frame.cid !== SMP_CID || frame.payload.length === 0) return;
    const fromCentral = fromHost === hostIsCentral;
    this.onSmp(link, fromHost, fromCentral, frame.payload);
  }

  /** The key to answer an LTK request with on this link, if one is known. */
  keyFor(linkId: number, random: Uint8Array, ediv: number): Uint8Array | undefined {
    const link = this.links.get(linkId);
    if (!link) return undefined;
    const randomHex = Buffer.from(random).toString('hex');
    if (ediv === 0 && /^0+$/.test(randomHex) && link.stk) return link.stk;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const k = this.keys[i] as StoredKey;
      if (k.peerAddress === link.peerAddress && k.ediv === ediv && k.random === randomHex) return k.ltk;
    }
    return undefined;
  }

  private onSmp(link: LinkState, fromHost: boolean, fromCentral: boolean, pdu: Uint8Array): void {
    const code = pdu[0];
    if (code === SmpCode.PairingRequest && fromCentral && pdu.length === 7) {
      link.preq = pdu.slice();
      link.pres = undefined;
      link.mrand = undefined;
      link.srand = undefined;
      link.stk = undefined;
    } else if (code === SmpCode.PairingResponse && !fromCentral && pdu.length === 7) {
      link.pres = pdu.slice();
    } else if (code === SmpCode.PairingRandom && pdu.length === 17) {
      if (fromCentral) link.mrand = pdu.slice(1);
      else link.srand = pdu.slice(1);
      if (link.mrand && link.srand && link.preq && link.pres && isLegacyJustWorks(link.preq, link.pres)) {
        link.stk = legacyStk(new Uint8Array(16), link.srand, link.mrand);
      }
    } else if (code === SmpCode.PairingFailed) {
      link.stk = undefined;
    } else if (code === SmpCode.EncryptionInformation && fromHost && pdu.length === 17) {
      link.pendingLtk = pdu.slice(1);
    } else if (code === SmpCode.MasterIdentification && fromHost && pdu.length === 11 && link.pendingLtk) {
      const ediv = (pdu[1] as number) | ((pdu[2] as number) << 8);
      this.store({ peerAddress: link.peerAddress, ediv, random: Buffer.from(pdu.subarray(3, 11)).toString('hex'), ltk: link.pendingLtk });
      link.pendingLtk = undefined;
    }
  }

  private store(key: StoredKey): void {
    const same = this.keys.findIndex((k) => k.peerAddress === key.peerAddress && k.ediv === key.ediv && k.random === key.random);
    if (same >= 0) this.keys.splice(same, 1);
    this.keys.push(key);
    while (this.keys.length > this.limit) this.keys.shift();
  }
}

/** Legacy pairing (not LE Secure Connections on both sides) whose method is Just Works (TK = 0). */
export function isLegacyJustWorks(preq: Uint8Array, pres: Uint8Array): boolean {
  const [, ioI = 0, oobI = 0, authI = 0] = preq;
  const [, ioR = 0, oobR = 0, authR = 0] = pres;
  if (authI & AUTH_SC && authR & AUTH_SC) return false;
  if (oobI && oobR) return false;
  if (!(authI & AUTH_MITM) && !(authR & AUTH_MITM)) return true;
  if (ioI === Io.NoInputNoOutput || ioR === Io.NoInputNoOutput) return true;
  const displayish = (io: number): boolean => io === Io.DisplayOnly || io === Io.DisplayYesNo;
  return displayish(ioI) && displayish(ioR);
}

function reassemble(link: LinkState, key: 'rx' | 'tx', pb: number, data: Uint8Array): { cid: number; payload: Uint8Array } | undefined {
  if (pb !== 0x01) {
    link[key] = undefined;
    if (data.length < 4) return undefined;
    const length = (data[0] as number) | ((data[1] as number) << 8);
    const cid = (data[2] as number) | ((data[3] as number) << 8);
    if (cid !== SMP_CID || length > MAX_SMP_FRAME) return undefined;
    const payload = data.subarray(4);
    if (payload.length >= length) return { cid, payload: payload.slice(0, length) };
    link[key] = { expected: length, cid, parts: [payload.slice()], filled: payload.length };
    return undefined;
  }
  const r = link[key];
  if (!r) return undefined;
  r.parts.push(data.slice());
  r.filled += data.length;
  if (r.filled < r.expected) return undefined;
  link[key] = undefined;
  return { cid: r.cid, payload: Buffer.concat(r.parts).subarray(0, r.expected) };
}
