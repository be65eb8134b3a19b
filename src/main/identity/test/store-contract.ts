/**
 * One key-store contract, run against every backend (reliability-anchors K1): absent reads as
 * null; put/get round-trips; a second put replaces (rotation); another account neither reads
 * nor deletes it; a fresh store instance (restart) reads it; concurrent puts on one store
 * apply in call order; delete removes it, twice is fine.
 */
import { expect } from 'vitest';
import { randomBytes } from '../../crypto';
import type { KeyStore } from '../types';

export async function checkKeyStoreContract(
  open: () => Promise<KeyStore>,
  account = `identity/contract-${Buffer.from(randomBytes(4)).toString('hex')}`,
): Promise<void> {
  const store = await open();
  expect(await store.get(account)).toBeNull();

  const first = randomBytes(65);
  await store.put(account, first);
  expect(await store.get(account)).toEqual(first);

  const rotated = randomBytes(65);
  await store.put(account, rotated);
  expect(await store.get(account)).toEqual(rotated);

  expect(await store.get(`${account}-other`)).toBeNull();
  await store.delete(`${account}-other`);
  expect(await store.get(account)).toEqual(rotated);

  const restarted = await open();
  expect(restarted.protection).toBe(store.protection);
  expect(await restarted.get(account)).toEqual(rotated);

  const concurrent = [randomBytes(65), randomBytes(65), randomBytes(65)];
  await Promise.all(concurrent.map((value) => restarted.put(account, value)));
  expect(await restarted.get(account)).toEqual(concurrent[2]);

  await restarted.delete(account);
  expect(await store.get(account)).toBeNull();
  await store.delete(account);
  expect(await store.get(account)).toBeNull();
}
