/**
 * Redacts one cell's cucumber outputs in place: streams `messages.ndjson`
 * envelope by envelope through the EnvelopeRedactor, writes the redacted
 * stream, and regenerates `cucumber.html` and `junit.xml` from it with the
 * formatters cucumber itself uses (@cucumber/html-formatter,
 * @cucumber/junit-xml-formatter). Each file is written to a temporary file
 * and renamed over the original, so a crash leaves each file either raw or
 * redacted, never half written.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import { JUnitXmlPrinter } from '@cucumber/junit-xml-formatter';
import type { Envelope } from '@cucumber/messages';
import { ReportError } from './errors';
import { MASK } from './redact';
import { EnvelopeRedactor } from './redact-envelope';
import { CUCUMBER_FILES } from './write';

/** Longest message line read, in bytes (a large attachment is one line). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface CucumberFiles {
  messages: string;
  junit: string;
  html: string;
}

export interface RewriteResult {
  /** Envelopes read and written. */
  envelopes: number;
  /** True when the stream ended in a partial line (a crashed run); it is replaced by a mask, with no newline. */
  truncated: boolean;
}

/** Turns one parsed envelope into the one to write (in place is fine). */
export type EnvelopeTransform = (envelope: Envelope) => Envelope;

interface Line {
  text: string;
  /** 1-based. */
  number: number;
  /** False for a last line with no newline after it. */
  complete: boolean;
}

/** The lines of a file, read in chunks; a line longer than `maxBytes` is a ReportError. */
async function* readLines(file: string, maxBytes: number): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      pending.push(chunk.subarray(from, nl));
      pendingBytes += nl - from;
      if (pendingBytes > maxBytes) throw new ReportError('report.line-too-long', `${file} line ${number + 1} is longer than ${maxBytes} bytes`, true);
      yield { text: Buffer.concat(pending).toString('utf8'), number: ++number, complete: true };
      pending = [];
      pendingBytes = 0;
      from = nl + 1;
    }
    pending.push(chunk.subarray(from));
    pendingBytes += chunk.length - from;
    if (pendingBytes > maxBytes) throw new ReportError('report.line-too-long', `${file} line ${number + 1} is longer than ${maxBytes} bytes`, true);
  }
  if (pendingBytes > 0) yield { text: Buffer.concat(pending).toString('utf8'), number: number + 1, complete: false };
}

function parseEnvelope(line: Line, file: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (err) {
    if (!line.complete) return undefined;
    throw new ReportError('report.bad-ndjson', `${file} line ${line.number} is not JSON: ${(err as Error).message}`, true);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReportError('report.bad-ndjson', `${file} line ${line.number} is not a message object`, true);
  }
  return value as Envelope;
}

async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await finished(stream);
  if (!stream.closed) await once(stream, 'close');
}

/**
 * Reads `files.messages` in `dir`, passes each envelope through `transform`,
 * and replaces the three files with the transformed stream and the HTML and
 * JUnit reports built from it. With an identity transform the HTML and JUnit
 * come out as cucumber wrote them (a cut-off last line is masked either way).
 */
export async function rewriteCucumberOutputs(dir: string, transform: EnvelopeTransform, files: CucumberFiles = CUCUMBER_FILES): Promise<RewriteResult> {
  const target = (name: string): string => path.join(dir, name);
  const temp = (name: string): string => path.join(dir, `.${name}.${process.pid}.tmp`);
  const names = [files.messages, files.html, files.junit];
  const source = target(files.messages);
  if (!existsSync(source)) throw new ReportError('report.missing', `no cucumber message stream at ${source}`, true);
  const ndjson = createWriteStream(temp(files.messages));
  let ndjsonError: Error | undefined;
  ndjson.on('error', (err) => {
    ndjsonError ??= err;
  });
  let junit = '';
  const printer = new JUnitXmlPrinter({}, (content) => {
    junit += content;
  });
  const result: RewriteResult = { envelopes: 0, truncated: false };

  async function* envelopes(): AsyncGenerator<Envelope> {
    for await (const line of readLines(source, MAX_LINE_BYTES)) {
      if (line.text.trim() === '') continue;
      const parsed = parseEnvelope(line, source);
      if (parsed === undefined) {
        // A cut-off last line cannot be parsed (nor its quotes told apart), so it
        // is replaced by a mask; still a last line with no newline, it still marks the cut.
        result.truncated = true;
        await writeChunk(ndjson, MASK);
        continue;
      }
      const envelope = transform(parsed);
      await writeChunk(ndjson, `${JSON.stringify(envelope)}\n`);
      printer.update(envelope);
      result.envelopes++;
      yield envelope;
    }
  }

  try {
    await pipeline(Readable.from(envelopes()), new CucumberHtmlStream(), createWriteStream(temp(files.html)));
    await closeStream(ndjson);
    if (ndjsonError !== undefined) throw ndjsonError;
    await writeFile(temp(files.junit), junit);
  } catch (err) {
    ndjson.destroy();
    for (const name of names) rmSync(temp(name), { force: true });
    if (err instanceof ReportError) throw err;
    throw new ReportError('report.redact-cucumber', `could not rewrite the cucumber files in ${dir}: ${(err as Error).message}`);
  }
  // The message stream last: it is the source the other two are rebuilt from.
  for (const name of [files.html, files.junit, files.messages]) renameSync(temp(name), target(name));
  return result;
}

/** Redacts the cucumber files of one cell (see EnvelopeRedactor for what is masked). */
export async function redactCucumberOutputs(dir: string, files: CucumberFiles = CUCUMBER_FILES): Promise<RewriteResult> {
  const redactor = new EnvelopeRedactor();
  return rewriteCucumberOutputs(dir, (envelope) => redactor.redact(envelope), files);
}
