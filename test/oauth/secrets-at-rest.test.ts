/**
 * No token or client secret leaves the secret store: after a sign-in with a confidential
 * client, calls, a refresh and a sign-out, none of them is in history.db, the log files,
 * Airlock's own log, config.json, the history export or any control-API answer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { api, TEST_ADMIN_TOKEN } from '../helpers/harness.ts';
import { connectModern, SERVER, signIn, startAirlockFor, startWorld, toolText, type OAuthWorld } from './oauth-harness.ts';

const CONFIDENTIAL = { client_id: 'airlock-confidential', client_secret: 'confidential-client-secret-0123456789' };

let world: OAuthWorld | undefined;
let airlock: Airlock | undefined;
afterEach(async () => {
  await airlock?.stop();
  await world?.close();
  airlock = undefined;
  world = undefined;
});

describe('secrets at rest', () => {
  it('keeps tokens and the client secret out of history, logs, config.json, the export and the control API', async () => {
    world = await startWorld({
      clients: () => [
        {
          ...CONFIDENTIAL,
          redirect_uris: ['http://127.0.0.1/oauth/callback'],
          application_type: 'native',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    });
    world.as.lifetimes.accessToken = 2;
    const log: string[] = [];
    const logger = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
    airlock = await startAirlockFor(world, { clientId: CONFIDENTIAL.client_id, clientSecret: CONFIDENTIAL.client_secret }, { logger });
    await signIn(airlock, world);
    const agent = await connectModern(airlock);
    // The agent echoes what it was given; the tokens are never among it.
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'one' } }))).toBe('echo: one');
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(toolText(await agent.callTool({ name: 'echo', arguments: { message: 'two' } }))).toBe('echo: two');
    await agent.close();

    // Every token Airlock was ever sent upstream with, and the ones it holds now.
    const secretsFile = join(world.home.dir, 'secrets.json');
    const stored = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
    const tokens = Object.entries(stored)
      .filter(([key]) => key.startsWith('oauth:tokens:'))
      .map(([, value]) => JSON.parse(value) as { access_token: string; refresh_token?: string });
    const secrets = new Set<string>([CONFIDENTIAL.client_secret]);
    for (const t of tokens) {
      secrets.add(t.access_token);
      if (t.refresh_token) secrets.add(t.refresh_token);
    }
    for (const r of world.mcp.received) if (r.authorization) secrets.add(r.authorization.replace(/^Bearer /, ''));
    expect(secrets.size).toBeGreaterThanOrEqual(4);
    expect(readFileSync(secretsFile, 'utf8')).toContain(CONFIDENTIAL.client_secret);

    const answers: string[] = [];
    for (const path of ['/servers', '/status', '/history', '/history/export?format=jsonl', '/history/export?format=csv', '/policy', '/grants', '/pending', '/tools/changes']) {
      const res = await fetch(new URL(`/api${path}`, airlock.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
      answers.push(await res.text());
    }
    answers.push(JSON.stringify((await api(airlock, 'POST', `/servers/${SERVER}/login`)).body));
    answers.push(JSON.stringify((await api(airlock, 'POST', `/servers/${SERVER}/logout`)).body));
    await airlock.stop();
    airlock = undefined;

    const files = ['config.json', 'history.db', 'history.db-wal', ...readdirSync(join(world.home.dir, 'logs')).map((f) => join('logs', f))]
      .map((f) => join(world!.home.dir, f))
      .filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const haystacks = [...files.map((f) => ({ where: f, text: readFileSync(f).toString('latin1') })), ...answers.map((text, i) => ({ where: `answer ${i}`, text })), { where: 'log', text: log.join('\n') }];
    const leaks = haystacks.flatMap(({ where, text }) => [...secrets].filter((s) => text.includes(s)).map((s) => `${where}: ${s.slice(0, 6)}…`));
    expect(leaks).toEqual([]);
    // The history does hold the calls (the grep looked at a real record).
    expect(answers[2]).toContain('echo');
  });
});
