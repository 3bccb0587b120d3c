/**
 * The vCard codec (2.1, 3.0, 4.0 in; 2.1 and 3.0 out) used by PBAP: the
 * typed model, the parser, the writer, and PBAP's PropertySelector filter.
 */
export * from './errors';
export * from './model';
export { parseVcards, parseVcard, DEFAULT_VCARD_LIMITS, type VcardLimits, type VcardParseOptions } from './parser';
export { writeVcard, writeVcards, type VcardWriteVersion } from './writer';
export * from './filter';
