/**
 * Which events a host's event masks let through: Disconnection Complete and
 * Encryption Change by Set_Event_Mask, LE Meta subevents by both masks
 * (bit 61, then the LE mask bit). Command Complete/Status and Number Of
 * Completed Packets are never masked.
 */
import { EventCode, LeSubevent } from './hci-constants';
import { HciEvent } from './hci-events';

/** Set_Event_Mask bit of the LE Meta event. */
const LE_META_BIT = 61;

export function maskBit(mask: Uint8Array, bit: number): boolean {
  return (((mask[bit >> 3] ?? 0) >> (bit & 7)) & 1) === 1;
}

export function leEventEnabled(eventMask: Uint8Array, leEventMask: Uint8Array, subevent: number): boolean {
  return maskBit(eventMask, LE_META_BIT) && maskBit(leEventMask, subevent - 1);
}

export function eventEnabled(event: HciEvent, eventMask: Uint8Array, leEventMask: Uint8Array): boolean {
  const le = (subevent: number): boolean => leEventEnabled(eventMask, leEventMask, subevent);
  switch (event.kind) {
    case 'disconnection-complete':
      return maskBit(eventMask, EventCode.DisconnectionComplete - 1);
    case 'encryption-change':
      return maskBit(eventMask, EventCode.EncryptionChange - 1);
    case 'le-connection-complete':
      return le(LeSubevent.ConnectionComplete);
    case 'le-advertising-report':
      return le(LeSubevent.AdvertisingReport);
    case 'le-connection-update-complete':
      return le(LeSubevent.ConnectionUpdateComplete);
    case 'le-read-remote-features-complete':
      return le(LeSubevent.ReadRemoteFeaturesComplete);
    case 'le-long-term-key-request':
      return le(LeSubevent.LongTermKeyRequest);
    case 'le-data-length-change':
      return le(LeSubevent.DataLengthChange);
    default:
      return true;
  }
}
