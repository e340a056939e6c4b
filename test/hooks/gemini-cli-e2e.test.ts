/**
 * The real Gemini CLI (npm @google/gemini-cli, HOME and its .gemini folder in a temp folder)
 * in `-p` mode, its model replaced by a loopback stand-in for the Gemini API that plays
 * scripted function calls and records the function responses Gemini CLI sends back. Hooks
 * are installed by `airlock protect gemini-cli --hooks`; a real Airlock core decides each
 * call with the starter policy for hook clients.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { HOOK_STARTER_POLICY } from '../../main/core/hooks/starter-policy.ts';
import { ensureClientToken } from '../../main/core/home/auth.ts';
import { api, EVERYTHING, freePort, startAirlock, tempHome, TEST_ADMIN_TOKEN } from '../helpers/harness.ts';
import { startGeminiStandIn, type GeminiStandIn } from '../fixtures/gemini-api-stand-in.ts';
import { geminiEnv, killGeminiRuns, runGemini } from './gemini-cli-runner.ts';
import { historyOf, hookRig, pendingOf, protectHooks, type HookRig } from './hook-e2e.ts';

describe('Gemini CLI asks Airlock before each tool (real CLI, BeforeTool command hook, stand-in model)', () => {
  let home: HookRig<GeminiStandIn>['home'], user: HookRig<GeminiStandIn>['user'], airlock: Airlock, standIn: GeminiStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'gemini',
    standIn: startGeminiStandIn,
    env: geminiEnv,
    prepare: async (rig) => {
      ({ home, user, airlock, standIn, env, project } = rig);
      await protectHooks('gemini-cli', home.dir, env);
    },
  });

  afterEach(() => killGeminiRuns());

  it('the installed entry sits in Gemini CLI\'s settings beside what was there', () => {
    const text = readFileSync(join(user.dir, '.gemini', 'settings.json'), 'utf8');
    expect(text.startsWith('// offline test settings\n')).toBe(true);
    expect(text).toContain('"selectedType": "gemini-api-key"');
    expect(text).toMatch(/"BeforeTool": \[[\s\S]*"name": "airlock"[\s\S]*hook gemini-cli[\s\S]*"timeout": 600000/);
  });

  it("an asked shell call waits in the queue; approved, it runs (its effect on disk) and the model gets its output; the caller is the client's own token", async () => {
    const marker = join(project, 'approved.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `echo approved-run > ${marker} && echo shell-said-hello`, description: 'write a file' } }]]);
    const gemini = runGemini(env, project);
    const pending = await pendingOf(airlock, 'run_shell_command');
    expect(pending.server).toBe('gemini-cli');
    expect(pending.hook).toMatchObject({ client: 'gemini-cli', event: 'BeforeTool', cwd: project });
    expect(pending.hook?.session).toEqual(expect.any(String));
    expect(pending.client.id).toBe('gemini-cli');
    expect(pending.arguments).toEqual({ command: `echo approved-run > ${marker} && echo shell-said-hello`, description: 'write a file' });
    expect(existsSync(marker)).toBe(false);
    expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
    const { code } = await gemini.done;
    expect(code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('approved-run\n');
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]).toMatchObject({ name: 'run_shell_command', is_error: false });
    expect(standIn.results[0]!.text).toContain('shell-said-hello');
    const entry = (await historyOf(airlock)).find((e) => e.id === pending.historyId)!;
    expect(entry).toMatchObject({ server: 'gemini-cli', tool: 'run_shell_command', client: 'gemini-cli', decision: 'approved' });
  }, 120_000);

  it('denied with a message, the command does not run and the model gets the message', async () => {
    const marker = join(project, 'denied.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `touch ${marker}`, description: 'touch' } }]]);
    const gemini = runGemini(env, project);
    const pending = await pendingOf(airlock, 'run_shell_command');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not in this repository, please' });
    await gemini.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.is_error).toBe(true);
    // Gemini CLI passes the hook's reason to the model after its own prefix.
    expect(standIn.results[0]!.text).toContain('Tool execution blocked: [Airlock] Denied by the user: not in this repository, please');
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)).toMatchObject({ client: 'gemini-cli', decision: 'rejected_by_user' });
  }, 120_000);

  it('an approval with edited arguments runs the edited command', async () => {
    const asked = join(project, 'asked.txt');
    const edited = join(project, 'edited.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `echo asked > ${asked}`, description: 'write' } }]]);
    const gemini = runGemini(env, project);
    const pending = await pendingOf(airlock, 'run_shell_command');
    expect(pending.editable).toBeUndefined();
    const res = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: `echo edited > ${edited} && echo ran-edited`, description: 'write' } });
    expect(res.status).toBe(200);
    await gemini.done;
    expect(existsSync(asked)).toBe(false);
    expect(readFileSync(edited, 'utf8')).toBe('edited\n');
    expect(standIn.results[0]!.text).toContain('ran-edited');
  }, 120_000);

  it('an edit that leaves an argument out is refused when the person approves it (Gemini CLI would keep the left-out argument); the card stays to be answered', async () => {
    const marker = join(project, 'merged.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `echo asked > ${marker}`, description: 'write', dir_path: project } }]]);
    const gemini = runGemini(env, project);
    const pending = await pendingOf(airlock, 'run_shell_command');
    const edited = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: `echo edited > ${marker}`, description: 'write' } });
    expect(edited.status).toBe(400);
    expect(JSON.stringify(edited.body)).toContain('the edit removed dir_path');
    expect((await api<PendingCall[]>(airlock, 'GET', '/pending')).body.map((p) => p.id)).toContain(pending.id);
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not like that' });
    await gemini.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.text).toContain('not like that');
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)?.decision).toBe('rejected_by_user');
  }, 120_000);

  it('a read-only tool the policy allows runs without a card', async () => {
    const file = join(project, 'notes.txt');
    writeFileSync(file, 'read me without asking\n');
    standIn.script([[{ name: 'read_file', args: { file_path: file } }]]);
    const added: string[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!.tool);
    };
    airlock.on('event', onEvent);
    try {
      const { code } = await runGemini(env, project).done;
      expect(code).toBe(0);
    } finally {
      airlock.off('event', onEvent);
    }
    expect(added).toEqual([]);
    expect(standIn.results[0]).toMatchObject({ name: 'read_file', is_error: false });
    expect(standIn.results[0]!.text).toContain('read me without asking');
    const entry = (await historyOf(airlock)).find((e) => e.server === 'gemini-cli' && e.tool === 'read_file');
    expect(entry).toMatchObject({ decision: 'allowed', client: 'gemini-cli' });
  }, 120_000);
});

describe("Gemini CLI with an MCP server it reaches through Airlock's proxy (real CLI, BeforeTool command hook, stand-in model)", () => {
  it('its tool shows one card, not two, and runs once approved; the hook sees the proxy URL in mcp_context and leaves the call to the proxy', async () => {
    const home = tempHome('airlock-gemini-mcp-');
    const user = tempHome('airlock-gemini-mcp-user-');
    const standIn = await startGeminiStandIn();
    const policy = { ...HOOK_STARTER_POLICY, servers: { ...HOOK_STARTER_POLICY.servers, everything: { tools: { '*': { action: 'ask' } } } } };
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING }, { port: await freePort(), policy, env: { AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN } });
    const added: PendingCall[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!);
    };
    airlock.on('event', onEvent);
    try {
      const env = geminiEnv(user.dir, standIn);
      const project = join(user.dir, 'project');
      mkdirSync(project, { recursive: true });
      await protectHooks('gemini-cli', home.dir, env);
      // Gemini CLI's own entry for Airlock's /mcp/everything, with its own named token.
      const token = ensureClientToken(join(home.dir, 'auth.json'), 'gemini-cli');
      const settingsFile = join(user.dir, '.gemini', 'settings.json');
      const settings = readFileSync(settingsFile, 'utf8');
      const mcpServers = { everything: { httpUrl: `${airlock.url}/mcp/everything`, headers: { Authorization: `Bearer ${token}` } } };
      writeFileSync(settingsFile, settings.replace(/^\{/m, `{\n  "mcpServers": ${JSON.stringify(mcpServers)},`));
      standIn.script([[{ name: 'mcp_everything_echo', args: { message: 'through the proxy' } }]]);
      const gemini = runGemini(env, project);
      const pending = await pendingOf(airlock, 'echo');
      expect(pending.server).toBe('everything');
      expect(pending.client.id).toBe('gemini-cli');
      await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' });
      await gemini.done;
      expect(standIn.offeredTools).toContain('mcp_everything_echo');
      expect(added.map((p) => `${p.server}/${p.tool}`)).toEqual(['everything/echo']);
      expect(standIn.results[0]).toMatchObject({ name: 'mcp_everything_echo', is_error: false });
      expect(standIn.results[0]!.text).toContain('through the proxy');
      expect((await historyOf(airlock)).some((e) => e.server === 'gemini-cli')).toBe(false);
    } finally {
      airlock.off('event', onEvent);
      await killGeminiRuns();
      await airlock.stop();
      await standIn.close();
      home.cleanup();
      user.cleanup();
    }
  }, 120_000);
});

describe('Gemini CLI with Airlock stopped (real CLI, BeforeTool command hook, stand-in model)', () => {
  let home: HookRig<GeminiStandIn>['home'], airlock: Airlock, standIn: GeminiStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'gemini-down',
    standIn: startGeminiStandIn,
    env: geminiEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('gemini-cli', home.dir, env);
    },
  });

  it('the call is refused with the "not running" message and does not run', async () => {
    // Installed while Airlock ran (the rig's prepare), then Airlock is stopped.
    await airlock.stop();
    const marker = join(project, 'never.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `touch ${marker}`, description: 'touch' } }]]);
    await runGemini(env, project).done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.is_error).toBe(true);
    expect(standIn.results[0]!.text).toContain('Airlock is not running');
  }, 120_000);
});

describe('Gemini CLI with its config folder moved by GEMINI_CLI_HOME (real CLI, BeforeTool command hook, stand-in model)', () => {
  it('protect --hooks writes the hook where Gemini CLI reads it, and it runs there', async () => {
    const home = tempHome('airlock-gemini-cli-home-');
    const user = tempHome('airlock-gemini-cli-home-user-');
    const standIn = await startGeminiStandIn();
    try {
      const cliHome = join(user.dir, 'elsewhere');
      const env = geminiEnv(user.dir, standIn, cliHome);
      const project = join(user.dir, 'project');
      mkdirSync(project, { recursive: true });
      // No Airlock runs: the hook's refusal is the proof that Gemini CLI ran it.
      await protectHooks('gemini-cli', home.dir, env);
      expect(readFileSync(join(cliHome, '.gemini', 'settings.json'), 'utf8')).toContain('hook gemini-cli');
      expect(existsSync(join(user.dir, '.gemini'))).toBe(false);
      const marker = join(project, 'never.txt');
      standIn.script([[{ name: 'run_shell_command', args: { command: `touch ${marker}`, description: 'touch' } }]]);
      await runGemini(env, project).done;
      expect(existsSync(marker)).toBe(false);
      expect(standIn.results[0]!.text).toContain('Airlock is not running');
    } finally {
      await killGeminiRuns();
      await standIn.close();
      home.cleanup();
      user.cleanup();
    }
  }, 120_000);
});

describe('Gemini CLI when nobody answers in time (real CLI, BeforeTool command hook, stand-in model)', () => {
  let home: HookRig<GeminiStandIn>['home'], airlock: Airlock, standIn: GeminiStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'gemini-timeout',
    standIn: startGeminiStandIn,
    env: geminiEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      // 12 s for the hook: Airlock gives the person 2 s of it.
      await protectHooks('gemini-cli', home.dir, env, '--hook-timeout', '12');
    },
  });

  it("the wait ends before the hook's timeout (past which Gemini CLI would run the tool) and the call is refused", async () => {
    const marker = join(project, 'unanswered.txt');
    standIn.script([[{ name: 'run_shell_command', args: { command: `touch ${marker}`, description: 'touch' } }]]);
    const gemini = runGemini(env, project);
    const pending = await pendingOf(airlock, 'run_shell_command');
    expect(pending.expiresAt - pending.createdAt).toBeLessThanOrEqual(2000);
    await gemini.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.is_error).toBe(true);
    expect(standIn.results[0]!.text).toContain('Approval timed out');
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)?.decision).toBe('timed_out');
  }, 120_000);
});
