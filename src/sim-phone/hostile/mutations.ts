/**
 * Pure byte mutations the saboteur applies to one outgoing frame, by fault
 * kind and by how the frame is framed on the wire (an ANCS Notification
 * Source value, a Data Source fragment, an OBEX packet, an AT result). Each
 * takes the frame and a seeded Random and returns new bytes; the input is
 * never changed. Out-of-order needs no mutation (the host wrappers hold the
 * frame instead).
 */
import type { Random } from '../../util/random';

/** How a frame is delimited on its channel, which decides what "broken" means for it. */
export type Framing = 'ancs-ns' | 'ancs-ds' | 'obex' | 'at';

/** Junk appended by `oversize` to GATT values (capped by the room under the MTU). */
export const GATT_JUNK_BYTES = 16;
/** Junk appended after an OBEX packet whose length field was inflated. */
export const OBEX_JUNK_BYTES = 64;
/** The length an inflated OBEX packet claims: the largest OBEX allows, far beyond any negotiated maximum. */
export const OBEX_CLAIMED_LENGTH = 0xffff;
/** Length of the over-long AT line `oversize` adds: past the 512-byte line bound both sides enforce. */
export const AT_JUNK_LINE_BYTES = 600;

const CR = 0x0d;
const LF = 0x0a;

/** `n` random bytes. */
export function garbage(random: Random, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random.int(0, 255);
  return out;
}

/** True for an AT frame laid out as CR LF <text> CR LF with no line break inside. */
function isOneAtLine(frame: Uint8Array): boolean {
  if (frame.length < 5) return false;
  if (frame[0] !== CR || frame[1] !== LF || frame[frame.length - 2] !== CR || frame[frame.length - 1] !== LF) return false;
  for (let i = 2; i < frame.length - 2; i++) if (frame[i] === CR || frame[i] === LF) return false;
  return true;
}

/**
 * Garbage of the same length. OBEX: the length field says 0..2, which no
 * packet can be, so the receiver loses the packet boundaries at once. AT
 * (one line): the line breaks stay, the text becomes bytes with no line
 * break and one control byte, so the receiver drops exactly one line.
 */
export function malform(frame: Uint8Array, framing: Framing, random: Random): Uint8Array {
  const out = garbage(random, frame.length);
  if (framing === 'obex' && out.length >= 3) {
    out[1] = 0;
    out[2] = random.int(0, 2);
  } else if (framing === 'at' && isOneAtLine(frame)) {
    out.set([CR, LF], 0);
    out.set([CR, LF], out.length - 2);
    for (let i = 2; i < out.length - 2; i++) {
      const b = out[i] ?? 0;
      if (b === CR || b === LF) out[i] = 0x7f;
    }
    out[random.int(2, out.length - 3)] = 0x01;
  } else if (out.length > 0 && out.every((b, i) => b === frame[i])) {
    out[0] = (out[0] ?? 0) ^ 0xff; // garbage that happens to equal the frame is no fault
  }
  return out;
}

/**
 * A strict prefix of the frame. A Notification Source value keeps 0..7 of
 * its 8 bytes; an OBEX packet keeps at least 1 byte (the wrapper then
 * swallows the channel's later output, so the rest never comes); an AT line
 * loses its closing line break at least.
 */
export function truncate(frame: Uint8Array, framing: Framing, random: Random): Uint8Array {
  if (frame.length === 0) return frame;
  const min = framing === 'obex' ? 1 : 0;
  const keep = random.int(Math.min(min, frame.length - 1), frame.length - 1);
  return frame.slice(0, keep);
}

/**
 * A frame bigger than it may be. GATT: up to GATT_JUNK_BYTES of junk, never
 * past `room` (the MTU-3 a notification may carry); with no room at all the
 * frame is returned as it was. OBEX: the length field claims
 * OBEX_CLAIMED_LENGTH and junk follows. AT: an over-long line of printable
 * junk follows the frame.
 */
export function oversize(frame: Uint8Array, framing: Framing, random: Random, room = Number.POSITIVE_INFINITY): Uint8Array {
  if (framing === 'obex') {
    const out = new Uint8Array(frame.length + OBEX_JUNK_BYTES);
    out.set(frame);
    out.set(garbage(random, OBEX_JUNK_BYTES), frame.length);
    if (out.length >= 3) {
      out[1] = OBEX_CLAIMED_LENGTH >> 8;
      out[2] = OBEX_CLAIMED_LENGTH & 0xff;
    }
    return out;
  }
  if (framing === 'at') {
    const line = new Uint8Array(AT_JUNK_LINE_BYTES + 4);
    line.set([CR, LF], 0);
    for (let i = 2; i < line.length - 2; i++) line[i] = random.int(0x41, 0x5a);
    line.set([CR, LF], line.length - 2);
    const out = new Uint8Array(frame.length + line.length);
    out.set(frame);
    out.set(line, frame.length);
    return out;
  }
  const extra = Math.max(0, Math.min(GATT_JUNK_BYTES, room - frame.length));
  if (extra === 0) return frame;
  const out = new Uint8Array(frame.length + extra);
  out.set(frame);
  out.set(garbage(random, extra), frame.length);
  return out;
}
