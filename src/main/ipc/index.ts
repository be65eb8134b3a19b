/** @module ipc — the one wrapper that runs contract calls for every host (Electron, web shell). */
export {
  createDispatcher,
  type IpcDispatch,
  type IpcEventSink,
  type IpcHandlers,
} from './dispatcher';
