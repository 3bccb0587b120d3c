/**
 * Turns a bMessage file (`x-bt/message`, e.g. a GetMessage body saved from a
 * real phone) into JSON a person can read: type, status, folder, the
 * originators and every recipient, the body's charset, byte length and
 * text, and a LENGTH check measured independently of the decoder (so a
 * file the decoder rejects still shows what LENGTH should have been).
 * Names, numbers and text are the file's: for local inspection, not reports.
 */
import { bMessageBody, bMessageRecipients, decodeBMessage, isUtf8Charset } from '../protocol/map';
import type { BMessage, BMessageEnvelope, BMessageParty } from '../protocol/map';
import { isProtocolError } from '../protocol/errors';

/** What LENGTH says against what the content measures, from `BEGIN:MSG` through the last `END:MSG` line of the body. */
export interface BmsgLengthCheck {
  /** The LENGTH value as written (undefined when there is no LENGTH line). */
  declared?: string;
  /** Bytes from the start of the first BEGIN:MSG line through the end of the last END:MSG line (undefined when either is missing). */
  measured?: number;
  matches: boolean;
}

export interface BmsgDescription {
  ok: boolean;
  bytes: number;
  /** The decoder's error, when it rejected the file. */
  error?: { code: string; message: string; offset?: number };
  version?: string;
  type?: string;
  status?: string;
  folder?: string;
  originators?: Record<string, unknown>[];
  recipients?: Record<string, unknown>[];
  envelopeDepth?: number;
  body?: { charset?: string; encoding?: string; language?: string; partId?: number; length: number; text: string };
  lengthCheck: BmsgLengthCheck;
}

function describeParty(party: BMessageParty): Record<string, unknown> {
  return {
    version: party.version,
    ...(party.formattedName !== undefined ? { formattedName: party.formattedName } : {}),
    ...(party.name !== undefined ? { name: party.name } : {}),
    phones: party.phones,
    emails: party.emails,
    ...(party.extra ? { extra: party.extra } : {}),
  };
}

function depthOf(envelope: BMessageEnvelope): number {
  return envelope.content.kind === 'envelope' ? 1 + depthOf(envelope.content.envelope) : 1;
}

/** Byte length of the text as the body's charset writes it (UTF-8, or one byte per char). */
function textLength(text: string, charset: string | undefined): number {
  return isUtf8Charset(charset) ? Buffer.byteLength(text, 'utf8') : text.length;
}

/**
 * Measures the content the way LENGTH should: lines are read as Latin-1
 * (one char per byte, so string offsets are byte offsets); CRLF or LF.
 */
export function checkBmsgLength(bytes: Uint8Array): BmsgLengthCheck {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const lines: Array<{ start: number; next: number; content: string }> = [];
  for (let at = 0; at < text.length; ) {
    const lf = text.indexOf('\n', at);
    const next = lf < 0 ? text.length : lf + 1;
    lines.push({ start: at, next, content: text.slice(at, lf < 0 ? text.length : lf).replace(/\r$/, '').trim().toUpperCase() });
    at = next;
  }
  const lengthLine = lines.findIndex((l) => l.content.startsWith('LENGTH:'));
  const declared = lengthLine < 0 ? undefined : (lines[lengthLine] as { content: string }).content.slice('LENGTH:'.length).trim();
  const from = Math.max(lengthLine, 0);
  const begin = lines.findIndex((l, i) => i >= from && l.content === 'BEGIN:MSG');
  let measured: number | undefined;
  if (begin >= 0) {
    const bodyEnd = lines.findIndex((l, i) => i > begin && l.content === 'END:BBODY');
    const stop = bodyEnd < 0 ? lines.length : bodyEnd;
    for (let i = stop - 1; i > begin; i--) {
      const line = lines[i] as { start: number; next: number; content: string };
      if (line.content === 'END:MSG') {
        measured = line.next - (lines[begin] as { start: number }).start;
        break;
      }
    }
  }
  const out: BmsgLengthCheck = { matches: declared !== undefined && measured !== undefined && declared === String(measured) };
  if (declared !== undefined) out.declared = declared;
  if (measured !== undefined) out.measured = measured;
  return out;
}

/** Decodes a bMessage file's bytes and describes it; a rejected file gives `ok: false` with the error, never a throw for bad input. */
export function describeBmsg(bytes: Uint8Array): BmsgDescription {
  const lengthCheck = checkBmsgLength(bytes);
  let message: BMessage;
  try {
    message = decodeBMessage(bytes);
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    const error: BmsgDescription['error'] = { code: err.code, message: err.message };
    if (err.offset !== undefined) error.offset = err.offset;
    return { ok: false, bytes: bytes.length, error, lengthCheck };
  }
  const body = bMessageBody(message);
  return {
    ok: true,
    bytes: bytes.length,
    version: message.version,
    type: message.type,
    status: message.status,
    folder: message.folder,
    originators: message.originators.map(describeParty),
    recipients: bMessageRecipients(message).map(describeParty),
    envelopeDepth: depthOf(message.envelope),
    body: {
      ...(body.charset !== undefined ? { charset: body.charset } : {}),
      ...(body.encoding !== undefined ? { encoding: body.encoding } : {}),
      ...(body.language !== undefined ? { language: body.language } : {}),
      ...(body.partId !== undefined ? { partId: body.partId } : {}),
      length: textLength(body.text, body.charset),
      text: body.text,
    },
    lengthCheck,
  };
}
