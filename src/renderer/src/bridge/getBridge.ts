/**
 * The one place that finds the bridge: the preload's `window.unibus` under Electron, otherwise the
 * web shell's WebSocket. The web shell opens the page as `/#token=…`; the token is read once,
 * kept for this tab only (sessionStorage, so a reload still works) and removed from the address
 * bar so it does not linger in history or get copied along with the URL. It is sent as a
 * WebSocket subprotocol, never in the socket's URL, which Chromium prints to the console on
 * every failed reconnect (issue 12, attack 7).
 */
import type { UnibusBridge } from '../../../shared/ipc/bridge';
import { WIRE_PATH, WIRE_TOKEN_PARAM, bridgeProtocols } from '../../../shared/ipc/wire';
import { setLinkStatus, setTokenMissing } from './linkStatus';
import { createWebSocketBridge, type WebSocketBridge } from './websocketBridge';

const TOKEN_STORAGE_KEY = 'unibus.bridgeToken';

let webBridge: WebSocketBridge | null = null;

/** Reads `#token=…` from the address bar (then removes it), falling back to this tab's copy. */
export function takeBridgeToken(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  const fromHash = new URLSearchParams(hash).get(WIRE_TOKEN_PARAM);
  if (fromHash !== null && fromHash !== '') {
    try {
      window.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage may be disabled; the token still works for this page load.
    }
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, '', pathname + search);
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The bridge's address: no secret in it. */
export function bridgeUrl(host: string): string {
  return `ws://${host}${WIRE_PATH}`;
}

export function getBridge(): UnibusBridge {
  if (window.unibus !== undefined) return window.unibus;
  if (webBridge === null) {
    setLinkStatus('connecting');
    const token = takeBridgeToken();
    setTokenMissing(token === null);
    webBridge = createWebSocketBridge({
      url: bridgeUrl(window.location.host),
      protocols: token === null ? [] : bridgeProtocols(token),
      onStatus: setLinkStatus,
    });
  }
  return webBridge;
}

/** Tests: forget the WebSocket bridge so the next `getBridge()` builds a new one. */
export function resetWebBridgeForTests(): void {
  webBridge?.close();
  webBridge = null;
}
