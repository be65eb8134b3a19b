import type { UnibusBridge } from '../../shared/ipc/bridge';

declare global {
  interface Window {
    /** Defined by the preload in Electron, by the web shell's loopback bridge in a browser. */
    readonly unibus?: UnibusBridge;
  }
}
