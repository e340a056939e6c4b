/**
 * The IPC bridge's main-process side: a call from anything but the top frame of our own
 * window on app://airlock is refused before the core sees it, a payload outside the shared
 * schema is refused, and a good call reaches the same dispatcher as the HTTP API, errors
 * and located policy problems included. Electron's IPC event is a fake; the core is real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AirlockEvent } from '../../shared/api/contract.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { EVENT_CHANNEL, type IpcResult } from '../../main/electron/ipc-channels.ts';
import { createCallHandler, forwardEvents, isTrustedSender, type FrameLike, type IpcEventLike } from '../../main/electron/ipc-guard.ts';
import { startCore, type CoreFixture } from './core-fixture.ts';

const OUR_ID = 7;
const topFrame = (url = 'app://airlock/index.html#/approvals'): FrameLike => ({ url, parent: null });
const event = (frame: FrameLike | null = topFrame(), senderId = OUR_ID): IpcEventLike => ({ sender: { id: senderId }, senderFrame: frame });

describe('IPC guard (fake IPC events, real control API)', () => {
  let core: CoreFixture;
  let dispatched: string[];
  let handle: (event: IpcEventLike, payload: unknown) => Promise<IpcResult>;

  beforeAll(async () => {
    core = await startCore();
    dispatched = [];
    handle = createCallHandler({
      api: {
        dispatch: (method, input) => {
          dispatched.push(method);
          return core.airlock.control.dispatch(method, input);
        },
      },
      isOurWebContents: (id) => id === OUR_ID,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await core?.close();
  });

  it('passes a well-formed call from our window to the control API dispatcher', async () => {
    const result = await handle(event(), { method: 'status.get' });
    expect(result.ok).toBe(true);
    expect((result as { value: { home: string } }).value.home).toBe(core.airlock.paths.dir);
    expect(dispatched).toEqual(['status.get']);
  });

  it.each([
    ['another webContents', event(topFrame(), 99)],
    ['an iframe inside our window', event({ url: 'app://airlock/frame.html', parent: topFrame() })],
    ['a frame that navigated away or was destroyed', event(null)],
    ['a remote page', event(topFrame('https://evil.example/'))],
    ['a local file', event(topFrame('file:///tmp/index.html'))],
    ['another app:// host', event(topFrame('app://other/index.html'))],
    ['a look-alike host', event(topFrame('app://airlock.evil.example/'))],
  ])('refuses a call from %s before the core sees it', async (_what, ev) => {
    dispatched.length = 0;
    const result = await handle(ev, { method: 'pending.decide', input: { id: 'x', decision: 'approve' } });
    expect(result).toEqual({ ok: false, error: { error: 'forbidden', message: 'this window may not use the Airlock API' } });
    expect(dispatched).toEqual([]);
  });

  it.each([
    ['not an object', 'status.get'],
    ['null', null],
    ['a method that is not in the contract', { method: 'process.exit' }],
    ['a method that is not a string', { method: 42 }],
    ['an extra key', { method: 'status.get', input: undefined, channel: 'other' }],
    ['an absurdly long method name', { method: 'a'.repeat(500) }],
  ])('refuses a payload that fails the schema: %s', async (_what, payload) => {
    dispatched.length = 0;
    const result = await handle(event(), payload);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.error.error).toBe('invalid_request');
    expect(dispatched).toEqual([]);
  });

  it('refuses input that fails the method\'s own schema (parsed by the dispatcher)', async () => {
    const result = await handle(event(), { method: 'pending.decide', input: { id: 'x', decision: 'maybe' } });
    expect(result.ok === false && result.error.error).toBe('invalid_input');
    const extra = await handle(event(), { method: 'approvals.pause', input: { paused: true, everything: true } });
    expect(extra.ok === false && extra.error.error).toBe('invalid_input');
    expect((await core.airlock.control.call('status.get')).paused).toBe(false);
  });

  it('returns the API\'s own errors as data, with located policy problems for the editor', async () => {
    const missing = await handle(event(), { method: 'pending.decide', input: { id: 'no-such-call', decision: 'deny' } });
    expect(missing.ok === false && missing.error.error).toBe('not_pending');
    const invalid = await handle(event(), { method: 'policy.validate', input: { text: '{ "version": "1", "default": "sometimes" }' } });
    expect(invalid.ok).toBe(true);
    const put = await handle(event(), { method: 'policy.put', input: { text: '{ "version": "1", "default": "sometimes" }' } });
    expect(put.ok).toBe(false);
    if (put.ok) return;
    expect(put.error.problems?.[0]?.path).toBe('/default');
  });

  it('hides internal failures behind a generic message', async () => {
    const failing = createCallHandler({
      api: { dispatch: async () => Promise.reject(new Error('disk on fire at /secret/path')) },
      isOurWebContents: () => true,
      logger: silentLogger,
    });
    const result = await failing(event(), { method: 'status.get' });
    expect(result).toEqual({ ok: false, error: { error: 'internal_error', message: 'Airlock could not complete this request; see the log' } });
  });

  it('accepts only app://airlock top frames', () => {
    expect(isTrustedSender(event(topFrame('app://airlock/')), (id) => id === OUR_ID)).toBe(true);
    expect(isTrustedSender(event(topFrame('app://airlock:80/')), (id) => id === OUR_ID)).toBe(false);
    expect(isTrustedSender(event(topFrame('not a url')), (id) => id === OUR_ID)).toBe(false);
  });

  it('pushes core events to our live windows without counting as a UI', async () => {
    const received: AirlockEvent[] = [];
    const live = { isDestroyed: () => false, send: (channel: string, e: AirlockEvent) => channel === EVENT_CHANNEL && received.push(e) };
    const gone = { isDestroyed: () => true, send: () => expect.unreachable('sent to a destroyed window') };
    const before = core.airlock.control.uiCount;
    const stop = forwardEvents(core.airlock.control, EVENT_CHANNEL, () => [live, gone]);
    expect(core.airlock.control.uiCount).toBe(before);
    await core.airlock.control.call('approvals.pause', { paused: true });
    await core.airlock.control.call('approvals.pause', { paused: false });
    stop();
    expect(received.map((e) => e.type)).toEqual(['status.changed', 'status.changed']);
  });
});
