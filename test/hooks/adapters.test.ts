/**
 * Each client's hook adapter against its documented event and answer formats (fixtures in
 * test/fixtures/hooks/, each naming the page it was taken from), and then through the
 * running Airlock with the starter policy for hook clients: the shell call waits for a
 * person, a denial reaches the client in its own format, a read-only tool passes, and a
 * client that cannot run edited input gets a card that offers no editing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { hookAdapter } from '../../main/core/hooks/adapters.ts';
import { runHook } from '../../main/core/hooks/hook-command.ts';
import type { HookVerdict } from '../../main/core/hooks/hook-adapter.ts';
import { HOOK_STARTER_POLICY } from '../../main/core/hooks/starter-policy.ts';
import { ensureClientToken } from '../../main/core/home/auth.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { api, freePort, repoRoot, startAirlock, tempHome, TEST_ADMIN_TOKEN, TEST_MCP_TOKEN, waitFor } from '../helpers/harness.ts';

interface Fixture {
  source: string;
  client: string;
  events: Record<string, unknown> & { shell: Record<string, unknown> };
  expected: Record<string, Record<string, unknown>>;
  answers: Record<string, unknown>;
}

const CLIENTS = ['claude-code', 'vscode', 'cursor', 'codex', 'gemini-cli', 'copilot-cli'];
const fixtures: Fixture[] = CLIENTS.map((c) => JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'hooks', `${c}.json`), 'utf8')) as Fixture);
/** Under the starter policy, the fixture's `read` event is a read-only tool that runs unasked. */
const READ_ALLOWED = new Set(['claude-code', 'vscode', 'codex', 'gemini-cli', 'copilot-cli']);

/** The documented answer with `<reason>` standing for the verdict's reason. */
function documented(answer: unknown, reason: string): unknown {
  return typeof answer === 'string' ? answer : JSON.parse(JSON.stringify(answer).replaceAll('<reason>', reason.replace(/["\\]/g, (c) => `\\${c}`)));
}

/** The edited arguments a documented answer carries (Claude-style `updatedInput`, Gemini CLI's `tool_input`, Copilot CLI's `modifiedArgs`). */
function editedInput(answer: unknown): Record<string, unknown> {
  const a = answer as { hookSpecificOutput?: { updatedInput?: Record<string, unknown>; tool_input?: Record<string, unknown> }; modifiedArgs?: Record<string, unknown> } | undefined;
  return a?.hookSpecificOutput?.updatedInput ?? a?.hookSpecificOutput?.tool_input ?? a?.modifiedArgs ?? {};
}

function stdoutJson(stdout: string): unknown {
  return stdout === '' ? '' : JSON.parse(stdout);
}

describe.each(fixtures)('$client hook adapter, documented formats', (fixture) => {
  const adapter = hookAdapter(fixture.client)!;

  it('reads the documented event (the fixture names its source)', () => {
    expect(fixture.source).toMatch(/^https:\/\//);
    for (const [name, expected] of Object.entries(fixture.expected)) expect(adapter.parse(fixture.events[name])).toMatchObject(expected);
    expect(typeof adapter.parse({ nothing: true })).toBe('string');
  });

  it('writes the documented answers, exit code 0', () => {
    const verdicts: Record<string, HookVerdict> = {
      allow: { kind: 'allow', reason: 'allowed by Airlock' },
      deny: { kind: 'deny', reason: 'R "quoted"' },
      ask: { kind: 'ask', reason: 'R "quoted"' },
      edited: { kind: 'allow', updatedInput: editedInput(fixture.answers.edited) },
    };
    const event = adapter.parse(fixture.events.shell);
    expect(typeof event).toBe('object');
    for (const [kind, answer] of Object.entries(fixture.answers)) {
      const written = adapter.answer(verdicts[kind]!, typeof event === 'object' ? event : undefined);
      expect(written.exitCode, kind).toBe(0);
      expect(stdoutJson(written.stdout), kind).toEqual(documented(answer, verdicts[kind]!.reason ?? ''));
    }
    expect(adapter.canEdit).toBe('edited' in fixture.answers);
    expect(adapter.canHandBack).toBe('ask' in fixture.answers);
  });
});

describe('hook clients through the running Airlock (starter policy)', () => {
  let home: ReturnType<typeof tempHome>;
  let airlock: Airlock;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    home = tempHome('airlock-hook-adapters-');
    airlock = await startAirlock(home.dir, {}, { port: await freePort(), policy: HOOK_STARTER_POLICY, env: { AIRLOCK_MCP_TOKEN: TEST_MCP_TOKEN, AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN } });
    for (const c of CLIENTS) tokens[c] = ensureClientToken(join(home.dir, 'auth.json'), c);
  });
  afterAll(async () => {
    await airlock?.stop();
    home?.cleanup();
  });

  const post = (client: string, event: unknown) =>
    fetch(new URL(`/hooks/${client}?wait=30`, airlock.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[client]}` }, body: JSON.stringify(event) });

  it.each(fixtures)('$client: the shell call waits on a card (server = the client), a denial with a message comes back in its format', async (fixture) => {
    const adapter = hookAdapter(fixture.client)!;
    const answer = post(fixture.client, fixture.events.shell);
    const pending = await waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => p.server === fixture.client), 10_000, 'the card');
    expect(pending).toMatchObject({ tool: fixture.expected.shell!.tool, client: { id: fixture.client }, hook: { client: fixture.client } });
    if (adapter.canEdit) {
      expect(pending.editable).toBeUndefined();
    } else {
      expect(pending.editable).toBe(false);
      const edit = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: 'something else' } });
      expect(edit.status).toBe(400);
    }
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not today' });
    const body = await (await answer).text();
    const reason = '[Airlock] Denied by the user: not today';
    expect(JSON.parse(body)).toEqual(documented(fixture.answers.deny, reason));
  });

  it.each(fixtures.filter((f) => READ_ALLOWED.has(f.client)))('$client: its read-only tool runs without a card', async (fixture) => {
    const res = await post(fixture.client, fixture.events.read);
    // Over HTTP an allow that is no output at all (Codex) comes as an empty JSON object.
    const expected = fixture.answers.allow === '' ? {} : documented(fixture.answers.allow, 'allowed by Airlock');
    expect(await res.json()).toEqual(expected);
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);
  });

  it("cursor: an MCP call to a server whose URL is Airlock's proxy is let through to the proxy's decision, without a card", async () => {
    const cursor = fixtures.find((f) => f.client === 'cursor')!;
    const event = { ...(cursor.events.mcp as Record<string, unknown>), command: undefined, url: `${airlock.url}/mcp/notes` };
    const res = await post('cursor', event);
    expect(await res.json()).toMatchObject({ permission: 'allow' });
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body).toEqual([]);
  });

  it.each(fixtures)('$client: with no Airlock running, `airlock hook` refuses saying Airlock is not running; with --when-down ask it hands back where the client can', async (fixture) => {
    const adapter = hookAdapter(fixture.client)!;
    const nowhere = tempHome('airlock-hook-nowhere-');
    try {
      const io = () => ({ stdin: Readable.from([JSON.stringify(fixture.events.shell)]), env: {} });
      const refused = await runHook(fixture.client, { home: nowhere.dir }, io());
      expect(refused.exitCode).toBe(0);
      expect(refused.stdout).toContain('Airlock is not running');
      expect(JSON.stringify(stdoutJson(refused.stdout))).toContain(adapter.client === 'gemini-cli' ? '"deny"' : 'deny');
      const handedBack = await runHook(fixture.client, { home: nowhere.dir, whenDown: 'ask' }, io());
      expect(handedBack.stdout).toContain(adapter.canHandBack ? '"ask"' : '"deny"');
    } finally {
      nowhere.cleanup();
    }
  });
});
