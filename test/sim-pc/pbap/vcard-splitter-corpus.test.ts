/**
 * The splitter against real vCard files (AOSP's vCard test data and
 * ical.js's), read from ../shared/corpora: cutting each file into cards
 * chunk by chunk and parsing every card alone gives the cards a parse of
 * the whole file gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseVcards } from '../../../src/protocol/vcard/parser';
import { isVcardError } from '../../../src/protocol/vcard/errors';
import type { Vcard } from '../../../src/protocol/vcard/model';
import { VcardSplitter } from '../../../src/sim-pc/pbap/vcard-splitter';

const CORPORA = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpora');

function vcfFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...vcfFiles(full));
    else if (name.toLowerCase().endsWith('.vcf')) out.push(full);
  }
  return out.sort();
}

function splitAndParse(bytes: Uint8Array, chunk: number): Vcard[] {
  const splitter = new VcardSplitter();
  const cards: Vcard[] = [];
  const take = (items: ReturnType<VcardSplitter['push']>): void => {
    for (const item of items) if (item.kind === 'card') cards.push(...parseVcards(item.bytes));
  };
  for (let at = 0; at < bytes.length; at += chunk) take(splitter.push(bytes.subarray(at, at + chunk)));
  take(splitter.end());
  return cards;
}

test('corpus: chunked splitting then per-card parsing equals parsing the whole file', (t) => {
  const dirs = ['aosp-vcard', 'icaljs-vcard'].map((d) => path.join(CORPORA, d)).filter((d) => existsSync(d));
  if (dirs.length === 0) {
    t.skip('vCard corpora not present under ../shared/corpora');
    return;
  }
  let compared = 0;
  for (const file of dirs.flatMap(vcfFiles)) {
    const bytes = readFileSync(file);
    let whole: Vcard[];
    try {
      whole = parseVcards(bytes);
    } catch (err) {
      if (isVcardError(err)) continue; // files the parser itself rejects say nothing about the splitter
      throw err;
    }
    if (whole.some((card) => card.nested.length > 0 && card.first('AGENT') === undefined)) {
      // A BEGIN:VCARD inside a card without AGENT: the splitter reads it as the start of the next
      // entry (PBAP bodies are flat), so the open one is reported and the inner ones kept.
      const cards = splitAndParse(bytes, 3);
      assert.ok(cards.length >= 1, path.relative(CORPORA, file));
      continue;
    }
    for (const chunk of [1, 7, 64, bytes.length || 1]) {
      assert.deepEqual(splitAndParse(bytes, chunk), whole, `${path.relative(CORPORA, file)} in chunks of ${chunk}`);
    }
    compared++;
  }
  assert.ok(compared >= 20, `only ${compared} corpus files compared`);
});
