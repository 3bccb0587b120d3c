/**
 * A scripted stand-in for a host stack in controller tests: sends commands
 * and ACL packets to a VirtualController as H4 bytes and records every
 * packet the controller sends back, decoded.
 */
import { VirtualController } from '../../../../src/link/hci/controller/virtual-controller';
import { H4Splitter } from '../../../../src/link/hci/controller/h4-splitter';
import { H4Type } from '../../../../src/link/hci/controller/hci-constants';
import { AclPacket, encodeH4 } from '../../../../src/link/hci/controller/h4-packet';
import { HciCommand, encodeHciCommand } from '../../../../src/link/hci/controller/hci-commands';
import { HciEvent, decodeHciEvent } from '../../../../src/link/hci/controller/hci-events';
import { HciError } from '../../../../src/link/hci/controller/hci-errors';
import { fromHex, toHex } from '../../../../src/link/hci/controller/byte-reader';

export class FakeHost {
  readonly events: HciEvent[] = [];
  readonly acl: AclPacket[] = [];
  readonly raw: Uint8Array[] = [];
  readonly errors: HciError[] = [];
  private readonly splitter = new H4Splitter({ accept: [H4Type.Event, H4Type.Acl] });

  constructor(readonly controller: VirtualController) {
    controller.output.on('data', (bytes) => {
      this.raw.push(bytes);
      for (const item of this.splitter.push(bytes)) {
        if (item.kind === 'error') throw item.error;
        const p = item.packet;
        if (p.type === H4Type.Event) this.events.push(decodeHciEvent(p));
        else if (p.type === H4Type.Acl) this.acl.push(p);
      }
    });
    controller.output.on('error', (e) => this.errors.push(e));
  }

  command(command: HciCommand): void {
    this.controller.receive(encodeH4(encodeHciCommand(command)));
  }

  /** Sends a command given as opcode + parameter hex. */
  send(opcode: number, paramsHex = ''): void {
    this.controller.receive(encodeH4({ type: H4Type.Command, opcode, params: fromHex(paramsHex) }));
  }

  sendAcl(handle: number, data: Uint8Array, pb = 0x00): void {
    this.controller.receive(encodeH4({ type: H4Type.Acl, handle, pb, bc: 0, data }));
  }

  /** Events of one kind, in order. */
  of<K extends HciEvent['kind']>(kind: K): Extract<HciEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<HciEvent, { kind: K }> => e.kind === kind);
  }

  last(): HciEvent | undefined {
    return this.events[this.events.length - 1];
  }

  /** The status (first return byte) of the last Command Complete for `opcode`, or the status of its Command Status. */
  statusOf(opcode: number): number | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i] as HciEvent;
      if (e.kind === 'command-complete' && e.opcode === opcode) return e.returnParams[0];
      if (e.kind === 'command-status' && e.opcode === opcode) return e.status;
    }
    return undefined;
  }

  rawHex(): string[] {
    return this.raw.map(toHex);
  }

  clear(): void {
    this.events.length = 0;
    this.acl.length = 0;
    this.raw.length = 0;
    this.errors.length = 0;
  }
}
