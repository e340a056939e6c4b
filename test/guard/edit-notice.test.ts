/**
 * The notice an agent gets when a person edited its arguments: which ones changed, new
 * values quoted only when short and never a secret; and the setting that turns it off.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Airlock } from '../../main/core/airlock.ts';
import { argumentChanges, editNoticeText, withEditNotice } from '../../main/core/guard/edit-notice.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { probeServer } from '../fixtures/probe.ts';
import { api, connectHttp, newClient, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

describe('the edit notice', () => {
  it('names changed, added and removed arguments, by meaning rather than key order', () => {
    expect(argumentChanges({ a: { x: 1, y: 2 }, b: 1, c: 3 }, { a: { y: 2, x: 1 }, b: 2, d: 4 })).toEqual({ changed: ['b'], added: ['d'], removed: ['c'] });
  });

  it('quotes short new values, only names long ones, and hides secrets', () => {
    const text = editNoticeText(
      { size: '4K', images: ['x'], api_key: 'old', prompt: 'p' },
      { size: '1K', images: ['data:image/png;base64,' + 'A'.repeat(200)], api_key: 'sk-live-0123456789abcdefghij', prompt: 'p' },
    );
    expect(text).toMatch(/^\[Airlock\] A person edited the arguments of this call before approving it: /);
    expect(text).toContain('size (now "1K")');
    expect(text).toContain('images,');
    expect(text).not.toContain('AAAA');
    expect(text).toContain('api_key (now "[redacted]")');
    expect(text).not.toContain('sk-live');
    expect(text).not.toContain('prompt');
  });

  it('comes first in the result, before what the tool returned', () => {
    const result = withEditNotice({ content: [{ type: 'text', text: 'tool output' }], structuredContent: { ok: true } }, { v: 1 }, { v: 2 });
    expect(result.content.map((c) => (c.type === 'text' ? c.text : c.type))).toEqual([expect.stringMatching(/^\[Airlock\] .*changed v \(now 2\)/), 'tool output']);
    expect(result.structuredContent).toEqual({ ok: true });
  });
});

describe('with editNotice: false', () => {
  const home = tempHome();
  let airlock: Airlock;
  let client: Client;
  beforeAll(async () => {
    airlock = await startAirlock(home.dir, { probe: probeServer(join(home.dir, 'probe.log')) }, {
      policy: { version: '1', default: 'allow', tools: { record_args: { action: 'ask' } } },
      settings: { earlyAnswerSeconds: 0, editNotice: false },
    });
    client = await connectHttp(airlock, 'probe', newClient('agent'));
  }, 60_000);
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await airlock?.stop();
    home.cleanup();
  });

  it('the agent gets the result alone; history still keeps both argument sets', async () => {
    const call = client.callTool({ name: 'record_args', arguments: { value: 'sent' } }) as Promise<CallToolResult>;
    const pending = await waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body[0], 10_000, 'the call to wait');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { value: 'edited' } });
    const result = await call;
    expect(result.content).toEqual([{ type: 'text', text: JSON.stringify({ value: 'edited' }) }]);
    expect(airlock.stores.history.get(pending.historyId)).toMatchObject({ arguments: { value: 'edited' }, originalArguments: { value: 'sent' } });
  });
});
