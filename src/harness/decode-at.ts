/**
 * Turns AT text a user pastes (HF commands or AG results, several lines,
 * with or without CR/LF) into typed JSON, one entry per line. Splitting and
 * decoding are the HFP codec's own; `\r` and `\n` may be typed as escapes.
 */
import { CommandLineSplitter, ResultLineSplitter, decodeCommand, decodeResult } from '../protocol/hfp';

export type AtDirection = 'auto' | 'hf' | 'ag';

/** Expands the escapes people type on a command line: \r \n \t \\ . */
export function unescapeAt(text: string): string {
  return text.replace(/\\([rnt\\])/g, (_m, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function describeAt(text: string, direction: AtDirection = 'auto'): Record<string, unknown>[] {
  const input = new TextEncoder().encode(unescapeAt(text).replace(/\r?$/, '\r'));
  const commandSplitter = new CommandLineSplitter();
  const resultSplitter = new ResultLineSplitter();
  const out: Record<string, unknown>[] = [];
  const isCommand = (line: string) => direction === 'hf' || (direction === 'auto' && /^\s*AT/i.test(line));
  // Lines are found once (results framing is the more forgiving), then each is read as what it is.
  for (const event of resultSplitter.push(input)) {
    if (event.kind === 'error') {
      out.push({ error: event.error.message, code: event.error.code });
      continue;
    }
    const line = event.text;
    try {
      if (isCommand(line)) {
        for (const e of commandSplitter.push(new TextEncoder().encode(`${line}\r`))) {
          if (e.kind === 'error') out.push({ line, error: e.error.message, code: e.error.code });
          else out.push({ line, direction: 'HF->AG', ...decodeCommand(e.text) });
        }
      } else {
        out.push({ line, direction: 'AG->HF', ...decodeResult(line) });
      }
    } catch (err) {
      out.push({ line, error: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
    }
  }
  return out;
}
