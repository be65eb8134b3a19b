/**
 * Shared set-up for renderer component tests: installs a fake bridge as `window.unibus`, cleans
 * the DOM and resets every store after each test. Importing this module registers the hooks.
 */
import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import { resetAllStores } from '../store/resetStores';
import { createFakeBridge, type FakeBridge, type FakeHandlers } from './fakeBridge';

// jsdom's Blob has no arrayBuffer()/text(); browsers and Electron do. Fill them in via FileReader.
function readWith<T>(read: (reader: FileReader) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as T);
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    read(reader);
  });
}
if (typeof Blob.prototype.arrayBuffer !== 'function') {
  Blob.prototype.arrayBuffer = function arrayBuffer(this: Blob) {
    return readWith<ArrayBuffer>((reader) => reader.readAsArrayBuffer(this));
  };
}
if (typeof Blob.prototype.text !== 'function') {
  Blob.prototype.text = function text(this: Blob) {
    return readWith<string>((reader) => reader.readAsText(this));
  };
}

afterEach(() => {
  cleanup();
  resetAllStores();
  delete (window as { unibus?: unknown }).unibus;
});

/** Installs a fake bridge as the preload would (`window.unibus`). */
export function installFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const fake = createFakeBridge(handlers);
  Object.defineProperty(window, 'unibus', {
    value: fake.bridge,
    configurable: true,
    writable: true,
  });
  return fake;
}

export function renderWith(ui: ReactElement, handlers: FakeHandlers = {}) {
  const fake = installFakeBridge(handlers);
  return { fake, ...render(ui) };
}
