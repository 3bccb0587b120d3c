/**
 * The HFP fast-check arbitraries and byte helpers for the codec tests; they
 * live in src/harness/fuzz/hfp-arbitraries.ts so the `calls` fuzz campaign
 * can use them too.
 */
export * from '../../../src/harness/fuzz/hfp-arbitraries';
