/**
 * The checks a GATT server makes before a characteristic's handler runs, and
 * the running itself, for the bleno host: is the property there, does the
 * link meet the characteristic's security (ATT Insufficient Authentication
 * 0x05 / Insufficient Encryption 0x0F, as the in-memory host answers), and
 * what ATT code a handler's throw becomes. Pure: no I/O.
 */
import { AttSecurity, CharacteristicProperty, GattCharacteristicDefinition } from '../../ble';
import { AttErrorCode } from '../../att-codes';
import { AttError } from '../../errors';

/** A handler's result or the ATT error code to answer with (`attCode` 0 on success). */
export interface Outcome<T> {
  ok: boolean;
  value?: T;
  attCode: number;
}

/** The ATT code a link that is `encrypted`/`bonded` as given gets for `security`, or undefined when it may pass. */
export function securityError(security: AttSecurity, link: { encrypted: boolean; bonded: boolean }): number | undefined {
  if (security === 'bonded') {
    if (!link.bonded) return AttErrorCode.InsufficientAuthentication;
    if (!link.encrypted) return AttErrorCode.InsufficientEncryption;
  } else if (security === 'encrypted' && !link.encrypted) {
    return AttErrorCode.InsufficientEncryption;
  }
  return undefined;
}

/**
 * The ATT code refusing `property` on a characteristic for this link, or
 * undefined when allowed: AttributeNotFound without a definition, `deniedCode`
 * without the property ('notify' also accepts 'indicate'), then security.
 */
export function accessError(
  def: GattCharacteristicDefinition | undefined,
  property: CharacteristicProperty,
  deniedCode: number,
  link: { encrypted: boolean; bonded: boolean },
): number | undefined {
  if (!def) return AttErrorCode.AttributeNotFound;
  const allowed = def.properties.includes(property) || (property === 'notify' && def.properties.includes('indicate'));
  if (!allowed) return deniedCode;
  return securityError(def.security, link);
}

/** Runs a handler: AttError answers with its code; anything else answers Unlikely Error and goes to `report`. */
export function invokeHandler<T>(handler: () => T, report: (error: unknown) => void): Outcome<T> {
  try {
    return { ok: true, value: handler(), attCode: 0 };
  } catch (error) {
    if (error instanceof AttError && Number.isInteger(error.attCode) && error.attCode >= 1 && error.attCode <= 0xff) {
      return { ok: false, attCode: error.attCode };
    }
    report(error);
    return { ok: false, attCode: AttErrorCode.UnlikelyError };
  }
}
