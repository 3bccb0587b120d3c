/**
 * Trims what noble 2.8's per-connection GATT layer remembers of the server's
 * attributes. That layer keeps every service it ever discovered (with its
 * handle range) and every characteristic (with its value handle) by UUID and
 * never forgets one: after a rediscovery a withdrawn service is still there
 * with its old handles, and after Service Changed every handle it holds may
 * be wrong. It also routes each incoming notification through those
 * records to noble's Characteristic objects, which a rediscovery replaces,
 * so stale records only produce "unknown characteristic" warnings.
 *
 * `forgetNobleAttributes` drops the characteristic and descriptor records
 * and the services not named, so the next use of any characteristic has to
 * be discovered afresh. It reaches noble's private objects the way
 * noble-att-tap.ts does, checks their shape, and does nothing (returning
 * false) when they are not as found in noble 2.8.
 */

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** noble's GATT object for a connected peripheral id, when it is where noble 2.8 keeps it. */
function nobleGatt(noble: unknown, peripheralId: string): unknown {
  const bindings = field(noble, '_bindings');
  const handle = field(field(bindings, '_handles'), peripheralId);
  if (typeof handle !== 'number' && typeof handle !== 'string') return undefined;
  return field(field(bindings, '_gatts'), String(handle));
}

/**
 * Forgets every characteristic and descriptor noble's GATT layer recorded
 * for the connection, and every service whose library-form UUID is not in
 * `keepServices`. Returns false when noble's records are not reachable.
 */
export function forgetNobleAttributes(noble: unknown, peripheralId: string, keepServices: readonly string[]): boolean {
  const gatt = nobleGatt(noble, peripheralId);
  const services = field(gatt, '_services');
  const characteristics = field(gatt, '_characteristics');
  const descriptors = field(gatt, '_descriptors');
  if (!isRecord(services) || !isRecord(characteristics) || !isRecord(descriptors)) return false;
  for (const uuid of Object.keys(services)) if (!keepServices.includes(uuid)) delete services[uuid];
  for (const uuid of Object.keys(characteristics)) delete characteristics[uuid];
  for (const uuid of Object.keys(descriptors)) delete descriptors[uuid];
  return true;
}
