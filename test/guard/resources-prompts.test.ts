/**
 * resources/read and prompts/get through the real proxy: the policy's `resources` and
 * `prompts` rules allow, refuse or ask (on the same approval queue as tool calls, on a card
 * that says what it is), against server-everything and a fixture that records every read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { EVERYTHING, api, connectHttp, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';

const ECHO_FILE = join(import.meta.dirname, '..', 'fixtures', 'echo-server.ts');

const POLICY = {
  version: '1',
  default: 'deny',
  resources: {
    'demo://resource/dynamic/text/*': { action: 'deny', reason: 'no dynamic text' },
    'demo://resource/dynamic/blob/*': { action: 'ask', reason: 'blobs are large' },
    'secret://*': { action: 'deny' },
  },
  prompts: {
    'simple-prompt': { action: 'allow' },
    'args-prompt': { action: 'ask' },
    '*': { action: 'deny', reason: 'only reviewed prompts' },
  },
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(server: 'everything' | 'echo', policy: unknown = POLICY): Promise<{ airlock: Airlock; client: Client; echoLog: () => string }> {
  const h = tempHome();
  cleanups.push(() => h.cleanup());
  const log = join(h.dir, 'echo.jsonl');
  const config = server === 'everything' ? EVERYTHING : { command: process.execPath, args: [ECHO_FILE], env: { ECHO_LOG: log } };
  const airlock = await startAirlock(h.dir, { [server]: config }, { policy });
  cleanups.push(() => airlock.stop());
  const client = await connectHttp(airlock, server);
  cleanups.push(() => client.close());
  const echoLog = () => {
    try {
      return readFileSync(log, 'utf8');
    } catch {
      return '';
    }
  };
  return { airlock, client, echoLog };
}

async function nextPending(airlock: Airlock): Promise<PendingCall> {
  return waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body[0]);
}

describe('resources/read under the policy', () => {
  it('refuses a denied URI with the rule and reason, and allows a URI no rule names even under default deny', async () => {
    const { client: everything } = await setup('everything');
    await expect(everything.readResource({ uri: 'demo://resource/dynamic/text/1' })).rejects.toThrow(
      '[Airlock] Denied by policy (/resources/demo:~1~1resource~1dynamic~1text~1*): no dynamic text',
    );
    const listed = (await everything.listResources()).resources.find((r) => r.uri.startsWith('demo://resource/static/'));
    expect(listed).toBeDefined();
    const read = await everything.readResource({ uri: listed!.uri });
    expect(read.contents[0]?.uri).toBe(listed!.uri);
  });

  it('asks a person on a card that says it is a resource; approved, the content arrives; denied, the agent is told', async () => {
    const { airlock, client: everything } = await setup('everything');
    const approved = everything.readResource({ uri: 'demo://resource/dynamic/blob/1' });
    const card = await nextPending(airlock);
    expect(card).toMatchObject({ kind: 'resource', server: 'everything', tool: 'demo://resource/dynamic/blob/1', arguments: { uri: 'demo://resource/dynamic/blob/1' }, reason: 'blobs are large' });
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve' });
    expect((await approved).contents[0]).toHaveProperty('blob');

    const denied = everything.readResource({ uri: 'demo://resource/dynamic/blob/2' });
    const second = await nextPending(airlock);
    await api(airlock, 'POST', `/pending/${second.id}`, { decision: 'deny', message: 'not now' });
    await expect(denied).rejects.toThrow('[Airlock] Denied by the user: not now');
  });

  it('nothing reaches the upstream for a denied resource or prompt', async () => {
    const { client: echo, echoLog } = await setup('echo');
    await expect(echo.readResource({ uri: 'secret://vault/key' })).rejects.toThrow(/\[Airlock\] Denied by policy \(\/resources\/secret:~1~1\*\)/);
    await expect(echo.getPrompt({ name: 'leak', arguments: { topic: 'keys' } })).rejects.toThrow('only reviewed prompts');
    expect(echoLog()).toBe('');
  });

  it('without resources and prompts rules, reads and prompts pass as before', async () => {
    const { client: echo, echoLog } = await setup('echo', { version: '1', default: 'deny' });
    expect((await echo.readResource({ uri: 'secret://vault/key' })).contents[0]).toMatchObject({ text: 'the vault key' });
    expect((await echo.getPrompt({ name: 'leak', arguments: { topic: 'keys' } })).messages).toHaveLength(1);
    expect(echoLog()).toContain('secret://vault/key');
  });
});

describe('prompts/get under the policy', () => {
  it('allows a named prompt, refuses the rest by glob, and asks with the arguments on the card', async () => {
    const { airlock, client: everything } = await setup('everything');
    expect((await everything.getPrompt({ name: 'simple-prompt' })).messages.length).toBeGreaterThan(0);
    await expect(everything.getPrompt({ name: 'resource-prompt', arguments: { resourceType: 'Text', resourceId: '1' } })).rejects.toThrow(
      '[Airlock] Denied by policy (/prompts/*): only reviewed prompts',
    );
    const asked = everything.getPrompt({ name: 'args-prompt', arguments: { city: 'Lyon' } });
    const card = await nextPending(airlock);
    expect(card).toMatchObject({ kind: 'prompt', tool: 'args-prompt', arguments: { city: 'Lyon' }, rule: '/prompts/args-prompt' });
    await api(airlock, 'POST', `/pending/${card.id}`, { decision: 'approve' });
    expect(JSON.stringify((await asked).messages)).toContain('Lyon');
  });

  it('"Pause all" refuses a prompt that would ask', async () => {
    const { airlock, client: everything } = await setup('everything');
    await api(airlock, 'POST', '/approvals/pause', { paused: true });
    await expect(everything.getPrompt({ name: 'args-prompt', arguments: { city: 'Lyon' } })).rejects.toThrow(/approvals are paused/);
  });
});
