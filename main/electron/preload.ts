/**
 * The preload: runs sandboxed, before the UI, and exposes exactly one object,
 * `window.airlock`, an AirlockBridge (Podman Desktop's rule: the whole preload surface is
 * one named interface). Nothing of ipcRenderer leaks: the UI can invoke one channel with
 * `{ method, input }` and receive events, and the main process checks both ends.
 * Bundled to CommonJS with `electron` as its only require (sandboxed preloads cannot load
 * other modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { AirlockBridge, AirlockEvent, MethodInput, MethodName, MethodOutput } from '../../shared/api/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, type IpcCall, type IpcResult } from './ipc-channels.ts';

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

const bridge: AirlockBridge = {
  async call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>> {
    const request: IpcCall = { method, input };
    const result = (await ipcRenderer.invoke(CALL_CHANNEL, request)) as IpcResult;
    if (result.ok) return result.value as MethodOutput<M>;
    // A plain object, not an Error: contextBridge would keep only an Error's message, and
    // callers need the code and the located problems (the HTTP API's error body, as is).
    throw { name: 'ApiError', ...result.error };
  },
  subscribe(listener: (event: AirlockEvent) => void): () => void {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('airlock', bridge);
