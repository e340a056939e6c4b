/**
 * The real GitHub Copilot CLI (npm @github/copilot, HOME, COPILOT_HOME and its cache in a
 * temp folder) in `-p` mode, its model replaced by a BYOK Anthropic provider pointed at the
 * loopback Messages API stand-in, which plays scripted tool calls and records the tool
 * results Copilot CLI sends back. Hooks are installed by `airlock protect copilot-cli
 * --hooks` (and `airlock protect vscode --hooks`, whose entry in ~/.copilot/hooks/ Copilot CLI
 * runs too); a real Airlock core decides each call with the starter policy for hook clients.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import { startMessagesStandIn, type MessagesStandIn } from '../fixtures/messages-api-stand-in.ts';
import { api, waitFor } from '../helpers/harness.ts';
import { copilotEnv, runCopilot } from './copilot-cli.ts';
import { historyOf, hookRig, killedAfterEach, pendingOf, protectHooks, type HookRig } from './hook-e2e.ts';

/** Every Copilot CLI a test starts, killed after it whatever happened. */
const copilot = killedAfterEach(runCopilot);

describe('Copilot CLI asks Airlock before each tool (real CLI, command hook in settings.json, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'copilot',
    standIn: startMessagesStandIn,
    env: copilotEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('copilot-cli', home.dir, env);
    },
  });

  it('protect --hooks wrote one preToolUse entry into COPILOT_HOME/settings.json', () => {
    const settings = JSON.parse(readFileSync(join(env.COPILOT_HOME!, 'settings.json'), 'utf8')) as { hooks: { preToolUse: { bash: string; timeoutSec: number }[] } };
    expect(settings.hooks.preToolUse).toHaveLength(1);
    expect(settings.hooks.preToolUse[0]!.bash).toContain(' hook copilot-cli --home ');
    expect(settings.hooks.preToolUse[0]!.timeoutSec).toBe(600);
  });

  it("an asked bash call waits in the queue; approved, it runs (its effect on disk) and the model gets its output; the caller is the client's own token", async () => {
    const marker = join(project, 'approved.txt');
    standIn.script([[{ name: 'bash', input: { command: `echo approved-run > ${marker} && echo bash-said-hello`, description: 'write a file' } }]]);
    const cli = copilot(env, project);
    const pending = await pendingOf(airlock, 'bash');
    expect(pending.server).toBe('copilot-cli');
    expect(pending.hook).toMatchObject({ client: 'copilot-cli', event: 'preToolUse', cwd: project, session: expect.any(String) });
    expect(pending.client.id).toBe('copilot-cli');
    expect(existsSync(marker)).toBe(false);
    expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
    const { code } = await cli.done;
    expect(code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('approved-run\n');
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.text).toContain('bash-said-hello');
    const entry = (await historyOf(airlock)).find((e) => e.id === pending.historyId)!;
    expect(entry).toMatchObject({ server: 'copilot-cli', tool: 'bash', client: 'copilot-cli', decision: 'approved' });
  }, 120_000);

  it('denied with a message, the command does not run and the model gets the message', async () => {
    const marker = join(project, 'denied.txt');
    standIn.script([[{ name: 'bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    const cli = copilot(env, project);
    const pending = await pendingOf(airlock, 'bash');
    await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not in this repository, please' });
    await cli.done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results).toHaveLength(1);
    // Copilot CLI hands a hook's denial to the model as the tool's result text (not flagged as an error).
    expect(standIn.results[0]!.text).toContain('Denied by preToolUse hook');
    expect(standIn.results[0]!.text).toContain('not in this repository, please');
  }, 120_000);

  it('an approval with edited arguments runs the edited command (modifiedArgs)', async () => {
    const asked = join(project, 'asked.txt');
    const edited = join(project, 'edited.txt');
    standIn.script([[{ name: 'bash', input: { command: `echo asked > ${asked}`, description: 'write' } }]]);
    const cli = copilot(env, project);
    const pending = await pendingOf(airlock, 'bash');
    expect(pending.editable).toBeUndefined();
    const res = await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve', arguments: { command: `echo edited > ${edited} && echo ran-edited`, description: 'write' } });
    expect(res.status).toBe(200);
    await cli.done;
    expect(existsSync(asked)).toBe(false);
    expect(readFileSync(edited, 'utf8')).toBe('edited\n');
    expect(standIn.results[0]!.text).toContain('ran-edited');
  }, 120_000);

  it('a read-only tool the policy allows (view) runs without a card', async () => {
    const file = join(project, 'notes.txt');
    writeFileSync(file, 'read me without asking\n');
    standIn.script([[{ name: 'view', input: { path: file } }]]);
    const added: string[] = [];
    const onEvent = (event: { type: string; pending?: PendingCall }) => {
      if (event.type === 'pending.added') added.push(event.pending!.tool);
    };
    airlock.on('event', onEvent);
    try {
      const { code } = await copilot(env, project).done;
      expect(code).toBe(0);
    } finally {
      airlock.off('event', onEvent);
    }
    expect(added).toEqual([]);
    expect(standIn.results[0]!.text).toContain('read me without asking');
    const entry = (await historyOf(airlock)).find((e) => e.server === 'copilot-cli' && e.tool === 'view');
    expect(entry).toMatchObject({ decision: 'allowed', client: 'copilot-cli' });
  }, 120_000);
});

/** The n-th card added while the run runs (cards left in the queue by an earlier test are not it). */
const nthCard = (seen: PendingCall[], n: number) => waitFor(() => seen[n], 60_000, `card ${n + 1}`);

/** Every card added while `run` runs (the whole run: a second card would come after the first is answered). */
async function cardsDuring(airlock: Airlock, run: (cards: PendingCall[]) => Promise<void>): Promise<PendingCall[]> {
  const cards: PendingCall[] = [];
  const onEvent = (event: { type: string; pending?: PendingCall }) => {
    if (event.type === 'pending.added') cards.push(event.pending!);
  };
  airlock.on('event', onEvent);
  try {
    await run(cards);
  } finally {
    airlock.off('event', onEvent);
  }
  return cards;
}

describe("Copilot CLI with VS Code's entry installed too (real CLI, real `protect vscode --hooks` and `protect copilot-cli --hooks`, stand-in model)", () => {
  let home: HookRig<MessagesStandIn>['home'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'copilot-both',
    standIn: startMessagesStandIn,
    env: copilotEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('vscode', home.dir, env);
      await protectHooks('copilot-cli', home.dir, env);
    },
  });

  it("VS Code's entry is in the hook folder Copilot CLI reads, its own in settings.json", () => {
    const folder = JSON.parse(readFileSync(join(env.COPILOT_HOME!, 'hooks', 'airlock.json'), 'utf8')) as { hooks: { PreToolUse: { command: string }[] } };
    expect(folder.hooks.PreToolUse).toHaveLength(1);
    expect(folder.hooks.PreToolUse[0]!.command).toContain(' hook vscode --home ');
    const settings = JSON.parse(readFileSync(join(env.COPILOT_HOME!, 'settings.json'), 'utf8')) as { hooks: { preToolUse: { bash: string }[] } };
    expect(settings.hooks.preToolUse[0]!.bash).toContain(' hook copilot-cli --home ');
  });

  it("one bash call shows one card, Copilot CLI's; approved, it runs", async () => {
    const marker = join(project, 'both-approved.txt');
    standIn.script([[{ name: 'bash', input: { command: `echo ran > ${marker} && echo both-said-hello`, description: 'write a file' } }]]);
    const cards = await cardsDuring(airlock, async (seen) => {
      const cli = copilot(env, project);
      const pending = await nthCard(seen, 0);
      expect(pending.server).toBe('copilot-cli');
      expect((await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'approve' })).status).toBe(200);
      expect((await cli.done).code).toBe(0);
    });
    expect(cards.map((c) => [c.server, c.tool, c.client.id])).toEqual([['copilot-cli', 'bash', 'copilot-cli']]);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.text).toContain('both-said-hello');
    const history = await historyOf(airlock);
    expect(history.find((e) => e.id === cards[0]!.historyId)).toMatchObject({ server: 'copilot-cli', decision: 'approved' });
    expect(history.filter((e) => e.server === 'vscode')).toEqual([]);
  }, 120_000);

  it('denied on that one card, the command does not run and the model gets the message', async () => {
    const marker = join(project, 'both-denied.txt');
    standIn.script([[{ name: 'bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    const cards = await cardsDuring(airlock, async (seen) => {
      const cli = copilot(env, project);
      const pending = await nthCard(seen, 0);
      expect(pending.server).toBe('copilot-cli');
      await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'asked once, denied once' });
      await cli.done;
    });
    expect(cards.map((c) => c.server)).toEqual(['copilot-cli']);
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results[0]!.text).toContain('asked once, denied once');
  }, 120_000);

  it("with Copilot CLI's settings.json hooks switched off (disableAllHooks), VS Code's entry still asks: one card, VS Code's", async () => {
    const settingsFile = join(env.COPILOT_HOME!, 'settings.json');
    const installed = readFileSync(settingsFile, 'utf8');
    // Copilot CLI then skips that file's inline hooks, but still runs the hook folder's.
    writeFileSync(settingsFile, JSON.stringify({ ...(JSON.parse(installed) as object), disableAllHooks: true }));
    try {
      const marker = join(project, 'switched-off.txt');
      standIn.script([[{ name: 'bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
      const cards = await cardsDuring(airlock, async (seen) => {
        const cli = copilot(env, project);
        const pending = await nthCard(seen, 0);
        expect(pending.server).toBe('vscode');
        await api(airlock, 'POST', `/pending/${pending.id}`, { decision: 'deny', message: 'not now' });
        await cli.done;
      });
      expect(cards.map((c) => [c.server, c.tool, c.client.id])).toEqual([['vscode', 'Bash', 'vscode']]);
      expect(existsSync(marker)).toBe(false);
      expect(standIn.results[0]!.text).toContain('not now');
    } finally {
      writeFileSync(settingsFile, installed);
    }
  }, 120_000);
});

describe("Copilot CLI with only VS Code's entry installed (real CLI, real `protect vscode --hooks`, stand-in model)", () => {
  let home: HookRig<MessagesStandIn>['home'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'copilot-vsonly',
    standIn: startMessagesStandIn,
    env: copilotEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('vscode', home.dir, env);
    },
  });

  it("VS Code's entry guards Copilot CLI's call: one card, named VS Code, with Claude's tool name; approved it runs, denied it does not", async () => {
    const approved = join(project, 'vs-approved.txt');
    const denied = join(project, 'vs-denied.txt');
    standIn.script([[{ name: 'bash', input: { command: `echo ran > ${approved}`, description: 'write' } }], [{ name: 'bash', input: { command: `touch ${denied}`, description: 'touch' } }]]);
    const cards = await cardsDuring(airlock, async (seen) => {
      const cli = copilot(env, project);
      const first = await nthCard(seen, 0);
      expect(first.hook).toMatchObject({ client: 'vscode', cwd: project, session: expect.any(String) });
      await api(airlock, 'POST', `/pending/${first.id}`, { decision: 'approve' });
      const second = await nthCard(seen, 1);
      await api(airlock, 'POST', `/pending/${second.id}`, { decision: 'deny', message: 'second one no' });
      await cli.done;
    });
    expect(cards.map((c) => [c.server, c.tool, c.client.id])).toEqual([
      ['vscode', 'Bash', 'vscode'],
      ['vscode', 'Bash', 'vscode'],
    ]);
    expect(readFileSync(approved, 'utf8')).toBe('ran\n');
    expect(existsSync(denied)).toBe(false);
    expect(standIn.results.map((r) => r.text).join('\n')).toContain('second one no');
  }, 120_000);
});

describe('Copilot CLI with Airlock stopped (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'copilot-down',
    standIn: startMessagesStandIn,
    env: copilotEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      await protectHooks('copilot-cli', home.dir, env);
    },
  });

  it('the call is refused with the "not running" message and does not run', async () => {
    // Installed while Airlock ran (the rig's prepare), then Airlock is stopped.
    await airlock.stop();
    const marker = join(project, 'never.txt');
    standIn.script([[{ name: 'bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    await copilot(env, project).done;
    expect(existsSync(marker)).toBe(false);
    expect(standIn.results).toHaveLength(1);
    expect(standIn.results[0]!.text).toContain('Airlock is not running');
  }, 120_000);
});

describe('Copilot CLI when nobody answers in time (real CLI, command hook, stand-in model)', () => {
  let home: HookRig<MessagesStandIn>['home'], airlock: Airlock, standIn: MessagesStandIn, env: NodeJS.ProcessEnv, project: string;
  hookRig({
    name: 'copilot-timeout',
    standIn: startMessagesStandIn,
    env: copilotEnv,
    prepare: async (rig) => {
      ({ home, airlock, standIn, env, project } = rig);
      // 12 s for the hook: Airlock gives the person 2 s of it.
      await protectHooks('copilot-cli', home.dir, env, '--hook-timeout', '12');
    },
  });

  it("the wait ends before the hook's timeout and the call is handed back to Copilot CLI's own hook prompt (which -p cannot show: not run)", async () => {
    const marker = join(project, 'unanswered.txt');
    standIn.script([[{ name: 'bash', input: { command: `touch ${marker}`, description: 'touch' } }]]);
    const cli = copilot(env, project);
    const pending = await pendingOf(airlock, 'bash');
    expect(pending.expiresAt - pending.createdAt).toBeLessThanOrEqual(2000);
    await cli.done;
    expect(existsSync(marker)).toBe(false);
    // Copilot CLI's own prompt got the call (with Airlock's reason); in -p it cannot ask, so it refused.
    expect(standIn.results[0]!.text).toContain('unable to ask user for confirmation');
    expect(standIn.results[0]!.text).toContain('GitHub Copilot CLI asks you instead');
    expect((await historyOf(airlock)).find((e) => e.id === pending.historyId)?.decision).toBe('timed_out');
  }, 120_000);
});
