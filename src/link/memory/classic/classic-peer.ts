/**
 * The PC as the phone's classic host sees it on one connection: address,
 * Class of Device (what iOS decides its PBAP/MAP offers from), and the
 * link's encryption and bond state, read live from the link.
 */
import { ClassOfDevice, ClassicPeer } from '../../classic';
import type { MemoryClassicLink } from './classic-link';

export class MemoryClassicPeer implements ClassicPeer {
  constructor(private readonly link: MemoryClassicLink) {}

  get address(): string {
    return this.link.client.address;
  }
  get classOfDevice(): ClassOfDevice {
    return this.link.client.classOfDevice;
  }
  /** Identifies the connection in tap events and fault targets. */
  get connectionId(): number {
    return this.link.id;
  }
  get connected(): boolean {
    return this.link.isAttached;
  }
  get encrypted(): boolean {
    return this.link.isAttached && this.link.hostEncrypted;
  }
  get bonded(): boolean {
    return this.link.host.bonds.has(this.link.client.address);
  }
}
