/**
 * One content line, taken apart: `parseHead` reads the optional group, the
 * name and the parameters (2.1 bare types such as `TEL;CELL;PREF:`, named
 * `TYPE=a,b` lists, double-quoted values that may hold `;`, `:` and `,`,
 * and the ENCODING and CHARSET that say how the value is stored);
 * `interpretText` turns a decoded value into text or structured components,
 * resolving backslash escapes by the card's version.
 */
import { hasListComponents, valueShape, type VcardParam, type VcardValue, type VcardVersion } from './model';

const COLON = 0x3a;
const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/** What precedes the value of a content line. */
export interface ContentLineHead {
  group: string | undefined;
  /** Upper-case property name. */
  name: string;
  /** Parameters other than ENCODING and CHARSET; each name (upper-case) once, values in order. */
  params: VcardParam[];
  /** Upper-case ENCODING, from `ENCODING=x` or a 2.1 bare `QUOTED-PRINTABLE`/`BASE64`/`8BIT`/`7BIT`. */
  encoding: string | undefined;
  /** CHARSET as written. */
  charset: string | undefined;
  /** Index in the line where the value starts (just after the colon). */
  valueStart: number;
}

const BARE_ENCODINGS = new Set(['7BIT', '8BIT', 'QUOTED-PRINTABLE', 'BASE64']);
const BARE_VALUE_TYPES = new Set(['INLINE', 'URL', 'URI', 'CONTENT-ID', 'CID']);

/** Letters, digits, `-` and `_` (the last is not in any spec, but exporters write it). */
function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/** Index of the `;` or `:` that ends a well-formed `[group.]name`, or -1. */
function nameEnd(line: string): number {
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === COLON || c === SEMICOLON) break;
    if (!isNameChar(c) && c !== DOT) return -1;
  }
  if (i === 0 || i === line.length) return -1;
  return i;
}

/** True when the line starts like a property (`[group.]name` then `;` or `:`) and has a colon. */
export function looksLikeProperty(line: string): boolean {
  const end = nameEnd(line);
  return end > 0 && (line.charCodeAt(end) === COLON || line.indexOf(':', end) > 0);
}

/**
 * Parses the group, name and parameters of a content line; undefined when the
 * line is not one (no colon, or a name with characters no name may hold).
 */
export function parseHead(line: string): ContentLineHead | undefined {
  return parseHeadWith(line, true) ?? parseHeadWith(line, false);
}

function parseHeadWith(line: string, quotes: boolean): ContentLineHead | undefined {
  const end = nameEnd(line);
  if (end < 0) return undefined;
  const dot = line.lastIndexOf('.', end - 1);
  const group = dot < 0 ? undefined : line.slice(0, dot);
  if (dot === end - 1 || group === '' || (group !== undefined && group.charCodeAt(group.length - 1) === DOT)) return undefined;
  const name = upper(dot < 0 ? line.slice(0, end) : line.slice(dot + 1, end));
  const head: ContentLineHead = { group, name, params: [], encoding: undefined, charset: undefined, valueStart: 0 };
  let i = end;
  while (line.charCodeAt(i) === SEMICOLON) {
    const start = ++i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === EQUALS || c === SEMICOLON || c === COLON) break;
      i++;
    }
    if (i >= line.length) return undefined;
    const paramName = trim(line.slice(start, i));
    if (line.charCodeAt(i) !== EQUALS) {
      if (paramName !== '') addBare(head, paramName);
      continue;
    }
    i++;
    if (!(quotes && line.charCodeAt(i) === QUOTE)) {
      // The common case: one unquoted value.
      const from = i;
      while (i < line.length && !isParamStop(line.charCodeAt(i))) i++;
      if (i >= line.length) return undefined;
      if (line.charCodeAt(i) !== COMMA) {
        if (paramName !== '') addNamed(head, upper(paramName), [line.slice(from, i)], undefined);
        continue;
      }
      i = from;
    }
    const segments: string[] = [];
    const quoted: boolean[] = [];
    for (;;) {
      if (quotes && line.charCodeAt(i) === QUOTE) {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return undefined;
        let text = line.slice(i + 1, close);
        i = close + 1;
        const rest = i;
        while (i < line.length && !isParamStop(line.charCodeAt(i))) i++;
        if (i > rest) text += line.slice(rest, i);
        segments.push(text);
        quoted.push(true);
      } else {
        const from = i;
        while (i < line.length && !isParamStop(line.charCodeAt(i))) i++;
        segments.push(line.slice(from, i));
        quoted.push(false);
      }
      if (i >= line.length) return undefined;
      if (line.charCodeAt(i) !== COMMA) break;
      i++;
    }
    if (paramName !== '') addNamed(head, upper(paramName), segments, quoted);
  }
  if (line.charCodeAt(i) !== COLON) return undefined;
  head.valueStart = i + 1;
  return head;
}

/** `text` in upper case, without a new string when it already is. */
function upper(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || c > 0x7f) return text.toUpperCase();
  }
  return text;
}

/** `text` without surrounding whitespace, without a new string when there is none. */
function trim(text: string): string {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09 ? text.trim() : text;
}

function isParamStop(c: number): boolean {
  return c === SEMICOLON || c === COLON || c === COMMA;
}

/** A 2.1 parameter written without a name: an encoding, a value type, or (anything else) a type. */
function addBare(head: ContentLineHead, value: string): void {
  const upperValue = upper(value);
  if (BARE_ENCODINGS.has(upperValue)) head.encoding = upperValue;
  else if (BARE_VALUE_TYPES.has(upperValue)) addParam(head.params, 'VALUE', [value]);
  else addParam(head.params, 'TYPE', [value]);
}

/** Adds a named parameter; `quoted[k]` tells whether segment k was in quotes (undefined: none was). */
function addNamed(head: ContentLineHead, name: string, segments: string[], quoted: boolean[] | undefined): void {
  const single = segments.length === 1 ? (segments[0] as string) : undefined;
  if (name === 'ENCODING') {
    head.encoding = upper(trim(single ?? segments.join(',')));
  } else if (name === 'CHARSET') {
    head.charset = trim(single ?? segments.join(','));
  } else if (name === 'TYPE' && quoted !== undefined) {
    // TYPE lists split on every comma, quoted or not: RFC 6350's own examples write TYPE="work,voice".
    const values: string[] = [];
    segments.forEach((segment, k) => {
      if (quoted[k] === true && segment.includes(',')) values.push(...segment.split(','));
      else values.push(segment);
    });
    addParam(head.params, name, values);
  } else {
    addParam(head.params, name, single === undefined ? [segments.join(',')] : segments);
  }
}

/** Adds values to the parameter called `name`, creating it at the end of the list when new. */
export function addParam(params: VcardParam[], name: string, values: string[]): void {
  for (const param of params) {
    if (param.name === name) {
      param.values.push(...values);
      return;
    }
  }
  params.push({ name, values });
}

/**
 * The value of property `name` from its decoded text: plain text, or for
 * structured and list properties the components, each a list of values.
 * 3.0 and 4.0 resolve `\\ \n \N \, \; \:` everywhere; 2.1 keeps text as it is
 * and, in structured values only, lets a backslash protect the next character.
 */
export function interpretText(text: string, name: string, version: VcardVersion): VcardValue {
  const shape = valueShape(name);
  if (version === '2.1') {
    if (shape === 'structured') return splitValue(text, true, true, false);
    return shape === 'list' ? [[text]] : text;
  }
  if (shape === 'text') return unescapeText(text);
  if (shape === 'list') return splitValue(text, false, false, true);
  return splitValue(text, false, true, hasListComponents(name));
}

/** Resolves 3.0/4.0 backslash escapes; an unknown escape keeps its backslash. */
export function unescapeText(text: string): string {
  let at = text.indexOf('\\');
  if (at < 0) return text;
  const out: string[] = [];
  let from = 0;
  while (at >= 0) {
    out.push(text.slice(from, at));
    const next = text.charCodeAt(at + 1);
    const replacement = escapeReplacement(next);
    if (replacement === undefined) {
      out.push('\\');
      from = at + 1;
    } else {
      out.push(replacement);
      from = at + 2;
    }
    at = text.indexOf('\\', from);
  }
  out.push(text.slice(from));
  return out.join('');
}

function escapeReplacement(c: number): string | undefined {
  switch (c) {
    case 0x6e: // n
    case 0x4e: // N
      return '\n';
    case BACKSLASH:
      return '\\';
    case COMMA:
      return ',';
    case SEMICOLON:
      return ';';
    case COLON:
      return ':';
    default:
      return undefined;
  }
}

/**
 * Splits on unescaped `;` (components) and `,` (values), resolving escapes:
 * `v21` lets a backslash protect any character; otherwise 3.0 escapes apply.
 */
function splitValue(text: string, v21: boolean, semicolons: boolean, commas: boolean): string[][] {
  if (text.indexOf('\\') < 0) {
    // No escapes: split with indexOf, no per-character work.
    const out: string[][] = [];
    let from = 0;
    for (let at = semicolons ? text.indexOf(';') : -1; at >= 0; at = text.indexOf(';', from)) {
      const part = text.slice(from, at);
      out.push(commas && part.indexOf(',') >= 0 ? part.split(',') : [part]);
      from = at + 1;
    }
    const last = from === 0 ? text : text.slice(from);
    out.push(commas && last.indexOf(',') >= 0 ? last.split(',') : [last]);
    return out;
  }
  const components: string[][] = [];
  let values: string[] = [];
  let pieces: string[] = [];
  let from = 0;
  const endValue = (to: number): void => {
    pieces.push(text.slice(from, to));
    values.push(pieces.length === 1 ? (pieces[0] as string) : pieces.join(''));
    pieces = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      pieces.push(text.slice(from, i));
      if (i + 1 >= text.length) {
        pieces.push('\\');
        from = i + 1;
        continue;
      }
      const replacement = v21 ? text[i + 1] : escapeReplacement(text.charCodeAt(i + 1));
      if (replacement === undefined) {
        pieces.push('\\');
        from = i + 1;
      } else {
        pieces.push(replacement);
        from = i + 2;
        i++;
      }
    } else if (c === SEMICOLON && semicolons) {
      endValue(i);
      components.push(values);
      values = [];
      from = i + 1;
    } else if (c === COMMA && commas) {
      endValue(i);
      from = i + 1;
    }
  }
  endValue(text.length);
  components.push(values);
  return components;
}
