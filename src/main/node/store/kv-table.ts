/**
 * A typed view of one JetStream KV bucket: JSON values checked by a validator on every read,
 * every operation bounded by a deadline, and nats errors mapped to the store's typed errors.
 *
 * Every value is written with the store's format version, `{"v":2,…}` (STORE_FORMAT); a value
 * without `v` is format 1 (written before auth callout) and reads the same. The version never
 * leaves the store: readers get the record without it. store/migrate.ts rewrites format 1.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV } from '@nats-io/kv';
import { StoreConflictError, StoreCorruptError, StoreUnavailableError } from './errors';

export type Validator<T> = (value: unknown) => value is T;

export interface Versioned<T> {
  readonly value: T;
  readonly revision: number;
}

/** The format every record is written in (1: no `v` field, before auth callout). */
export const STORE_FORMAT = 2;

/** A stored value: its format and the record without the version field. */
export function decodeStored(text: string): { format: number; record: unknown } {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { format: 1, record: value };
  }
  const { v, ...record } = value as Record<string, unknown>;
  if (v === undefined) return { format: 1, record: value };
  if (v !== STORE_FORMAT) throw new StoreCorruptError(`record format ${String(v)} is not known`);
  return { format: STORE_FORMAT, record };
}

export function encodeStored(value: unknown): string {
  return JSON.stringify({ v: STORE_FORMAT, ...(value as Record<string, unknown>) });
}

export class KvTable<T> {
  /** Creates the bucket if absent (idempotent) and opens it as a typed table. */
  static async open<T>(
    nc: NatsConnection,
    bucket: string,
    isValid: Validator<T>,
    options: { readonly replicas: 1 | 3; readonly timeoutMs: number },
  ): Promise<KvTable<T>> {
    const kv = await new Kvm(nc).create(bucket, { replicas: options.replicas, history: 1 });
    return new KvTable(kv, bucket, isValid, options.timeoutMs);
  }

  constructor(
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly isValid: Validator<T>,
    private readonly timeoutMs: number,
  ) {}

  async get(key: string): Promise<Versioned<T> | null> {
    const entry = await this.run('get', () => this.kv.get(key));
    if (entry === null || entry.operation !== 'PUT') return null;
    const { value } = this.decode(entry.string());
    return { value, revision: entry.revision };
  }

  /** The record in `text` and its format; StoreCorruptError when it is not a valid record. */
  decode(text: string): { value: T; format: number } {
    let decoded: { format: number; record: unknown };
    try {
      decoded = decodeStored(text);
    } catch (error) {
      if (error instanceof StoreCorruptError) throw error;
      throw new StoreCorruptError(`${this.bucket}: value for a key is not JSON`);
    }
    if (!this.isValid(decoded.record))
      throw new StoreCorruptError(`${this.bucket}: value failed validation`);
    return { value: decoded.record, format: decoded.format };
  }

  /** Raw read for the migration: the record, its format and revision. */
  async getWithFormat(key: string): Promise<(Versioned<T> & { format: number }) | null> {
    const entry = await this.run('get', () => this.kv.get(key));
    if (entry === null || entry.operation !== 'PUT') return null;
    const { value, format } = this.decode(entry.string());
    return { value, format, revision: entry.revision };
  }

  get name(): string {
    return this.bucket;
  }

  /** Writes only if the key is absent (or deleted); StoreConflictError otherwise. */
  async create(key: string, value: T): Promise<number> {
    return this.run('create', () => this.kv.create(key, encodeStored(value)));
  }

  async put(key: string, value: T): Promise<number> {
    return this.run('put', () => this.kv.put(key, encodeStored(value)));
  }

  /** Compare-and-set on the revision read earlier; StoreConflictError when it moved. */
  async update(key: string, value: T, revision: number): Promise<number> {
    return this.run('update', () => this.kv.update(key, encodeStored(value), revision));
  }

  async delete(key: string): Promise<void> {
    await this.run('delete', () => this.kv.delete(key));
  }

  /** Keys matching a subject-style filter (`room.>`), collected within the deadline. */
  async keys(filter: string): Promise<string[]> {
    return this.run('keys', async () => {
      const keys: string[] = [];
      for await (const key of await this.kv.keys(filter)) keys.push(key);
      return keys;
    });
  }

  private async run<R>(operation: string, task: () => Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`${this.bucket}.${operation}: timed out`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([task(), deadline]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      if (isWrongLastSequence(error)) {
        throw new StoreConflictError(`${this.bucket}.${operation}: revision conflict`);
      }
      throw new StoreUnavailableError(`${this.bucket}.${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
