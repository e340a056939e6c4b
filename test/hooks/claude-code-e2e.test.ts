/**
 * The real Claude Code CLI (npm @anthropic-ai/claude-code, HOME and its config in a temp
 * folder) in `-p` mode, its model replaced by a loopback stand-in for the Messages API that
 * plays scripted tool calls and records the tool results Claude Code sends back. Hooks are
 * installed by `airlock protect claude-code --hooks`; a real Airlock core decides each call
 * with the starter policy for hook clients.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { HOOK_STARTER_POLICY } from '../../main/core/hooks/starter-policy.ts';
import { api, EVERYTHING } from '../helpers/harness.ts';
import { startMessagesStandIn, type MessagesStandIn } from '../fixtures/messages-api-stand-in.ts';
import { claudeEnv, runClaude } from './claude-cli.ts';
import { airlockCli, historyOf, hookRig, pendingOf, protectHooks, type HookRig } from './hook-e2e.ts';

describe('Claude Code asks Airlock before each tool (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], user: HookRig<MessagesStandIn>['user'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'hooks',
    standIn: startMessagesStandIn,
    env: claudeEnv,
    servers: { everything: EVERYTHING },
    policy: { ...HOOK_STARTER_POLICY, servers: { ...HOOK_STARTER_POLICY.servers, everything: { tools: { '*': { action: 'ask' } } } } },
    prepare: async (rig) => {
      ({ home, user, airlock, standIn, env, project } = rig);
      // A server Claude Code runs itself, then protected through Airlock's proxy.
      mkdirSync(join(user.dir, '.claude'), { recursive: true });
      writeFileSync(join(user.dir, '.claude', '.claude.json'), JSON.stringify({ mcpServers: { everything: { type: 'stdio', ...EVERYTHING } } }, null, 2), { flag: 'w' });
      await airlockCli(['protect', 'claude-code', 'everything'], home.dir, env);
      await protectHooks('claude-code', home.dir, env);
    },
  });

  it('an asked Bash call waits in the queue; approved, it runs (its effect on disk) and the model gets its output; the caller is the client\'s own token', async () => {
    const marker = join(project, 'approved.txt');
    standIn.script([[{ name: 'Bash', input: { command: `echo approved-run > ${marker} && echo bash-said-hello`, description: 'write a file' } }]]);
    const claude = runClaude(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(pending.server).toBe('claude-code');
    expect(pending.hook).toMatchObject({ client: 'claude-code', event: 'PreToolUse', cwd: project });
    expect(pending.client.id).toBe('claude-code');
    expect(existsSync(marker)).toBe(false);
    expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
    const { code } = await claude.done;
    expect(code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('approved-run\n');
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]).toMatchObject({ is_error: false });
    expect(standIn.results[0]!.text).toContain('bash-said-hello');
    const entry = (await historyOf(airlock)).find((e) => e.id === pending.historyId)!;
    expect(entry).toMatchObject({ server: 'claude-code', tool: 'Bash', client: 'claude-code', decision: 'approved' });
  }, 120_000);

  it('denied with a message, the command does not run and the model gets the message', async () => {
    const marker = join(project, 'denied.txt');
    standIn.script([[{ name: 'Bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    const claude = runClaude(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not in this repository, please' });
    await claude.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.is_error).toBe(true);
    expect(standIn.results[0]!.text).toContain('not in this repository, please');
  }, 120_000);

  it('an approval with edited arguments runs the edited command', async () => {
    const asked = join(project, 'asked.txt');
    const edited = join(project, 'edited.txt');
    standIn.script([[{ name: 'Bash', input: { command: `echo asked > ${asked}`, description: 'write' } }]]);
    const claude = runClaude(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(pending.editable).toBeUndefined();
    const res = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: `echo edited > ${edited} && echo ran-edited`, description: 'write' } });
    expect(res.status).toBe(200);
    await claude.done;
    expect(existsSync(asked)).toBe(false);
    expect(readFileSync(edited, 'utf8')).toBe('edited\n');
    expect(standIn.results[0]!.text).toContain('ran-edited');
  }, 120_000);

  it('a read-only tool the policy allows runs without a card', async () => {
    const file = join(project, 'notes.txt');
    writeFileSync(file, 'read me without asking\n');
    standIn.script([[{ name: 'Read', input: { file_path: file } }]]);
    const added: string[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!.tool);
    };
    airlock.on('event', onEvent);
    try {
      const { code } = await runClaude(env, project).done;
      expect(code).toBe(0);
    } finally {
      airlock.off('event', onEvent);
    }
    expect(added).toEqual([]);
    expect(standIn.results[0]!.text).toContain('read me without asking');
    const entry = (await historyOf(airlock)).find((e) => e.server === 'claude-code' && e.tool === 'Read');
    expect(entry).toMatchObject({ decision: 'allowed', client: 'claude-code' });
  }, 120_000);

  it('an MCP tool of a server protected through the proxy shows one card, not two, and runs once approved', async () => {
    standIn.script([[{ name: 'mcp__everything__echo', input: { message: 'through the proxy' } }]]);
    const added: PendingCall[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!);
    };
    airlock.on('event', onEvent);
    try {
      const claude = runClaude(env, project);
      const pending = await pendingOf(airlock, 'echo');
      expect(pending.server).toBe('everything');
      expect(pending.client.id).toBe('claude-code');
      await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' });
      await claude.done;
    } finally {
      airlock.off('event', onEvent);
    }
    expect(added.map((p) => `${p.server}/${p.tool}`)).toEqual(['everything/echo']);
    expect(standIn.results[0]!.text).toContain('through the proxy');
    expect((await historyOf(airlock)).some((e) => e.server === 'claude-code' && e.tool.startsWith('mcp__'))).toBe(false);
  }, 120_000);
});

describe('Claude Code with Airlock stopped (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], user: HookRig<MessagesStandIn>['user'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'hooks-down',
    standIn: startMessagesStandIn,
    env: claudeEnv,
    prepare: async (rig) => {
      ({ home, user, airlock, standIn, env, project } = rig);
      mkdirSync(join(user.dir, '.claude'), { recursive: true });
      await protectHooks('claude-code', home.dir, env);
    },
  });

  it('the call is refused with the "not running" message and does not run', async () => {
    // Installed while Airlock ran (the rig's prepare), then Airlock is stopped.
    await airlock.stop();
    const marker = join(project, 'never.txt');
    standIn.script([[{ name: 'Bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    await runClaude(env, project).done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.is_error).toBe(true);
    expect(standIn.results[0]!.text).toContain('Airlock is not running');
  }, 120_000);
});

describe('Claude Code when nobody answers in time (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], user: HookRig<MessagesStandIn>['user'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'hooks-timeout',
    standIn: startMessagesStandIn,
    env: claudeEnv,
    prepare: async (rig) => {
      ({ home, user, airlock, standIn, env, project } = rig);
      mkdirSync(join(user.dir, '.claude'), { recursive: true });
      // 12 s for the hook: Airlock gives the person 2 s of it.
      await protectHooks('claude-code', home.dir, env, '--hook-timeout', '12');
    },
  });

  it("the wait ends before the hook's timeout and the call is handed back to Claude Code's own permission prompt (which -p cannot show: not run)", async () => {
    const marker = join(project, 'unanswered.txt');
    standIn.script([[{ name: 'Bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    const claude = runClaude(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(pending.expiresAt - pending.createdAt).toBeLessThanOrEqual(2000);
    const { stdout } = await claude.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.is_error).toBe(true);
    // Claude Code's prompt got the call (with Airlock's reason); in -p it cannot ask, so it refused.
    expect(standIn.results[0]!.text).toContain('Claude Code asks you instead');
    expect((JSON.parse(stdout) as { permission_denials: { tool_name: string }[] }).permission_denials.map((d) => d.tool_name)).toEqual(['Bash']);
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)?.decision).toBe('timed_out');
  }, 120_000);
});
