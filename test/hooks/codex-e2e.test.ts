/**
 * The real Codex CLI (npm @openai/codex, HOME and CODEX_HOME in a temp folder) in `codex exec`
 * mode, its model replaced by a loopback stand-in for the Responses API that plays scripted
 * function calls and records the outputs Codex sends back. Hooks are installed by `airlock
 * protect codex --hooks` and trusted as a person does in Codex's hook review (Codex runs an
 * untrusted hook not at all); a real Airlock core decides each call with the starter policy
 * for hook clients.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { api, EVERYTHING } from '../helpers/harness.ts';
import { startResponsesStandIn, type ResponsesStandIn } from '../fixtures/responses-api-stand-in.ts';
import { codexEnv, runCodex, trustAirlockHooks } from './codex-cli.ts';
import { historyOf, hookRig, killedAfterEach, pendingOf, protectHooks, type HookRig } from './hook-e2e.ts';

/** Every Codex a test starts, killed after it if still running. */
const codex = killedAfterEach(runCodex);

describe('Codex CLI asks Airlock before each tool (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<ResponsesStandIn>['home'], airlock: Airlock, standIn: ResponsesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'codex',
    standIn: startResponsesStandIn,
    // An MCP server Codex runs itself, past Airlock's proxy: only the hook sees its calls.
    env: (userDir, model) => codexEnv(userDir, model, { everything: EVERYTHING }),
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      // The entry does nothing until trusted in Codex: protect says so.
      expect(await protectHooks('codex', home.dir, env)).toContain('open /hooks in Codex and trust');
      expect(Object.values(await trustAirlockHooks(env, project))).toEqual(['trusted']);
    },
  });

  it("an asked shell call waits in the queue with Codex's context; approved, it runs (its effect on disk) and the model gets its output; the caller is Codex's own token", async () => {
    const marker = join(project, 'approved.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `echo approved-run > ${marker} && echo shell-said-hello` } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    // Codex reports its exec_command to hooks as Bash with { command }.
    expect(pending.server).toBe('codex');
    expect(pending.arguments).toEqual({ command: `echo approved-run > ${marker} && echo shell-said-hello` });
    expect(pending.hook).toMatchObject({ client: 'codex', event: 'PreToolUse', cwd: project });
    expect(pending.hook?.session).toEqual(expect.any(String));
    expect(pending.client.id).toBe('codex');
    expect(existsSync(marker)).toBe(false);
    expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
    const { code } = await run.done;
    expect(code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('approved-run\n');
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.text).toContain('shell-said-hello');
    const entry = (await historyOf(airlock)).find((e) => e.id === pending.historyId)!;
    expect(entry).toMatchObject({ server: 'codex', tool: 'Bash', client: 'codex', decision: 'approved' });
  }, 120_000);

  it('denied with a message, the command does not run and the model gets the message', async () => {
    const marker = join(project, 'denied.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `touch ${marker}` } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not in this repository, please' });
    expect((await run.done).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results).toHaveLength(1);
    // Codex's words around the hook's reason.
    expect(standIn.results[0]!.text).toContain('Command blocked by PreToolUse hook');
    expect(standIn.results[0]!.text).toContain('not in this repository, please');
  }, 120_000);

  it('an approval with edited arguments runs the edited command, not the asked one', async () => {
    const asked = join(project, 'asked.txt');
    const edited = join(project, 'edited.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `echo asked > ${asked}` } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(pending.editable).toBeUndefined();
    const res = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: `echo edited > ${edited} && echo ran-edited` } });
    expect(res.status).toBe(200);
    await run.done;
    expect(existsSync(asked)).toBe(false);
    expect(readFileSync(edited, 'utf8')).toBe('edited\n');
    expect(standIn.results[0]!.text).toContain('ran-edited');
  }, 120_000);

  it('an MCP tool of a server Codex runs itself waits for a card as mcp__<server>__<tool>; approved, it runs and the model gets its result', async () => {
    // Codex offers an MCP server's tools to the model in the namespace mcp__<server>.
    standIn.script([[{ namespace: 'mcp__everything', name: 'echo', arguments: { message: 'past the proxy' } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'mcp__everything__echo');
    expect(pending).toMatchObject({ server: 'codex', arguments: { message: 'past the proxy' }, client: { id: 'codex' } });
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' });
    expect((await run.done).code).toBe(0);
    expect(standIn.results[0]!.text).toContain('Echo: past the proxy');
  }, 120_000);

  it('a read-only tool the policy allows (get_goal) runs without a card', async () => {
    standIn.script([[{ name: 'get_goal', arguments: {} }]]);
    const added: string[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!.tool);
    };
    airlock.on('event', onEvent);
    try {
      const { code } = await codex(env, project).done;
      expect(code).toBe(0);
    } finally {
      airlock.off('event', onEvent);
    }
    expect(added).toEqual([]);
    // The tool's own answer, not a refusal.
    expect(JSON.parse(standIn.results[0]!.text)).toMatchObject({ goal: null });
    const entry = (await historyOf(airlock)).find((e) => e.server === 'codex' && e.tool === 'get_goal');
    expect(entry).toMatchObject({ decision: 'allowed', client: 'codex' });
  }, 120_000);
});

describe('Codex CLI with Airlock stopped (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<ResponsesStandIn>['home'], airlock: Airlock, standIn: ResponsesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'codex-down',
    standIn: startResponsesStandIn,
    env: codexEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('codex', home.dir, env);
      expect(Object.values(await trustAirlockHooks(env, project))).toEqual(['trusted']);
    },
  });

  it('the call is refused with the "not running" message and does not run', async () => {
    // Installed while Airlock ran (the rig's prepare), then Airlock is stopped.
    await airlock.stop();
    const marker = join(project, 'never.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `touch ${marker}` } }]]);
    expect((await codex(env, project).done).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.text).toContain('Command blocked by PreToolUse hook');
    expect(standIn.results[0]!.text).toContain('Airlock is not running');
  }, 120_000);
});

describe("Codex CLI before the person trusts Airlock's hook (real CLI, command hook, stand-in model)", () => {
  let home: HookRig<ResponsesStandIn>['home'], airlock: Airlock, standIn: ResponsesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'codex-trust',
    standIn: startResponsesStandIn,
    env: codexEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('codex', home.dir, env);
    },
  });

  it('Codex runs an untrusted hook not at all (the command runs unasked); once trusted, the same call waits for a person', async () => {
    const unguarded = join(project, 'unguarded.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `echo unguarded > ${unguarded}` } }]]);
    expect((await codex(env, project).done).code).toBe(0);
    expect(readFileSync(unguarded, 'utf8')).toBe('unguarded\n');
    expect(await historyOf(airlock)).toEqual([]);

    expect(Object.values(await trustAirlockHooks(env, project))).toEqual(['trusted']);
    const guarded = join(project, 'guarded.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `echo guarded > ${guarded}` } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(existsSync(guarded)).toBe(false);
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not now' });
    await run.done;
    expect(existsSync(guarded)).toBe(false);
  }, 120_000);
});

describe('Codex CLI when nobody answers in time (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<ResponsesStandIn>['home'], airlock: Airlock, standIn: ResponsesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'codex-timeout',
    standIn: startResponsesStandIn,
    env: codexEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      // 12 s for the hook: Airlock gives the person 2 s of it.
      await protectHooks('codex', home.dir, env, '--hook-timeout', '12');
      expect(Object.values(await trustAirlockHooks(env, project))).toEqual(['trusted']);
    },
  });

  it("the wait ends before Codex's hook timeout (which would run the tool) and the call is refused, saying so", async () => {
    const marker = join(project, 'unanswered.txt');
    standIn.script([[{ name: 'exec_command', arguments: { cmd: `touch ${marker}` } }]]);
    const run = codex(env, project);
    const pending = await pendingOf(airlock, 'Bash');
    expect(pending.expiresAt - pending.createdAt).toBeLessThanOrEqual(2000);
    expect((await run.done).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.text).toContain('Command blocked by PreToolUse hook');
    expect(standIn.results[0]!.text).toContain('Approval timed out');
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)?.decision).toBe('timed_out');
  }, 120_000);
});
