/**
 * Runtime parsers for untrusted IPC arguments. Each parser returns a fresh, typed value or throws
 * `ValidationError` naming the offending path. Objects must be plain, with exactly the declared
 * keys (extra keys are refused, so a renderer cannot smuggle fields a handler might spread).
 */
import { ValidationError } from '../errors';

export type Parser<T> = (value: unknown, path: string) => T;

/** Marks an object field that may be absent (or `undefined`). */
export interface OptionalParser<T> {
  readonly optional: Parser<T>;
}

type Field = Parser<unknown> | OptionalParser<unknown>;
type Shape = Readonly<Record<string, Field>>;

type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalParser<unknown> ? never : K;
}[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type FieldType<F> = F extends OptionalParser<infer T> ? T : F extends Parser<infer T> ? T : never;

export type Parsed<S extends Shape> = { [K in RequiredKeys<S>]: FieldType<S[K]> } & {
  [K in OptionalKeys<S>]?: FieldType<S[K]>;
};

function fail(path: string, expected: string): never {
  throw new ValidationError(`${path}: expected ${expected}`);
}

export function text(options: { min?: number; max: number; pattern?: RegExp }): Parser<string> {
  const min = options.min ?? 0;
  return (value, path) => {
    if (typeof value !== 'string') fail(path, 'a string');
    if (value.length < min || value.length > options.max)
      fail(path, `${min}–${options.max} characters`);
    if (options.pattern !== undefined && !options.pattern.test(value))
      fail(path, 'a value in the expected format');
    return value;
  };
}

export function integer(min: number, max: number): Parser<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
      fail(path, `a whole number from ${min} to ${max}`);
    return value;
  };
}

export const boolean: Parser<boolean> = (value, path) => {
  if (typeof value !== 'boolean') fail(path, 'true or false');
  return value;
};

export function oneOf<const T extends string>(...values: readonly T[]): Parser<T> {
  return (value, path) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value))
      fail(path, `one of ${values.join(', ')}`);
    return value as T;
  };
}

/** Bytes: a real Uint8Array (structured clone in Electron, decoded by the web-shell codec). */
export function bytes(maxLength: number): Parser<Uint8Array> {
  return (value, path) => {
    if (!(value instanceof Uint8Array)) fail(path, 'bytes');
    if (value.byteLength > maxLength) fail(path, `at most ${maxLength} bytes`);
    return new Uint8Array(value); // a copy: the caller's buffer may change under us
  };
}

export function optional<T>(parser: Parser<T>): OptionalParser<T> {
  return { optional: parser };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function object<S extends Shape>(shape: S): Parser<Parsed<S>> {
  return (value, path) => {
    if (!isPlainObject(value)) fail(path, 'an object');
    for (const key of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key))
        fail(`${path}.${key}`, 'no such field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const raw = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
      if (typeof field === 'function') {
        out[key] = field(raw, `${path}.${key}`);
      } else if (raw !== undefined) {
        out[key] = field.optional(raw, `${path}.${key}`);
      }
    }
    return out as Parsed<S>;
  };
}

/** Argument list parser for calls that take exactly one object. */
export function oneArgument<T>(parser: Parser<T>): (raw: readonly unknown[]) => [T] {
  return (raw) => {
    if (raw.length !== 1) throw new ValidationError(`expected 1 argument, got ${raw.length}`);
    return [parser(raw[0], 'argument')];
  };
}

// Shared field formats.
/** Room, message, transfer, invite ids and endpoints: base64url / hex style tokens. */
export const id = text({ min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/ });
export const handle = text({ min: 1, max: 64 });
export const port = integer(0, 65_535);
