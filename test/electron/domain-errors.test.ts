/**
 * The core raises domain errors; each adapter maps them once. A script over HTTP gets the
 * status and the error body, a desktop window over IPC (fake IPC event, real core) gets the
 * very same body, so the UI reads one shape whichever bridge it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { silentLogger } from '../../main/core/logger.ts';
import { createCallHandler } from '../../main/electron/ipc-guard.ts';
import { TEST_ADMIN_TOKEN, api, startAirlock, tempHome } from '../helpers/harness.ts';

describe('domain errors over HTTP and IPC (fake IPC event, real core)', () => {
  const home = tempHome('airlock-errors-');
  let airlock: Airlock;
  let ipc: ReturnType<typeof createCallHandler>;
  const call = (method: string, input: unknown) => ipc({ sender: { id: 1 }, senderFrame: { url: 'app://airlock/index.html', parent: null } }, { method, input });

  beforeAll(async () => {
    airlock = await startAirlock(home.dir, {});
    ipc = createCallHandler({ api: airlock.control, isOurWebContents: (id) => id === 1, logger: silentLogger });
  });
  afterAll(async () => {
    await airlock?.stop();
    home.cleanup();
  });

  it.each([
    ['a decision on a call that is not pending', 404, 'not_pending', 'pending.decide', { id: 'gone', decision: 'approve' }],
    ['an unknown history entry', 404, 'not_found', 'history.get', { id: '0000000000ZZ' }],
    ['an unknown grant', 404, 'not_found', 'grants.revoke', { id: 'nope' }],
    ['accepting a tool that did not change', 404, 'not_changed', 'tools.accept', { server: 'none', tool: 'none' }],
    ['input outside the method\'s schema', 400, 'invalid_input', 'approvals.pause', { paused: 'yes' }],
  ] as const)('%s: HTTP %i %s, and the same body over IPC', async (_what, status, code, method, input) => {
    const http = await api<{ error: string; message: string }>(airlock, 'POST', `/rpc/${method}`, input);
    expect(http.status).toBe(status);
    expect(http.body.error).toBe(code);
    expect(await call(method, input)).toEqual({ ok: false, error: http.body });
  });

  it('an invalid policy: 400 with located problems, the same over IPC, and nothing written', async () => {
    const text = '{ "version": "1", "default": "sometimes" }';
    const http = await api<{ error: string; problems: { path: string }[] }>(airlock, 'POST', '/rpc/policy.put', { text });
    expect(http.status).toBe(400);
    expect(http.body).toMatchObject({ error: 'invalid_policy', problems: [{ path: '/default' }] });
    expect(await call('policy.put', { text })).toEqual({ ok: false, error: http.body });
    expect((await airlock.control.call('policy.get')).text).not.toContain('sometimes');
  });

  it('HTTP-only mistakes: an unknown method is 404, a body that is not JSON is 400', async () => {
    expect(await api(airlock, 'POST', '/rpc/no.such', {})).toMatchObject({ status: 404, body: { error: 'unknown_method' } });
    const response = await fetch(`${airlock.url}/api/rpc/status.get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{ not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_json' });
  });
});
