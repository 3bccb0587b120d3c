/**
 * What each transport can and cannot exercise, in sentences for the report:
 * a reader of a column over `hci` learns there which steps the real
 * libraries take themselves and which the harness supplies.
 */
export const TRANSPORT_NOTES: Readonly<Record<string, readonly string[]>> = {
  memory: [
    'In-memory links in virtual time: BLE, BR/EDR and SCO timing come from the phone profile\'s link model; every run replays from its seed.',
  ],
  hci: [
    'Unmodified @stoprocent/noble 2.8.0 (PC) and @stoprocent/bleno 0.12.4 (phone, in a child process) over H4 UARTs to the virtual HCI controller; wall time; BLE only (contacts, calls and messages run in memory).',
    'Pairing: noble pairs by itself (legacy Just Works) when a request is refused for security, so ANCS bonding is exercised. bleno 0.12.4 drops SMP requests (its connection stream passes an extra argument; the harness fixes that one listener) and leaves LTK requests to a Linux kernel, so the virtual controller answers them.',
    'bleno cannot refuse pairing: a phone that refuses pairing is modelled as unbonded access answered with Insufficient Authentication. noble keeps no keys between runs.',
    'The burst bound adds one connection interval per request for the real stacks\' turnaround (bleno hands each write to its parent process).',
  ],
};

/** The notes for a transport (none for one we have nothing to say about). */
export function transportNotes(transport: string): string[] {
  return [...(TRANSPORT_NOTES[transport] ?? [])];
}
