/**
 * Pairing and encryption on request for one noble connection, through
 * noble 2.8's private per-connection objects (its public `pair()` says
 * "not supported" on HCI): the ACL stream's `encrypt()` sends noble's own
 * SMP Pairing Request (legacy Just Works, bonding), the HCI layer's
 * `startLeEncryption` encrypts with a stored key, and noble's SMP object
 * reports the key the peripheral distributes (Encryption Information and
 * Master Identification), which is what we keep as the bond.
 *
 * One guard is needed: when encryption completes, noble's GATT layer repeats
 * its request in progress and fails outright when there is none, which is
 * exactly the case for pairing on request. `nobleSecurity` swaps that one
 * listener for a guarded one. Every reach into noble checks the shape it
 * finds; when anything is missing it returns undefined and pairing on
 * request is unavailable (noble's automatic pairing still works).
 */
import { EventEmitter } from 'node:events';

/** A legacy LE bond: LTK, EDIV and Rand, as distributed by the peripheral. */
export interface BondKey {
  ltk: Uint8Array;
  ediv: Uint8Array;
  rand: Uint8Array;
}

/** Bytes of an encoded BondKey: 16 LTK + 2 EDIV + 8 Rand. */
export const BOND_KEY_BYTES = 26;

export function encodeBondKey(key: BondKey): Uint8Array {
  const out = new Uint8Array(BOND_KEY_BYTES);
  out.set(key.ltk.subarray(0, 16), 0);
  out.set(key.ediv.subarray(0, 2), 16);
  out.set(key.rand.subarray(0, 8), 18);
  return out;
}

/** The key from a BondStore entry; undefined when the entry is not one of ours. */
export function decodeBondKey(bytes: Uint8Array): BondKey | undefined {
  if (bytes.length !== BOND_KEY_BYTES) return undefined;
  return { ltk: bytes.slice(0, 16), ediv: bytes.slice(16, 18), rand: bytes.slice(18, 26) };
}

export interface NobleSecurity {
  /** Sends SMP Pairing Request; the outcome arrives as an encryption change (or pairing failure) on the ATT tap. */
  startPairing(): void;
  /** HCI LE Start Encryption with a stored key. */
  startEncryption(key: BondKey): void;
  /** Stops listening for keys (the guard stays with the connection's objects). */
  detach(): void;
}

type Fn = (...args: unknown[]) => unknown;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function method(owner: unknown, name: string): Fn | undefined {
  const f = field(owner, name);
  return typeof f === 'function' ? (f as Fn) : undefined;
}

/** Reaches noble's private objects for a connected peripheral; `onKey` gets each key the peer distributes. */
export function nobleSecurity(noble: unknown, peripheralId: string, onKey: (key: BondKey) => void): NobleSecurity | undefined {
  const bindings = field(noble, '_bindings');
  const handle = field(field(bindings, '_handles'), peripheralId);
  if (typeof handle !== 'number') return undefined;
  const stream = field(field(bindings, '_aclStreams'), String(handle));
  const gatt = field(field(bindings, '_gatts'), String(handle));
  const hci = field(bindings, '_hci');
  const smp = field(stream, '_smp');
  const encrypt = method(stream, 'encrypt');
  const startLeEncryption = method(hci, 'startLeEncryption');
  const gattOnEncrypt = method(gatt, 'onAclStreamEncryptBinded');
  if (!(stream instanceof EventEmitter) || !(smp instanceof EventEmitter) || !encrypt || !startLeEncryption || !gattOnEncrypt) return undefined;
  if (!stream.listeners('encrypt').includes(gattOnEncrypt)) return undefined;

  let guarded = false;
  const guard = (): void => {
    if (guarded) return;
    guarded = true;
    stream.removeListener('encrypt', gattOnEncrypt);
    stream.prependListener('encrypt', (encrypted: unknown) => {
      if (!encrypted) return;
      if (field(gatt, '_currentCommand')) gattOnEncrypt(encrypted);
      else (gatt as Record<string, unknown>)['_security'] = 'medium';
    });
  };

  let ltk: Uint8Array | undefined;
  const onLtk = (value: unknown): void => {
    if (value instanceof Uint8Array && value.length === 16) ltk = new Uint8Array(value);
  };
  const onMasterIdent = (ediv: unknown, rand: unknown): void => {
    if (!ltk || !(ediv instanceof Uint8Array) || !(rand instanceof Uint8Array) || ediv.length !== 2 || rand.length !== 8) return;
    onKey({ ltk, ediv: new Uint8Array(ediv), rand: new Uint8Array(rand) });
    ltk = undefined;
  };
  smp.on('ltk', onLtk);
  smp.on('masterIdent', onMasterIdent);
  return {
    startPairing() {
      guard();
      encrypt.call(stream);
    },
    startEncryption(key: BondKey) {
      guard();
      startLeEncryption.call(hci, handle, Buffer.from(key.rand), Buffer.from(key.ediv), Buffer.from(key.ltk));
    },
    detach() {
      smp.removeListener('ltk', onLtk);
      smp.removeListener('masterIdent', onMasterIdent);
    },
  };
}
