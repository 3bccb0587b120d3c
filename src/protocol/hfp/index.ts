/**
 * The HFP AT codec: constants, errors, the parameter tokenizer, HF -> AG
 * commands, AG -> HF results, streaming line splitters for both directions,
 * and the name-based indicator map.
 */
export * from './constants';
export * from './errors';
export * from './tokenizer';
export {
  ParamReader,
  type ParamContext,
  writeBare,
  writeFields,
  writeFlag,
  writeNumber,
  writeQuoted,
} from './params';
export * from './commands';
export * from './results';
export * from './splitter';
export * from './indicators';
