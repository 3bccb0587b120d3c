/**
 * The BR/EDR commands of the `hostile-pc` fuzz campaign, as fast-check
 * model-based commands: raw OBEX at the phone's PBAP server and MAP MAS
 * (see hostile-pc-obex.ts for the requests and the codes they must get),
 * the hostile MNS server's behaviour and the messages that make the phone
 * talk to it, and AT lines at the Audio Gateway: the SLC, lines out of
 * order or unknown, garbage bytes and overlong lines, each line answered by
 * exactly one final result of the class the model expects.
 */
import type fc from 'fast-check';
import { ResponseCode } from '../../protocol/obex';
import type { AgResult } from '../../protocol/hfp/results';
import type { HostileBed } from './hostile-pc-bed';
import { RawAtLink, RawObexLink, type MnsBehaviour } from './hostile-pc-links';
import { closedSession, codeName, describeCodes, HostilePcFailure, type HostileModel } from './hostile-pc-model';
import { expectObex, interruptBytes, requestPackets, type ObexService, type ObexSpec } from './hostile-pc-obex';

type Cmd = fc.AsyncCommand<HostileModel, HostileBed>;

/** Time for a request to reach the phone and its answer to come back. */
const CLASSIC_SETTLE_MS = 200;
/** Most GET continuations the hostile PC asks for before calling a body endless. */
const MAX_CONTINUES = 400;

function obexLink(r: HostileBed, service: ObexService): RawObexLink | undefined {
  return service === 'pbap' ? r.pbap : r.mas;
}

export class ObexOpen implements Cmd {
  constructor(readonly service: ObexService) {}
  check = (m: Readonly<HostileModel>): boolean => !(this.service === 'pbap' ? m.pbap : m.mas).open;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const channel = this.service === 'pbap' ? m.profile.pbap?.channel : m.profile.map?.channel;
    if (channel === undefined) throw new HostilePcFailure(`the ${m.profile.id} profile has no ${this.service} channel`);
    const opened = await r.openChannel(channel);
    if (!opened) throw new HostilePcFailure(`the phone refused the ${this.service} channel of a hands-free PC with no other session`);
    const link = new RawObexLink(opened, r.cut);
    if (this.service === 'pbap') r.pbap = link;
    else r.mas = link;
    const session = closedSession();
    session.open = true;
    if (this.service === 'pbap') m.pbap = session;
    else m.mas = session;
    await r.clock.runFor(CLASSIC_SETTLE_MS);
  }
  toString = (): string => `${this.service}-open`;
}

export class ObexClose implements Cmd {
  constructor(readonly service: ObexService) {}
  check = (m: Readonly<HostileModel>): boolean => (this.service === 'pbap' ? m.pbap : m.mas).open;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const link = obexLink(r, this.service);
    if (link) await r.settle(link.close(), 5_000);
    r.collect();
    if (this.service === 'pbap') m.pbap = closedSession();
    else {
      m.mas = closedSession();
      m.registered = false;
    }
    await r.clock.runFor(CLASSIC_SETTLE_MS);
  }
  toString = (): string => `${this.service}-close`;
}

/** One request; the phone must answer exactly once with a code the model allows (following Continue to the end), or drop the channel when the model says so. */
export class ObexRequestCommand implements Cmd {
  constructor(
    readonly service: ObexService,
    readonly spec: ObexSpec,
  ) {}
  check = (m: Readonly<HostileModel>): boolean => (this.service === 'pbap' ? m.pbap : m.mas).open;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const link = obexLink(r, this.service);
    const session = this.service === 'pbap' ? m.pbap : m.mas;
    const label = String(this);
    if (!link || !link.open) throw new HostilePcFailure(`${label}: the phone closed the ${this.service} channel unasked`);
    const expectation = expectObex(this.service, this.spec, m);
    const packets = requestPackets(this.service, this.spec, session);
    link.take();
    let early: number | undefined;
    for (const [n, packet] of packets.entries()) {
      link.send(packet, this.spec.op === 'connect');
      await r.clock.runFor(CLASSIC_SETTLE_MS);
      if (n === packets.length - 1 || expectation.closes) break;
      // A non-final packet of a request is answered Continue, unless the request is refused already.
      const code = this.answer(link, `${label} (packet ${n + 1} of ${packets.length})`);
      if (code !== ResponseCode.Continue) {
        early = code;
        break;
      }
    }
    if (expectation.closes) {
      link.forgetPending();
      link.take();
      if (link.open) throw new HostilePcFailure(`${label}: the phone kept a channel whose OBEX framing is lost`);
      if (this.service === 'pbap') m.pbap = closedSession();
      else {
        m.mas = closedSession();
        m.registered = false;
      }
      return;
    }
    let code = early ?? this.answer(link, label);
    if (code === ResponseCode.Continue && !expectation.codes.has(ResponseCode.Success)) {
      throw new HostilePcFailure(`${label}: expected ${describeCodes(expectation.codes)}, got Continue`);
    }
    if (code === ResponseCode.Continue && this.spec.op === 'get' && this.spec.interrupt !== undefined) {
      // Cut the streamed body short at this odd time: the operation ends with the interruption's own answer.
      const interrupt = interruptBytes(this.spec.interrupt);
      link.send(interrupt.bytes, false);
      await r.clock.runFor(CLASSIC_SETTLE_MS);
      const got = this.answer(link, `${label} interrupted`);
      if (got !== interrupt.code) throw new HostilePcFailure(`${label}: interrupted mid-body, expected ${codeName(interrupt.code)}, got ${codeName(got)}`);
      return;
    }
    for (let n = 0; code === ResponseCode.Continue; n++) {
      if (n >= MAX_CONTINUES) throw new HostilePcFailure(`${label}: still Continue after ${MAX_CONTINUES} packets`);
      link.send(Uint8Array.of(0x83, 0x00, 0x03), false);
      await r.clock.runFor(CLASSIC_SETTLE_MS);
      code = this.answer(link, label);
    }
    if (!expectation.codes.has(code)) throw new HostilePcFailure(`${label}: expected ${describeCodes(expectation.codes)}, got ${codeName(code)}`);
    if (code === ResponseCode.Success) expectation.onSuccess?.(m, session);
    // What the phone may send from now on: what a Connect announced, 255 again after a Disconnect.
    if (code === ResponseCode.Success && this.spec.op === 'connect') link.peerMax = this.spec.maxPacket;
    if (code === ResponseCode.Success && this.spec.op === 'disconnect') link.peerMax = 255;
  }

  private answer(link: RawObexLink, label: string): number {
    const responses = link.take();
    if (responses.length !== 1) {
      throw new HostilePcFailure(`${label}: expected one response, got ${responses.length}: ${responses.map((x) => codeName(x.code)).join(', ')}`);
    }
    return responses[0]?.code ?? -1;
  }

  toString = (): string => `${this.service}(${JSON.stringify(this.spec)})`;
}

/** The user flips "Sync Contacts" for this PC (where the profile asks for it). */
export class ToggleSyncContacts implements Cmd {
  constructor(readonly on: boolean) {}
  check = (m: Readonly<HostileModel>): boolean => (m.profile.pbap?.requiresSyncContacts ?? false) && m.syncContacts !== this.on;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    if (this.on) r.tb.phone.backchannel.allowSyncContacts(r.pcAddress);
    else r.tb.phone.backchannel.revokeSyncContacts(r.pcAddress);
    m.syncContacts = this.on;
    await r.clock.runFor(CLASSIC_SETTLE_MS);
  }
  toString = (): string => `sync-contacts(${this.on ? 'on' : 'off'})`;
}

/** The user flips "Show Message Notifications" for this PC (where the profile asks for it); turning it off closes the PC's MAS sessions. */
export class ToggleMessages implements Cmd {
  constructor(readonly on: boolean) {}
  check = (m: Readonly<HostileModel>): boolean => (m.profile.map?.requiresShowMessageNotifications ?? false) && m.messages !== this.on;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    if (this.on) r.tb.phone.backchannel.allowMessageNotifications(r.pcAddress);
    else r.tb.phone.backchannel.revokeMessageNotifications(r.pcAddress);
    m.messages = this.on;
    await r.clock.runFor(CLASSIC_SETTLE_MS);
    if (!this.on && m.mas.open) {
      if (r.mas?.open) throw new HostilePcFailure('Show Message Notifications turned off, yet the MAS session stays open');
      r.mas?.forgetPending();
      r.mas?.take();
      m.mas = closedSession();
      m.registered = false;
    }
  }
  toString = (): string => `show-messages(${this.on ? 'on' : 'off'})`;
}

/** The phone's user adds contacts (so phone book bodies stream in several packets). */
export class AddContacts implements Cmd {
  constructor(readonly count: number) {}
  check = (): boolean => true;
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    for (let n = 0; n < this.count; n++) {
      r.tb.phone.backchannel.addContact({ name: { family: `Family${n}`, given: `Given${r.clock.now()}` }, phones: [{ number: `+4477009${String(n).padStart(5, '0')}`, type: 'mobile' }] });
    }
    await r.clock.runFor(1);
  }
  toString = (): string => `add-contacts(${this.count})`;
}

/** How the hostile MNS server answers from now on. */
export class MnsBehave implements Cmd {
  constructor(readonly behaviour: MnsBehaviour) {}
  check = (): boolean => true;
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    r.mnsBehaviour = this.behaviour;
    await r.clock.runFor(1);
  }
  toString = (): string => `mns-behaves(${this.behaviour.kind}${this.behaviour.kind === 'code' ? ` 0x${this.behaviour.code.toString(16)}` : ''})`;
}

/** A text arrives on the phone; with registration on, the phone reports it to the hostile MNS. Time passes for retries and timeouts. */
export class MessageArrives implements Cmd {
  constructor(readonly waitMs: number) {}
  check = (): boolean => true;
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    r.tb.phone.backchannel.receiveMessage({ from: '+447700900123', name: 'Ann', text: `ping ${r.clock.now()}` });
    await r.clock.runFor(this.waitMs);
    r.collect();
  }
  toString = (): string => `message-arrives(wait ${this.waitMs} ms)`;
}

// ---- HFP ----

/** The SLC in order, as gateway-fuzz's prelude: every line answered OK. */
export const SLC_LINES = ['AT+BRSF=511', 'AT+BAC=1,2', 'AT+CIND=?', 'AT+CIND?', 'AT+CMER=3,0,0,1', 'AT+CHLD=?', 'AT+BIND=1,2', 'AT+BIND=?', 'AT+BIND?', 'AT+CLIP=1', 'AT+CCWA=1'];

export type AtLineKind = 'unknown' | 'answerNoCall' | 'cindRead' | 'cmee' | 'random';

const isErrorClass = (r: AgResult | undefined): boolean => r?.kind === 'error' || r?.kind === 'cmeError';

async function atLine(r: HostileBed, line: string): Promise<AgResult[]> {
  const link = r.hf;
  if (!link || !link.open) throw new HostilePcFailure(`${line}: the phone closed the HF channel unasked`);
  link.take();
  link.write(new TextEncoder().encode(`${line}\r`));
  await r.clock.runFor(CLASSIC_SETTLE_MS);
  return RawAtLink.finals(link.take());
}

function oneFinal(line: string, finals: readonly AgResult[], accept: (r: AgResult | undefined) => boolean, want: string): void {
  if (finals.length !== 1 || !accept(finals[0])) throw new HostilePcFailure(`${JSON.stringify(line)}: expected one final result (${want}), got ${JSON.stringify(finals)}`);
}

export class HfOpen implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => !m.hfOpen;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const channel = m.profile.hfp?.channel;
    if (channel === undefined) throw new HostilePcFailure(`the ${m.profile.id} profile has no HFP channel`);
    const opened = await r.openChannel(channel);
    if (!opened) throw new HostilePcFailure('the phone refused the HF channel with no other HF connected');
    r.hf = new RawAtLink(opened, r.cut);
    m.hfOpen = true;
    m.slc = false;
    m.cmee = false;
  }
  toString = (): string => 'hf-open';
}

export class HfClose implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => m.hfOpen;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    if (r.hf) await r.settle(r.hf.close(), 5_000);
    r.collect();
    m.hfOpen = false;
    await r.clock.runFor(CLASSIC_SETTLE_MS);
  }
  toString = (): string => 'hf-close';
}

export class HfSlc implements Cmd {
  check = (m: Readonly<HostileModel>): boolean => m.hfOpen && !m.slc;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    for (const line of SLC_LINES) oneFinal(line, await atLine(r, line), (x) => x?.kind === 'ok', 'OK');
    m.slc = true;
  }
  toString = (): string => 'hf-slc';
}

/** One AT line whose answer class the model knows (or, for `random`, only that exactly one final result comes). */
export class HfLine implements Cmd {
  constructor(
    readonly kind: AtLineKind,
    readonly text: string,
  ) {}
  check = (m: Readonly<HostileModel>): boolean => m.hfOpen;
  async run(m: HostileModel, r: HostileBed): Promise<void> {
    const line = this.line();
    const finals = await atLine(r, line);
    switch (this.kind) {
      case 'unknown':
      case 'answerNoCall':
        return oneFinal(line, finals, isErrorClass, 'ERROR or +CME ERROR');
      case 'cindRead':
      case 'cmee':
        oneFinal(line, finals, (x) => x?.kind === 'ok', 'OK');
        if (this.kind === 'cmee') m.cmee = true;
        return;
      case 'random':
        return oneFinal(line, finals, (x) => x?.kind === 'ok' || isErrorClass(x), 'OK, ERROR or +CME ERROR');
    }
  }
  private line(): string {
    switch (this.kind) {
      case 'unknown':
        return `AT+ZZ${this.text.replace(/[^A-Z]/gi, '')}`;
      case 'answerNoCall':
        return 'ATA';
      case 'cindRead':
        return 'AT+CIND?';
      case 'cmee':
        return 'AT+CMEE=1';
      case 'random':
        return this.text;
    }
  }
  toString = (): string => `hf-line(${this.kind} ${JSON.stringify(this.line())})`;
}

/** Bytes that are no AT command, then a CR; or a line far longer than any command. Only clean output is asked of the AG. */
export class HfJunk implements Cmd {
  constructor(readonly bytes: Uint8Array) {}
  check = (m: Readonly<HostileModel>): boolean => m.hfOpen;
  async run(_m: HostileModel, r: HostileBed): Promise<void> {
    const link = r.hf;
    if (!link || !link.open) throw new HostilePcFailure('hf-junk: the phone closed the HF channel unasked');
    link.write(this.bytes);
    link.write(Uint8Array.of(0x0d));
    await r.clock.runFor(CLASSIC_SETTLE_MS);
    link.take();
    r.collect();
  }
  toString = (): string => `hf-junk(${this.bytes.length} bytes ${Buffer.from(this.bytes.subarray(0, 24)).toString('hex')})`;
}
