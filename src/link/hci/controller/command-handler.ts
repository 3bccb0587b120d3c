/**
 * The command side of a virtual controller: decodes each HCI command, checks
 * its parameters and the controller's state, changes that state, and answers
 * with Command Complete (return parameters) or Command Status (the outcome
 * follows as another event, usually at the link's next connection event).
 * Unknown and deliberately unsupported commands get "Unknown HCI Command";
 * undecodable parameters get "Invalid HCI Command Parameters". Never silent.
 */
import { HciStatus } from './hci-constants';
import { ByteWriter, bytesToAddress } from './byte-reader';
import { CONTROLLER_PROFILE } from './controller-profile';
import { commandInfo, Opcode, supportedCommandsBitmap } from './hci-command-table';
import { HciCommand, decodeHciCommand } from './hci-commands';
import { isHciError } from './hci-errors';
import { leEncrypt } from './le-crypto';
import { otherSide } from './air-link';
import type { ControllerConnection, VirtualController } from './virtual-controller';

const OK = Uint8Array.of(HciStatus.Success);

export class CommandHandler {
  constructor(private readonly ctrl: VirtualController) {}

  handle(opcode: number, params: Uint8Array): void {
    let command: HciCommand;
    try {
      command = decodeHciCommand({ opcode, params });
    } catch (err) {
      if (!isHciError(err)) throw err;
      this.ctrl.stats.malformed++;
      this.ctrl.reportError(err);
      this.fail(opcode, HciStatus.InvalidParameters);
      return;
    }
    this.dispatch(opcode, command);
  }

  /** The answer the Linux kernel would give for a raw-socket host (see VirtualControllerOptions.answerLtkRequests). */
  answerLtkRequestInternally(conn: ControllerConnection, ltk: Uint8Array | undefined): void {
    const opcode = ltk ? Opcode.LeLtkRequestReply : Opcode.LeLtkRequestNegativeReply;
    this.ctrl.finishLtkRequest(conn, ltk);
    this.ctrl.commandComplete(opcode, statusHandle(HciStatus.Success, conn.handle));
  }

  private dispatch(opcode: number, c: HciCommand): void {
    const ctrl = this.ctrl;
    const radio = ctrl.radio;
    const profile = CONTROLLER_PROFILE;
    switch (c.op) {
      case 'plain':
        return this.plain(opcode);
      case 'raw': {
        const info = commandInfo(opcode);
        if (info?.implemented) return ctrl.commandComplete(opcode, OK);
        ctrl.stats.unknownCommands++;
        return this.fail(opcode, HciStatus.UnknownCommand);
      }
      case 'set-event-mask':
        ctrl.eventMask = c.mask;
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-event-mask':
        ctrl.leEventMask = c.mask;
        return ctrl.commandComplete(opcode, OK);
      case 'write-le-host-supported':
        ctrl.leHostSupported = c.le;
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-random-address':
        if (radio.advertisingEnabled || radio.scanEnabled) return this.fail(opcode, HciStatus.CommandDisallowed);
        radio.randomAddress = c.address;
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-advertising-parameters': {
        if (radio.advertisingEnabled) return this.fail(opcode, HciStatus.CommandDisallowed);
        const bad = c.intervalMin > c.intervalMax || c.advertisingType > 4 || c.ownAddressType > 3 || (c.channelMap & 0x07) === 0;
        if (bad) return this.fail(opcode, HciStatus.InvalidParameters);
        radio.advertisingType = c.advertisingType;
        radio.advertisingOwnAddressType = c.ownAddressType;
        radio.advertisingIntervalUnits = c.intervalMax;
        radio.directAddress = c.peerAddress;
        return ctrl.commandComplete(opcode, OK);
      }
      case 'le-set-advertising-data':
        radio.advertisingData = c.data;
        ctrl.port.radioChanged();
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-scan-response-data':
        radio.scanResponseData = c.data;
        ctrl.port.radioChanged();
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-advertise-enable':
        if (c.enable > 1) return this.fail(opcode, HciStatus.InvalidParameters);
        if (c.enable === 1 && !radio.advertisingEnabled) radio.advertisingSince = ctrl.port.clock.now();
        radio.advertisingEnabled = c.enable === 1;
        ctrl.commandComplete(opcode, OK);
        return ctrl.port.radioChanged();
      case 'le-set-scan-parameters': {
        if (radio.scanEnabled) return this.fail(opcode, HciStatus.CommandDisallowed);
        const bad = c.scanType > 1 || c.interval < 4 || c.window < 4 || c.window > c.interval || c.ownAddressType > 3;
        if (bad) return this.fail(opcode, HciStatus.InvalidParameters);
        radio.scanType = c.scanType;
        return ctrl.commandComplete(opcode, OK);
      }
      case 'le-set-scan-enable':
        if (c.enable > 1 || c.filterDuplicates > 1) return this.fail(opcode, HciStatus.InvalidParameters);
        if (c.enable === 1) radio.startScan(c.filterDuplicates === 1);
        else radio.scanEnabled = false;
        ctrl.commandComplete(opcode, OK);
        return ctrl.port.radioChanged();
      case 'le-create-connection': {
        if (radio.initiating) return ctrl.commandStatus(opcode, HciStatus.CommandDisallowed);
        const bad = c.intervalMin > c.intervalMax || c.intervalMin < 6 || c.intervalMax > 3200 || c.peerAddressType > 3;
        if (bad) return ctrl.commandStatus(opcode, HciStatus.InvalidParameters);
        const peer = bytesToAddress(c.peerAddress);
        if (ctrl.connections().some((conn) => bytesToAddress(conn.peerAddress) === peer)) {
          return ctrl.commandStatus(opcode, HciStatus.ConnectionAlreadyExists);
        }
        radio.initiating = c;
        ctrl.commandStatus(opcode, HciStatus.Success);
        return ctrl.port.radioChanged();
      }
      case 'le-white-list-add':
        if (ctrl.whiteList.size >= profile.whiteListSize) return this.fail(opcode, HciStatus.MemoryCapacityExceeded);
        ctrl.whiteList.add(`${c.addressType}/${bytesToAddress(c.address)}`);
        return ctrl.commandComplete(opcode, OK);
      case 'le-white-list-remove':
        ctrl.whiteList.delete(`${c.addressType}/${bytesToAddress(c.address)}`);
        return ctrl.commandComplete(opcode, OK);
      case 'disconnect':
        return this.disconnect(opcode, c.handle, c.reason);
      case 'read-rssi': {
        const conn = ctrl.connection(c.handle);
        const peer = conn?.link.end(otherSide(conn.side));
        const rssi = conn && peer ? ctrl.port.rssi(ctrl.address, peer.address) : 0;
        const status = conn ? HciStatus.Success : HciStatus.UnknownConnectionId;
        return ctrl.commandComplete(opcode, new ByteWriter().u8(status).u16(c.handle).i8(rssi).finish());
      }
      case 'le-connection-update': {
        const conn = ctrl.connection(c.handle);
        if (!conn) return ctrl.commandStatus(opcode, HciStatus.UnknownConnectionId);
        const bad =
          c.intervalMin > c.intervalMax || c.intervalMin < 6 || c.intervalMax > 3200 || c.latency > 499 || c.supervisionTimeout < 10 || c.supervisionTimeout > 3200;
        if (bad) return ctrl.commandStatus(opcode, HciStatus.InvalidParameters);
        ctrl.commandStatus(opcode, HciStatus.Success);
        const preferred = ctrl.port.timing.connectionIntervalMs / 1.25;
        const units = Math.min(c.intervalMax, Math.max(c.intervalMin, Math.round(preferred)));
        const link = conn.link;
        return link.atNextEvent(() => {
          link.setInterval(units * 1.25);
          link.supervisionTimeoutMs = c.supervisionTimeout * 10;
          link.end('central')?.connectionUpdated(link, c.latency);
          link.end('peripheral')?.connectionUpdated(link, c.latency);
        });
      }
      case 'le-read-remote-features': {
        const conn = ctrl.connection(c.handle);
        if (!conn) return ctrl.commandStatus(opcode, HciStatus.UnknownConnectionId);
        ctrl.commandStatus(opcode, HciStatus.Success);
        return conn.link.atNextEvent(() => {
          if (ctrl.connection(c.handle) !== conn) return;
          ctrl.sendEvent({ kind: 'le-read-remote-features-complete', status: HciStatus.Success, handle: c.handle, features: profile.leFeatures.slice() });
        });
      }
      case 'le-encrypt':
        return ctrl.commandComplete(opcode, new ByteWriter().u8(HciStatus.Success).bytes(leEncrypt(c.key, c.plaintext)).finish());
      case 'le-start-encryption': {
        const conn = ctrl.connection(c.handle);
        if (!conn) return ctrl.commandStatus(opcode, HciStatus.UnknownConnectionId);
        if (conn.side !== 'central' || conn.link.encryptionRequest) return ctrl.commandStatus(opcode, HciStatus.CommandDisallowed);
        ctrl.commandStatus(opcode, HciStatus.Success);
        const link = conn.link;
        link.encryptionRequest = { ltk: c.ltk };
        return link.atNextEvent(() => link.end('peripheral')?.ltkRequested(link, c.random, c.ediv));
      }
      case 'le-ltk-request-reply':
      case 'le-ltk-request-negative-reply': {
        const conn = ctrl.connection(c.handle);
        if (!conn) return ctrl.commandComplete(opcode, statusHandle(HciStatus.UnknownConnectionId, c.handle));
        if (!conn.ltkRequestPending) return ctrl.commandComplete(opcode, statusHandle(HciStatus.CommandDisallowed, c.handle));
        ctrl.finishLtkRequest(conn, c.op === 'le-ltk-request-reply' ? c.ltk : undefined);
        return ctrl.commandComplete(opcode, statusHandle(HciStatus.Success, c.handle));
      }
      case 'le-set-data-length': {
        const conn = ctrl.connection(c.handle);
        if (!conn) return ctrl.commandComplete(opcode, statusHandle(HciStatus.UnknownConnectionId, c.handle));
        if (!validDataLength(c.txOctets, c.txTime)) return ctrl.commandComplete(opcode, statusHandle(HciStatus.InvalidParameters, c.handle));
        ctrl.commandComplete(opcode, statusHandle(HciStatus.Success, c.handle));
        const link = conn.link;
        if (link.setOctets(conn.side, Math.min(c.txOctets, profile.maxDataOctets))) {
          link.atNextEvent(() => {
            link.end('central')?.dataLengthChanged(link);
            link.end('peripheral')?.dataLengthChanged(link);
          });
        }
        return;
      }
      case 'le-write-suggested-default-data-length':
        if (!validDataLength(c.txOctets, c.txTime)) return this.fail(opcode, HciStatus.InvalidParameters);
        ctrl.suggestedTxOctets = Math.min(c.txOctets, profile.maxDataOctets);
        ctrl.suggestedTxTime = Math.min(c.txTime, profile.maxDataTimeUs);
        return ctrl.commandComplete(opcode, OK);
      case 'le-set-default-phy':
        return ctrl.commandComplete(opcode, OK);
    }
  }

  private plain(opcode: number): void {
    const ctrl = this.ctrl;
    const profile = CONTROLLER_PROFILE;
    const w = new ByteWriter().u8(HciStatus.Success);
    switch (opcode) {
      case Opcode.Reset:
        ctrl.reset();
        break;
      case Opcode.ReadLeHostSupported:
        w.u8(ctrl.leHostSupported).u8(0);
        break;
      case Opcode.ReadLocalVersion:
        w.u8(profile.hciVersion).u16(profile.hciRevision).u8(profile.lmpVersion).u16(profile.manufacturer).u16(profile.lmpSubversion);
        break;
      case Opcode.ReadLocalSupportedCommands:
        w.bytes(supportedCommandsBitmap());
        break;
      case Opcode.ReadLocalSupportedFeatures:
        w.bytes(profile.lmpFeatures);
        break;
      case Opcode.ReadBufferSize:
        w.u16(ctrl.buffers.aclBufferLength).u8(0).u16(ctrl.buffers.aclBufferCount).u16(0);
        break;
      case Opcode.ReadBdAddr:
        w.bytes(ctrl.addressBytes);
        break;
      case Opcode.LeReadBufferSize:
        w.u16(ctrl.buffers.aclBufferLength).u8(ctrl.buffers.aclBufferCount);
        break;
      case Opcode.LeReadLocalSupportedFeatures:
        w.bytes(profile.leFeatures);
        break;
      case Opcode.LeReadAdvertisingChannelTxPower:
        w.i8(profile.advertisingTxPowerDbm);
        break;
      case Opcode.LeCreateConnectionCancel:
        return this.cancelCreateConnection(opcode);
      case Opcode.LeReadWhiteListSize:
        w.u8(profile.whiteListSize);
        break;
      case Opcode.LeClearWhiteList:
        ctrl.whiteList.clear();
        break;
      case Opcode.LeRand:
        for (let i = 0; i < 8; i++) w.u8(ctrl.port.random.int(0, 255));
        break;
      case Opcode.LeReadSupportedStates:
        w.bytes(profile.leStates);
        break;
      case Opcode.LeReadSuggestedDefaultDataLength:
        w.u16(ctrl.suggestedTxOctets).u16(ctrl.suggestedTxTime);
        break;
      case Opcode.LeReadMaximumDataLength:
        w.u16(profile.maxDataOctets).u16(profile.maxDataTimeUs).u16(profile.maxDataOctets).u16(profile.maxDataTimeUs);
        break;
      default:
        // Every opcode decoded as `plain` is listed above.
        return this.fail(opcode, HciStatus.UnknownCommand);
    }
    ctrl.commandComplete(opcode, w.finish());
  }

  private cancelCreateConnection(opcode: number): void {
    const ctrl = this.ctrl;
    const pending = ctrl.radio.initiating;
    if (!pending) return this.fail(opcode, HciStatus.CommandDisallowed);
    ctrl.radio.initiating = undefined;
    ctrl.commandComplete(opcode, OK);
    ctrl.sendEvent({
      kind: 'le-connection-complete',
      status: HciStatus.UnknownConnectionId,
      handle: 0,
      role: 0,
      peerAddressType: pending.peerAddressType & 1,
      peerAddress: pending.peerAddress,
      interval: 0,
      latency: 0,
      supervisionTimeout: 0,
      clockAccuracy: 0,
    });
    ctrl.port.radioChanged();
  }

  private disconnect(opcode: number, handle: number, reason: number): void {
    const ctrl = this.ctrl;
    const conn = ctrl.connection(handle);
    if (!conn) return ctrl.commandStatus(opcode, HciStatus.UnknownConnectionId);
    if (conn.link.terminating) return ctrl.commandStatus(opcode, HciStatus.CommandDisallowed);
    ctrl.commandStatus(opcode, HciStatus.Success);
    const link = conn.link;
    link.terminating = true;
    const reasons = conn.side === 'central'
      ? { central: HciStatus.LocalHostTerminated, peripheral: reason }
      : { central: reason, peripheral: HciStatus.LocalHostTerminated };
    link.atNextEvent(() => link.close(reasons, reason));
  }

  /** Answers a command that failed before doing anything, in the event its kind calls for. */
  private fail(opcode: number, status: number): void {
    if (commandInfo(opcode)?.reply === 'status') this.ctrl.commandStatus(opcode, status);
    else this.ctrl.commandComplete(opcode, Uint8Array.of(status));
  }
}

function statusHandle(status: number, handle: number): Uint8Array {
  return new ByteWriter().u8(status).u16(handle).finish();
}

function validDataLength(octets: number, time: number): boolean {
  return octets >= 27 && octets <= 251 && time >= 328 && time <= 17040;
}


