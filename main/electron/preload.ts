/**
 * The preload: runs sandboxed, before the UI, and exposes exactly one object,
 * `window.airlock`, a DesktopBridge (Podman Desktop's rule: the whole preload surface is
 * one named interface): the AirlockBridge plus `download` for history exports and
 * `openSignIn` for a server's sign-in page. Nothing of
 * ipcRenderer leaks: the UI can invoke the call channel with `{ method, input }`, ask for an
 * export and receive events, and the main process checks every request.
 * Bundled to CommonJS with `electron` as its only require (sandboxed preloads cannot load
 * other modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { AirlockEvent, MethodInput, MethodName, MethodOutput } from '../../shared/api/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, EXPORT_CHANNEL, SIGN_IN_CHANNEL, type DesktopBridge, type IpcCall, type IpcResult } from './ipc-channels.ts';

const listeners = new Set<(event: AirlockEvent) => void>();

ipcRenderer.on(EVENT_CHANNEL, (_event, payload: AirlockEvent) => {
  for (const listener of listeners) {
    try {
      listener(payload);
    } catch (err) {
      console.error('an Airlock event listener failed', err);
    }
  }
});

/**
 * Failures reach the UI as a plain object, not an Error: contextBridge keeps only an
 * Error's message, and callers need the code and the located problems (the HTTP API's
 * error body, as is, with `name` and `message` like an Error).
 */
function unwrap(result: IpcResult): unknown {
  if (result.ok) return result.value;
  throw { name: 'ApiError', ...result.error };
}

const bridge: DesktopBridge = {
  async call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>> {
    const request: IpcCall = { method, input };
    return unwrap((await ipcRenderer.invoke(CALL_CHANNEL, request)) as IpcResult) as MethodOutput<M>;
  },
  async download(format: 'jsonl' | 'csv', filter?: Record<string, string>): Promise<void> {
    unwrap((await ipcRenderer.invoke(EXPORT_CHANNEL, { format, ...(filter && { filter }) })) as IpcResult);
  },
  async openSignIn(server: string): Promise<{ authorizationUrl: string }> {
    return unwrap((await ipcRenderer.invoke(SIGN_IN_CHANNEL, { server })) as IpcResult) as { authorizationUrl: string };
  },
  subscribe(listener: (event: AirlockEvent) => void): () => void {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('airlock', bridge);
