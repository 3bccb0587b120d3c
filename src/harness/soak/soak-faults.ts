/**
 * The soak's faults: each one starts on the testbed now, lasts a drawn
 * window of link time, and is undone by `restore()` when the window ends.
 * The window doubles as the outage the reconnect bound allows for.
 */
import type { Random } from '../../util/random';
import type { Testbed } from '../testbed';
import type { FaultKind } from './soak-types';

export interface ActiveFault {
  kind: FaultKind;
  /** What exactly happened ("out of range 12345 ms", "revoked messages"), for failure messages. */
  detail: string;
  /** Link time the phone is unreachable (or the permission off): the reconnect bound's outage. */
  awayMs: number;
  /** Clock time the window ends and `restore()` is due. */
  endsAt: number;
  /** The PC's `connected` event count when the fault began (reconnects after it are timed). */
  connectedBefore: number;
  restore(): void;
}

/** The classic link's supervision timeout on the phone profiles is 20 s; out-of-range windows fall either side of it. */
const CLASSIC_SUPERVISION_MS = 20_000;

const PERMISSIONS = ['notifications', 'messages', 'contacts'] as const;

/** Starts `kind` on the testbed and returns how to undo it. */
export function applyFault(tb: Testbed, kind: FaultKind, random: Random, connectedBefore: number): ActiveFault {
  const now = tb.clock.now();
  const window = (awayMs: number, restore: () => void, detail = `${kind} for ${awayMs} ms`): ActiveFault => ({
    kind,
    detail,
    awayMs,
    endsAt: now + Math.max(1, awayMs),
    connectedBefore,
    restore,
  });
  switch (kind) {
    case 'drop':
      tb.dropLinks();
      return window(0, () => undefined);
    case 'outOfRangeShort': {
      // Some shorter than BLE's supervision timeout (no drop at all), most between it and the classic one.
      const ms = random.int(100, CLASSIC_SUPERVISION_MS - 1000);
      tb.outOfRange(ms);
      return window(ms, () => undefined);
    }
    case 'outOfRangeLong': {
      const ms = random.int(CLASSIC_SUPERVISION_MS + 1000, 180_000);
      tb.outOfRange(ms);
      return window(ms, () => undefined);
    }
    case 'reboot': {
      // Services withdrawn and both radios down; they come back in boot order: radios, then services.
      tb.phone.stop();
      powerOff(tb);
      return window(random.int(10_000, 60_000), () => {
        powerOn(tb);
        tb.phone.start();
      });
    }
    case 'bluetoothOff':
      powerOff(tb);
      return window(random.int(5_000, 300_000), () => powerOn(tb));
    case 'permission':
      return revoke(tb, random.pick(PERMISSIONS), random.int(30_000, 300_000), window);
  }
}

function powerOff(tb: Testbed): void {
  tb.peripheral.powerOff();
  tb.classicHost?.powerOff();
}

function powerOn(tb: Testbed): void {
  tb.peripheral.powerOn();
  tb.classicHost?.powerOn();
}

function revoke(
  tb: Testbed,
  which: (typeof PERMISSIONS)[number],
  ms: number,
  window: (awayMs: number, restore: () => void, detail?: string) => ActiveFault,
): ActiveFault {
  const back = tb.phone.backchannel;
  const pc = tb.pcAddress;
  switch (which) {
    case 'notifications':
      back.revokeShareSystemNotifications(pc);
      return window(ms, () => back.allowShareSystemNotifications(pc), `Share System Notifications off for ${ms} ms`);
    case 'messages':
      back.revokeMessageNotifications(pc);
      return window(ms, () => {
        back.allowMessageNotifications(pc);
        // The user turned it back on and opens the PC app: it tries at once.
        tb.pc.retryMessages();
      }, `Show Message Notifications off for ${ms} ms`);
    case 'contacts':
      back.revokeSyncContacts(pc);
      return window(ms, () => back.allowSyncContacts(pc), `Sync Contacts off for ${ms} ms`);
  }
}
