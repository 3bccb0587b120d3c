/**
 * The LE security function `e` (AES-128 as the controller's LE_Encrypt
 * computes it) and the legacy-pairing key generator `s1`, with HCI's byte
 * order: keys, data and results travel least significant octet first, so
 * each is reversed around the AES block operation.
 */
import { createCipheriv } from 'node:crypto';
import { HciError, HciErrorKind } from './hci-errors';

/** AES-128 of one block, all three values in HCI (little-endian) byte order. */
export function leEncrypt(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (key.length !== 16 || plaintext.length !== 16) {
    throw new HciError(HciErrorKind.BadValue, `LE encrypt needs a 16-byte key and block, got ${key.length} and ${plaintext.length}`);
  }
  const cipher = createCipheriv('aes-128-ecb', reversed(key), null);
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(reversed(plaintext)), cipher.final()]);
  return reversed(out);
}

/**
 * Legacy pairing short-term key: s1(TK, Srand, Mrand) = e(TK, Srand' || Mrand')
 * where ' is the least significant 64 bits (Core Vol 3 Part H 2.2.4).
 */
export function legacyStk(tk: Uint8Array, srand: Uint8Array, mrand: Uint8Array): Uint8Array {
  if (srand.length !== 16 || mrand.length !== 16) {
    throw new HciError(HciErrorKind.BadValue, 'pairing randoms must have 16 bytes');
  }
  const block = new Uint8Array(16);
  block.set(mrand.subarray(0, 8), 0);
  block.set(srand.subarray(0, 8), 8);
  return leEncrypt(tk, block);
}

function reversed(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i] as number;
  return out;
}
