/**
 * Ties the in-memory SCO link to the in-memory classic air: when an ACL
 * connection between a phone and a PC goes down, every SCO channel between
 * the same two devices drops with the reason the PC saw (SCO rides on the
 * ACL link, so it cannot outlive it).
 */
import type { MemoryClassicAir } from '../classic';
import type { MemoryScoLink } from './sco-link';

/** Starts following `air`; returns a function that stops it. */
export function dropScoWithAcl(sco: MemoryScoLink, air: MemoryClassicAir): () => void {
  return air.events.on('disconnect', (event) => {
    const phone = event.host.toUpperCase();
    const pc = event.client.toUpperCase();
    for (const connection of sco.connections()) {
      if (connection.phoneAddress === phone && connection.pcAddress === pc) {
        sco.dropLink(event.clientReason, { handle: connection.handle });
      }
    }
  });
}
