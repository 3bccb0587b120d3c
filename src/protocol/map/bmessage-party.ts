/**
 * The vCards inside a bMessage (originators and recipients): read the few
 * properties MAP needs (VERSION, N, FN, TEL, EMAIL; parameters are kept off
 * the value, quoted-printable and CHARSET applied), keep every other line
 * verbatim in `extra`, and write them back as vCard 2.1 or 3.0 lines.
 * Folded lines (leading space or tab) and quoted-printable soft breaks are
 * joined before reading.
 */
import { decodeCharset, decodeQuotedPrintable } from '../vcard/decode';
import { LineReader, hasLoneSurrogate, keywordOf, type Line } from './bmessage-lines';
import { MapError, MapErrorCode } from './errors';
import type { BMessageParty } from './types';

/** Properties with a typed home in BMessageParty. */
const TYPED = new Set(['VERSION', 'N', 'FN', 'TEL', 'EMAIL']);

/**
 * Reads a vCard whose `BEGIN:VCARD` line was just consumed, through its
 * `END:VCARD`. Throws MapError: map.truncated (input ends first),
 * map.bad-bmessage (another BEGIN/END line, a VERSION other than 2.1 or
 * 3.0, VERSION, N or FN twice).
 */
export function readParty(reader: LineReader, begin: Line): BMessageParty {
  const logical: Array<{ text: string; at: number }> = [];
  for (;;) {
    const line = reader.nextNonBlank();
    if (line === undefined) throw new MapError(MapErrorCode.Truncated, 'input ends before END:VCARD', begin.start);
    const text = reader.lenientText(line);
    const keyword = keywordOf(text);
    if (keyword === 'END:VCARD') break;
    if (keyword !== undefined) {
      throw new MapError(MapErrorCode.BadBMessage, `${keyword} inside a vCard (missing END:VCARD)`, line.start);
    }
    const last = logical[logical.length - 1];
    const first = text.charCodeAt(0);
    if (last !== undefined && (first === 0x20 || first === 0x09)) {
      last.text += text.slice(1);
    } else if (last !== undefined && isSoftBreak(last.text)) {
      last.text = last.text.slice(0, -1) + text;
    } else {
      logical.push({ text, at: line.start });
    }
  }
  const party: BMessageParty = { version: '2.1', phones: [], emails: [] };
  const extra: string[] = [];
  let sawVersion = false;
  for (const { text, at } of logical) {
    const parsed = parseLine(text);
    if (parsed === undefined || !TYPED.has(parsed.name)) {
      extra.push(text);
      continue;
    }
    const twice = (): MapError => new MapError(MapErrorCode.BadBMessage, `${parsed.name} twice in one vCard`, at);
    switch (parsed.name) {
      case 'VERSION': {
        if (sawVersion) throw twice();
        const version = parsed.value.trim();
        if (version !== '2.1' && version !== '3.0') {
          throw new MapError(MapErrorCode.BadBMessage, `vCard VERSION ${JSON.stringify(version)} is not 2.1 or 3.0`, at);
        }
        party.version = version;
        sawVersion = true;
        break;
      }
      case 'N':
        if (party.name !== undefined) throw twice();
        party.name = parsed.value;
        break;
      case 'FN':
        if (party.formattedName !== undefined) throw twice();
        party.formattedName = parsed.value;
        break;
      case 'TEL':
        party.phones.push(parsed.value);
        break;
      default:
        party.emails.push(parsed.value);
    }
  }
  if (extra.length > 0) party.extra = extra;
  return party;
}

/** The vCard lines (without CRLF) of a party. Throws MapError map.bad-value for what cannot be written back as given. */
export function partyLines(party: BMessageParty): string[] {
  const bad = (why: string): MapError => new MapError(MapErrorCode.BadValue, `vCard: ${why}`);
  if (party.version !== '2.1' && party.version !== '3.0') throw bad(`version ${String(party.version)} is not 2.1 or 3.0`);
  const value = (name: string, text: string): string => {
    if (/[\r\n]/.test(text)) throw bad(`${name} value holds a line break`);
    if (hasLoneSurrogate(text)) throw bad(`${name} value holds a lone surrogate`);
    return `${name}:${text}`;
  };
  const lines = ['BEGIN:VCARD', `VERSION:${party.version}`];
  if (party.name !== undefined) lines.push(value('N', party.name));
  if (party.formattedName !== undefined) lines.push(value('FN', party.formattedName));
  for (const phone of party.phones) lines.push(value('TEL', phone));
  for (const email of party.emails) lines.push(value('EMAIL', email));
  for (const line of party.extra ?? []) {
    if (/[\r\n]/.test(line) || hasLoneSurrogate(line)) throw bad(`extra line ${JSON.stringify(line)} holds a line break or lone surrogate`);
    if (line.trim() === '') throw bad('extra line is blank');
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) throw bad(`extra line ${JSON.stringify(line)} starts with white space (a folded line)`);
    const parsed = parseLine(line);
    if (parsed !== undefined && (TYPED.has(parsed.name) || parsed.name === 'BEGIN' || parsed.name === 'END')) {
      throw bad(`extra line ${JSON.stringify(line)} is a ${parsed.name} property`);
    }
    if (isSoftBreak(line)) throw bad(`extra line ${JSON.stringify(line)} ends in a quoted-printable soft break`);
    lines.push(line);
  }
  lines.push('END:VCARD');
  return lines;
}

/** A vCard 2.1 party with one number and, when given, the name as both N and FN. */
export function party(phone: string, name?: string): BMessageParty {
  const out: BMessageParty = { version: '2.1', name: name ?? '', phones: [phone], emails: [] };
  if (name !== undefined) out.formattedName = name;
  return out;
}

interface ParsedLine {
  /** Property name, upper-cased, without group or parameters. */
  name: string;
  /** The value with quoted-printable and CHARSET applied. */
  value: string;
}

/** Splits `NAME;PARAMS:value`; undefined without a colon. A grouped name (`item1.TEL`) is kept whole. */
function parseLine(text: string): ParsedLine | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const [rawName = '', ...params] = text.slice(0, colon).split(';');
  const name = rawName.trim().toUpperCase();
  const raw = text.slice(colon + 1);
  if (!hasQuotedPrintable(params)) return { name, value: raw };
  const charset = params.map(paramPair).find(([key]) => key === 'CHARSET')?.[1];
  const decoded = decodeCharset(decodeQuotedPrintable(raw, false), charset);
  return { name, value: decoded ?? raw };
}

function paramPair(param: string): [string, string] {
  const eq = param.indexOf('=');
  return eq < 0 ? ['', param.trim().toUpperCase()] : [param.slice(0, eq).trim().toUpperCase(), param.slice(eq + 1).trim()];
}

function hasQuotedPrintable(params: readonly string[]): boolean {
  return params.some((p) => {
    const [key, value] = paramPair(p);
    return (key === '' || key === 'ENCODING') && value.toUpperCase() === 'QUOTED-PRINTABLE';
  });
}

/** A quoted-printable line whose value ends in `=` continues on the next line. */
function isSoftBreak(text: string): boolean {
  if (!text.endsWith('=')) return false;
  const colon = text.indexOf(':');
  return colon >= 0 && hasQuotedPrintable(text.slice(0, colon).split(';').slice(1));
}
