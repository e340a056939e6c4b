/**
 * The preload as it ships: the built bundle requires nothing but `electron` (a sandboxed
 * preload cannot load anything else) and exposes exactly one thing, `window.airlock`, with
 * `call`, `subscribe`, `download` (a history export through the main process's save
 * dialog) and `openSignIn` (a server's sign-in page in the system browser) and no way to reach ipcRenderer. It runs here in a VM with a fake `electron`
 * module, since the real one needs the Electron binary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../../scripts/build-electron.ts';
import type { AirlockBridge, AirlockEvent } from '../../shared/api/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL, EXPORT_CHANNEL, SIGN_IN_CHANNEL, type DesktopBridge } from '../../main/electron/ipc-channels.ts';
import { tempHome } from '../helpers/harness.ts';

interface FakeElectron {
  exposed: Array<[string, unknown]>;
  invoked: Array<[string, unknown]>;
  listeners: Map<string, (event: unknown, payload: unknown) => void>;
  reply: unknown;
}

function loadPreload(code: string): { fake: FakeElectron; required: string[] } {
  const fake: FakeElectron = { exposed: [], invoked: [], listeners: new Map(), reply: { ok: true, value: null } };
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.push([key, api]) },
    ipcRenderer: {
      invoke: async (channel: string, payload: unknown) => {
        fake.invoked.push([channel, payload]);
        return fake.reply;
      },
      on: (channel: string, listener: (event: unknown, payload: unknown) => void) => fake.listeners.set(channel, listener),
    },
  };
  const module = { exports: {} };
  runInNewContext(code, {
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`the preload required ${name}`);
      return electron;
    },
    module,
    exports: module.exports,
    console,
  });
  return { fake, required };
}

describe('preload bundle', () => {
  const out = tempHome('airlock-electron-build-');
  let code: string;

  beforeAll(async () => {
    await buildElectron({ outDir: out.dir });
    code = readFileSync(join(out.dir, 'preload.cjs'), 'utf8');
  });
  afterAll(() => out.cleanup());

  it('has no require other than electron', () => {
    const requires = [...code.matchAll(/\brequire\s*\(([^)]*)\)/g)].map((m) => m[1]!.trim());
    expect(requires.length).toBeGreaterThan(0);
    expect(new Set(requires)).toEqual(new Set(['"electron"']));
    expect(loadPreload(code).required).toEqual(['electron']);
  });

  it('exposes exactly window.airlock (call, subscribe, download, openSignIn), and nothing of ipcRenderer', () => {
    const { fake } = loadPreload(code);
    expect(fake.exposed.map(([key]) => key)).toEqual(['airlock']);
    const api = fake.exposed[0]![1] as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'download', 'openSignIn', 'subscribe']);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect([...fake.listeners.keys()]).toEqual([EVENT_CHANNEL]);
  });

  it('sends { method, input } on the one call channel and returns the value', async () => {
    const { fake } = loadPreload(code);
    const api = fake.exposed[0]![1] as AirlockBridge;
    fake.reply = { ok: true, value: { paused: true } };
    await expect(api.call('approvals.pause', { paused: true })).resolves.toEqual({ paused: true });
    expect(fake.invoked).toEqual([[CALL_CHANNEL, { method: 'approvals.pause', input: { paused: true } }]]);
  });

  it('rejects with the API error as data, problems included', async () => {
    const { fake } = loadPreload(code);
    const api = fake.exposed[0]![1] as AirlockBridge;
    const problems = [{ path: '/default', message: 'Invalid option' }];
    fake.reply = { ok: false, error: { error: 'invalid_policy', message: 'policy.json is invalid', problems } };
    await expect(api.call('policy.put', { text: '{}' })).rejects.toEqual({ name: 'ApiError', error: 'invalid_policy', message: 'policy.json is invalid', problems });
  });

  it('asks the main process to save an export on the export channel', async () => {
    const { fake } = loadPreload(code);
    const api = fake.exposed[0]![1] as DesktopBridge;
    fake.reply = { ok: true, value: { saved: true } };
    await api.download('csv', { tool: 'text_to_image' });
    expect(fake.invoked).toEqual([[EXPORT_CHANNEL, { format: 'csv', filter: { tool: 'text_to_image' } }]]);
  });

  it('asks the main process to open the sign-in page of a server on the sign-in channel, and returns the page', async () => {
    const { fake } = loadPreload(code);
    const api = fake.exposed[0]![1] as DesktopBridge;
    fake.reply = { ok: true, value: { authorizationUrl: 'https://auth.example.com/authorize?x=1' } };
    await expect(api.openSignIn('notion')).resolves.toEqual({ authorizationUrl: 'https://auth.example.com/authorize?x=1' });
    expect(fake.invoked).toEqual([[SIGN_IN_CHANNEL, { server: 'notion' }]]);
    fake.reply = { ok: false, error: { error: 'not_found', message: 'notion does not use sign-in' } };
    await expect(api.openSignIn('notion')).rejects.toEqual({ name: 'ApiError', error: 'not_found', message: 'notion does not use sign-in' });
  });

  it('delivers pushed events to subscribers until they unsubscribe', () => {
    const { fake } = loadPreload(code);
    const api = fake.exposed[0]![1] as AirlockBridge;
    const seen: AirlockEvent[] = [];
    const unsubscribe = api.subscribe((e) => seen.push(e));
    const push = fake.listeners.get(EVENT_CHANNEL)!;
    const event: AirlockEvent = { type: 'history.changed', id: 'h1' };
    push({}, event);
    unsubscribe();
    push({}, event);
    expect(seen).toEqual([event]);
  });
});
