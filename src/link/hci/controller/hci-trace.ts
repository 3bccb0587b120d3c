/**
 * Trace records of the virtual controller: every command, event and ACL
 * packet crossing a controller's host interface, air happenings and errors,
 * as small JSON-friendly objects with readable names, and a one-line text
 * form for logs.
 */
export type HciTraceEntry =
  | { t: number; controller: string; kind: 'command'; opcode: string; name: string; params: string }
  | { t: number; controller: string; kind: 'event'; code: string; name: string; params: string }
  | { t: number; controller: string; kind: 'acl'; direction: 'from-host' | 'to-host'; handle: number; pb: number; data: string }
  | { t: number; controller: string; kind: 'air'; what: string; detail: Record<string, string | number> }
  | { t: number; controller: string; kind: 'error'; code: string; message: string };

/** "   12.5 ms AA:BB:..:01 > LE_Set_Scan_Enable 0101" style line. */
export function formatTraceEntry(e: HciTraceEntry): string {
  const head = `${e.t.toFixed(1).padStart(9)} ms ${e.controller}`;
  switch (e.kind) {
    case 'command':
      return `${head} < ${e.name} ${e.params}`.trimEnd();
    case 'event':
      return `${head} > ${e.name} ${e.params}`.trimEnd();
    case 'acl':
      return `${head} ${e.direction === 'from-host' ? '<' : '>'} ACL 0x${e.handle.toString(16).padStart(4, '0')} pb=${e.pb} ${e.data}`;
    case 'air':
      return `${head} ~ ${e.what} ${Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(' ')}`.trimEnd();
    case 'error':
      return `${head} ! ${e.code} ${e.message}`;
  }
}
