/**
 * Small helpers for validating parsed JSON field by field. Each check takes
 * the value, its dotted path, and a `fail(field, problem)` callback that
 * throws the caller's own typed error, so profile and script loaders report
 * the exact bad field without sharing an error type.
 */
export type Fail = (field: string, problem: string) => never;

export type JsonObject = Record<string, unknown>;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${typeof value === 'object' ? '' : String(value)}`.trim();
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkObject(value: unknown, field: string, fail: Fail): JsonObject {
  if (!isObject(value)) fail(field, `must be an object, got ${describe(value)}`);
  return value;
}

/** Rejects keys outside `allowed`, naming the first stray one. */
export function checkKeys(obj: JsonObject, allowed: readonly string[], field: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(join(field, key), `is not a known field (expected one of: ${allowed.join(', ')})`);
  }
}

export function checkString(value: unknown, field: string, fail: Fail, opts: { nonEmpty?: boolean; pattern?: RegExp } = {}): string {
  if (typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`);
  if (opts.nonEmpty && value.length === 0) fail(field, 'must not be empty');
  if (opts.pattern && !opts.pattern.test(value)) fail(field, `must match ${opts.pattern}, got ${JSON.stringify(value)}`);
  return value;
}

export function checkBoolean(value: unknown, field: string, fail: Fail): boolean {
  if (typeof value !== 'boolean') fail(field, `must be true or false, got ${describe(value)}`);
  return value;
}

export function checkNumber(
  value: unknown,
  field: string,
  fail: Fail,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number, got ${describe(value)}`);
  if (opts.integer && !Number.isInteger(value)) fail(field, `must be an integer, got ${value}`);
  if (opts.min !== undefined && value < opts.min) fail(field, `must be at least ${opts.min}, got ${value}`);
  if (opts.max !== undefined && value > opts.max) fail(field, `must be at most ${opts.max}, got ${value}`);
  return value;
}

export function checkOneOf<T extends string>(value: unknown, choices: readonly T[], field: string, fail: Fail): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(field, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

export function checkArray(value: unknown, field: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(field, `must be an array, got ${describe(value)}`);
  return value;
}

/** `obj[key]` as a required field. */
export function required(obj: JsonObject, key: string, field: string, fail: Fail): unknown {
  if (!(key in obj) || obj[key] === undefined) fail(join(field, key), 'is required');
  return obj[key];
}

export function join(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
