/**
 * AT parameter lists: the text after `AT+NAME=` or `+NAME:` split into
 * tokens, parsed into a tree of values, and written back. Handles quoted
 * strings that contain commas and parentheses, nested lists such as
 * `("call",(0,1)),("callsetup",(0-3))`, ranges `0-3`, and empty parameters
 * (`3,,,1`). Spaces outside quotes are ignored around values.
 *
 * Strict mode rejects anything malformed. Lenient mode (for text from a
 * peer) repairs three common slips and nothing else: a quoted string left
 * open at the end of the text, a stray quote after a value with no closing
 * quote anywhere after it (`129"`), and a missing comma between two
 * adjacent values (`"call"(0,1)`).
 */
import { HfpError, HfpErrorCode, hfpErrorAt } from './errors';
import { HFP_MAX_TOKEN_DEPTH } from '../../limits';

export type AtTokenType = 'string' | 'bare' | 'open' | 'close' | 'comma';

export interface AtToken {
  type: AtTokenType;
  /** The string's contents (no quotes), the bare text (trimmed), or the punctuation character. */
  value: string;
  /** Character index in the tokenized text. */
  offset: number;
}

/** A quoted string. */
export interface AtString {
  kind: 'string';
  value: string;
  offset: number;
}

/** An unquoted value; `''` for an empty parameter. */
export interface AtBare {
  kind: 'bare';
  value: string;
  offset: number;
}

/** An unquoted `min-max` range. */
export interface AtRange {
  kind: 'range';
  min: number;
  max: number;
  offset: number;
}

/** A parenthesised list. */
export interface AtList {
  kind: 'list';
  items: AtParam[];
  offset: number;
}

export type AtParam = AtString | AtBare | AtRange | AtList;

export interface TokenizeOptions {
  /** Repair the slips described in the header instead of throwing. Default false. */
  lenient?: boolean;
  /** Deepest parenthesis nesting accepted. Default 8. */
  maxDepth?: number;
  /** Index in the text where the parameters start (offsets stay relative to the whole text). Default 0. */
  start?: number;
}

const DEFAULT_MAX_DEPTH = HFP_MAX_TOKEN_DEPTH;
const RANGE = /^(\d{1,15})\s*-\s*(\d{1,15})$/;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

/** Splits parameter text into tokens. Throws HfpError on malformed text (strict) or never-repairable text. */
export function tokenizeParameters(text: string, options: TokenizeOptions = {}): AtToken[] {
  const lenient = options.lenient === true;
  const tokens: AtToken[] = [];
  let bareStart = -1;
  let bareText = '';

  const endBare = (): void => {
    if (bareStart < 0) return;
    const value = bareText.trimEnd();
    if (value.length > 0) tokens.push({ type: 'bare', value, offset: bareStart });
    bareStart = -1;
    bareText = '';
  };

  let i = options.start ?? 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === ',' || ch === ')') {
      endBare();
      tokens.push({ type: ch === ',' ? 'comma' : 'close', value: ch, offset: i });
      i++;
    } else if (ch === '(') {
      if (bareStart >= 0 && !lenient) {
        throw hfpErrorAt(HfpErrorCode.BadSyntax, "'(' directly after a value", text, i);
      }
      endBare();
      tokens.push({ type: 'open', value: ch, offset: i });
      i++;
    } else if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      if (bareStart >= 0) {
        if (!lenient) throw hfpErrorAt(HfpErrorCode.BadSyntax, 'quote directly after a value', text, i);
        if (close < 0) {
          // A stray quote with nothing to close it: drop it and keep the value.
          i++;
          continue;
        }
        endBare();
      }
      if (close < 0) {
        if (!lenient) throw hfpErrorAt(HfpErrorCode.UnterminatedString, 'quoted string is not closed', text, i);
        tokens.push({ type: 'string', value: text.slice(i + 1), offset: i });
        i = text.length;
      } else {
        tokens.push({ type: 'string', value: text.slice(i + 1, close), offset: i });
        i = close + 1;
      }
    } else if (isSpace(ch) && bareStart < 0) {
      i++;
    } else {
      if (bareStart < 0) bareStart = i;
      bareText += ch;
      i++;
    }
  }
  endBare();
  return tokens;
}

function valueParam(token: AtToken): AtParam {
  if (token.type === 'string') return { kind: 'string', value: token.value, offset: token.offset };
  const range = RANGE.exec(token.value);
  if (range) return { kind: 'range', min: Number(range[1]), max: Number(range[2]), offset: token.offset };
  return { kind: 'bare', value: token.value, offset: token.offset };
}

interface ListState {
  items: AtParam[];
  current: AtParam | undefined;
  sawComma: boolean;
  offset: number;
}

function finishList(state: ListState, endOffset: number): AtParam[] {
  if (state.current !== undefined) state.items.push(state.current);
  else if (state.sawComma) state.items.push({ kind: 'bare', value: '', offset: endOffset });
  return state.items;
}

/**
 * Parses parameter text into values. Empty parameters become `bare ''`; an
 * empty text gives `[]`. Throws HfpError on malformed text.
 */
export function parseParameters(text: string, options: TokenizeOptions = {}): AtParam[] {
  const lenient = options.lenient === true;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const tokens = tokenizeParameters(text, options);
  const stack: ListState[] = [{ items: [], current: undefined, sawComma: false, offset: options.start ?? 0 }];

  const top = (): ListState => {
    const state = stack[stack.length - 1];
    if (!state) throw new HfpError(HfpErrorCode.BadSyntax, 'parameter parser lost its state');
    return state;
  };
  const place = (state: ListState, param: AtParam, offset: number): void => {
    if (state.current !== undefined) {
      if (!lenient) throw hfpErrorAt(HfpErrorCode.BadSyntax, "missing ',' between values", text, offset);
      state.items.push(state.current);
    }
    state.current = param;
  };

  for (const token of tokens) {
    const state = top();
    switch (token.type) {
      case 'comma':
        state.items.push(state.current ?? { kind: 'bare', value: '', offset: token.offset });
        state.current = undefined;
        state.sawComma = true;
        break;
      case 'open':
        if (stack.length > maxDepth) {
          throw hfpErrorAt(HfpErrorCode.TooDeep, `lists nest deeper than ${maxDepth}`, text, token.offset);
        }
        if (state.current !== undefined) {
          if (!lenient) throw hfpErrorAt(HfpErrorCode.BadSyntax, "missing ',' before '('", text, token.offset);
          state.items.push(state.current);
          state.current = undefined;
        }
        stack.push({ items: [], current: undefined, sawComma: false, offset: token.offset });
        break;
      case 'close': {
        if (stack.length === 1) throw hfpErrorAt(HfpErrorCode.BadSyntax, "')' without '('", text, token.offset);
        stack.pop();
        const items = finishList(state, token.offset);
        place(top(), { kind: 'list', items, offset: state.offset }, state.offset);
        break;
      }
      default:
        place(state, valueParam(token), token.offset);
    }
  }
  if (stack.length > 1) throw hfpErrorAt(HfpErrorCode.BadSyntax, "'(' is never closed", text, top().offset);
  return finishList(top(), text.length);
}

function checkQuotable(value: string): void {
  if (/["\r\n]/.test(value)) {
    throw new HfpError(HfpErrorCode.Unencodable, `string ${JSON.stringify(value)} holds a quote or line break`);
  }
}

function checkBare(value: string): void {
  if (/[",()\r\n]/.test(value) || value !== value.trim()) {
    throw new HfpError(HfpErrorCode.Unencodable, `bare value ${JSON.stringify(value)} cannot be written unquoted`);
  }
}

function formatParam(param: AtParam): string {
  switch (param.kind) {
    case 'string':
      checkQuotable(param.value);
      return `"${param.value}"`;
    case 'bare':
      checkBare(param.value);
      return param.value;
    case 'range':
      return `${param.min}-${param.max}`;
    case 'list':
      return `(${formatParameters(param.items)})`;
  }
}

/** Writes values back as parameter text (no spaces). Throws HfpError `hfp.unencodable` for values AT cannot carry. */
export function formatParameters(params: readonly AtParam[]): string {
  return params.map(formatParam).join(',');
}
