/**
 * A typed view of one JetStream KV bucket: JSON values checked by a validator on every read,
 * every operation bounded by a deadline, and nats errors mapped to the store's typed errors.
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
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      throw new StoreCorruptError(`${this.bucket}: value for a key is not JSON`);
    }
    if (!this.isValid(value))
      throw new StoreCorruptError(`${this.bucket}: value failed validation`);
    return { value, revision: entry.revision };
  }

  /** Writes only if the key is absent (or deleted); StoreConflictError otherwise. */
  async create(key: string, value: T): Promise<number> {
    return this.run('create', () => this.kv.create(key, JSON.stringify(value)));
  }

  async put(key: string, value: T): Promise<number> {
    return this.run('put', () => this.kv.put(key, JSON.stringify(value)));
  }

  /** Compare-and-set on the revision read earlier; StoreConflictError when it moved. */
  async update(key: string, value: T, revision: number): Promise<number> {
    return this.run('update', () => this.kv.update(key, JSON.stringify(value), revision));
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
