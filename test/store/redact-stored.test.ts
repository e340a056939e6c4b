/**
 * What the history keeps of a call is redacted like its arguments: a tool that echoes a
 * secret back, a refusal reason that quotes one and a person's message hold no secret in
 * history.db or its export, while the agent still gets the result it asked for.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { REDACTED } from '../../main/core/store/redact.ts';
import { TEST_ADMIN_TOKEN, api, connectHttp, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

const ECHO = { command: process.execPath, args: [join(import.meta.dirname, '..', 'fixtures', 'echo-server.ts')] };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(policy: unknown): Promise<Airlock> {
  const h = tempHome();
  cleanups.push(() => h.cleanup());
  const airlock = await startAirlock(h.dir, { echo: ECHO }, { policy, settings: { earlyAnswerSeconds: 0 } });
  cleanups.push(() => airlock.stop());
  return airlock;
}

async function exported(airlock: Airlock): Promise<string> {
  airlock.stores.history.flush();
  const res = await fetch(new URL('/api/history/export?format=jsonl', airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return res.text();
}

describe('secrets in what the history stores', () => {
  it('a result that echoes a password argument is stored without it; the agent gets it whole', async () => {
    const airlock = await setup({ version: '1', default: 'allow' });
    const client = await connectHttp(airlock, 'echo');
    cleanups.push(() => client.close());
    const password = 'correct-horse-battery-staple';
    const result = await client.callTool({
      name: 'login',
      arguments: { user: 'ann', password, headers: [{ name: 'Authorization', value: 'Basic YW5uOnMzY3IzdA==' }, { name: 'Accept', value: 'text/plain' }] },
    });
    expect(resultText(result)).toContain(password);
    expect(resultText(result)).toContain('Basic YW5uOnMzY3IzdA==');

    const entry = await waitFor(() => airlock.stores.history.query({}).entries.find((e) => e.state === 'completed'));
    expect(entry.arguments.password).toBe(REDACTED);
    expect((entry.arguments.headers as Array<{ value: string }>).map((h) => h.value)).toEqual([REDACTED, 'text/plain']);
    expect(entry.result?.textPreview).toContain('logged in as ann with [redacted]');
    const text = await exported(airlock);
    expect(text).not.toContain(password);
    expect(text).not.toContain('YW5uOnMzY3IzdA');
    expect(text).toContain('ann');
  });

  it('a refusal reason that quotes a secret argument is stored without it', async () => {
    const airlock = await setup({
      version: '1',
      default: 'allow',
      tools: { login: { require: [{ path: 'args.password', op: 'matches', value: '^[0-9]+$' }, { path: 'args.user', op: 'eq', value: 'bob' }] } },
    });
    const client = await connectHttp(airlock, 'echo');
    cleanups.push(() => client.close());
    const result = await client.callTool({ name: 'login', arguments: { user: 'ann', password: 'sk-live-abc123' } });
    expect(result.isError).toBe(true);
    // The agent is told exactly why.
    expect(resultText(result)).toContain('sk-live-abc123');
    const entry = await waitFor(() => airlock.stores.history.query({}).entries[0]);
    expect(entry.decision).toBe('denied');
    expect(entry.reason).toContain(REDACTED);
    expect(await exported(airlock)).not.toContain('sk-live-abc123');
  });

  it("a person's message that repeats the secret is stored without it", async () => {
    const airlock = await setup({ version: '1', default: 'ask' });
    const client = await connectHttp(airlock, 'echo');
    cleanups.push(() => client.close());
    const call = client.callTool({ name: 'login', arguments: { user: 'ann', password: 'tr0ub4dor&3' } });
    const pending = await waitFor(async () => (await api<Array<{ id: string }>>(airlock, 'GET', '/pending')).body[0]);
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'never send tr0ub4dor&3 here; also password=hunter22' });
    expect(resultText(await call)).toContain('tr0ub4dor&3');
    const entry = await waitFor(() => airlock.stores.history.query({}).entries.find((e) => e.decision === 'rejected_by_user'));
    expect(entry.userMessage).toBe(`never send ${REDACTED} here; also password=${REDACTED}`);
    const text = await exported(airlock);
    expect(text).not.toContain('tr0ub4dor');
    expect(text).not.toContain('hunter22');
  });
});
