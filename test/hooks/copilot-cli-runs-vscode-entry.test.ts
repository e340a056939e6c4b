/**
 * GitHub Copilot CLI runs VS Code's entry (`~/.copilot/hooks/airlock.json`) before each of its
 * tools. `airlock hook vscode` steps aside (an answer that decides nothing) only when the event
 * and environment are Copilot CLI's and Airlock's own Copilot CLI entry stands in the
 * settings.json beside that hook folder; in every other case it asks Airlock itself. No Airlock
 * runs here, so "asks Airlock" shows as the refusal that says Airlock is not running.
 * (test/hooks/copilot-cli-e2e.test.ts runs the same with the real Copilot CLI.)
 */
import { Readable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHook } from '../../main/core/hooks/hook-command.ts';
import { installHooks, type HookInstallContext } from '../../main/core/hooks/hook-install.ts';
import { tempHome } from '../helpers/harness.ts';

const SELF = { command: '/opt/airlock/node', args: ['/opt/airlock/cli.ts'] };

let dirs: ReturnType<typeof tempHome>[] = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

function setup(...clients: ('vscode' | 'copilot-cli')[]) {
  const home = tempHome('airlock-shared-folder-');
  const user = tempHome('airlock-shared-folder-user-');
  dirs.push(home, user);
  const ctx: HookInstallContext = { home: home.dir, self: SELF, env: { homedir: user.dir, platform: 'linux', env: {}, projects: [] } };
  for (const client of clients) expect(installHooks(ctx, client).status).toBe('written');
  const copilotHome = join(user.dir, '.copilot');
  // What Copilot CLI 1.0.102 sets for an entry of its user hook folder.
  const env = { PATH: process.env.PATH ?? '', COPILOT_CLI: '1', COPILOT_HOOK_DIR: join(copilotHome, 'hooks') };
  return { home: home.dir, settings: join(copilotHome, 'settings.json'), env };
}

// The event as Copilot CLI 1.0.102 sends it to a Claude-format entry (recorded from the real CLI).
const COPILOT_EVENT = { hook_event_name: 'PreToolUse', session_id: 'c7b295a7', timestamp: '2026-12-01T16:51:57.573Z', cwd: '/p', tool_name: 'Bash', tool_input: { command: 'touch x', description: 'touch' } };
// VS Code's own (its hooks reference).
const VSCODE_EVENT = { timestamp: '2026-12-01T16:51:57.573Z', cwd: '/p', sessionId: 's1', hookEventName: 'PreToolUse', transcript_path: '/t', tool_name: 'runInTerminal', tool_input: { command: 'touch x' }, tool_use_id: 'tool-1' };

function vscodeHook(home: string, event: unknown, env: NodeJS.ProcessEnv) {
  return runHook('vscode', { home }, { stdin: Readable.from([JSON.stringify(event)]), env });
}

function asksAirlock(answer: { stdout: string; exitCode: number }) {
  expect(answer.exitCode).toBe(0);
  expect(JSON.parse(answer.stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: expect.stringContaining('Airlock is not running') } });
}

describe("airlock hook vscode, run by Copilot CLI from the hook folder it shares with VS Code", () => {
  it("steps aside with an answer that decides nothing when Airlock's Copilot CLI entry stands in that Copilot CLI's settings.json", async () => {
    const { home, env } = setup('vscode', 'copilot-cli');
    const answer = await vscodeHook(home, COPILOT_EVENT, env);
    expect(answer).toEqual({ stdout: '{}', exitCode: 0 });
  });

  it('asks Airlock itself when only the VS Code entry is installed', async () => {
    const { home, env } = setup('vscode');
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, env));
  });

  it("asks Airlock itself for VS Code's own event, even with Copilot CLI's variables inherited", async () => {
    const { home, env } = setup('vscode', 'copilot-cli');
    asksAirlock(await vscodeHook(home, VSCODE_EVENT, env));
  });

  it('asks Airlock itself when the environment is not Copilot CLI running a hook-folder entry', async () => {
    const { home, env } = setup('vscode', 'copilot-cli');
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, { PATH: env.PATH, COPILOT_CLI: '1' }));
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, { PATH: env.PATH, COPILOT_HOOK_DIR: env.COPILOT_HOOK_DIR }));
  });

  it('asks Airlock itself when the running Copilot CLI has another home than the one the entry went into', async () => {
    const { home, env } = setup('vscode', 'copilot-cli');
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, { ...env, COPILOT_HOOK_DIR: '/elsewhere/.copilot/hooks' }));
  });

  it("asks Airlock itself when Copilot CLI's entry was taken out of settings.json, or its hooks are switched off there", async () => {
    const { home, env, settings } = setup('vscode', 'copilot-cli');
    const installed = readFileSync(settings, 'utf8');
    const parsed = JSON.parse(installed) as { hooks: { preToolUse: unknown[] } };
    writeFileSync(settings, JSON.stringify({ ...parsed, hooks: { preToolUse: [] } }));
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, env));
    // Copilot CLI then skips the file's inline hooks but still runs the hook folder's.
    writeFileSync(settings, JSON.stringify({ ...parsed, disableAllHooks: true }));
    asksAirlock(await vscodeHook(home, COPILOT_EVENT, env));
    writeFileSync(settings, installed);
    expect(await vscodeHook(home, COPILOT_EVENT, env)).toEqual({ stdout: '{}', exitCode: 0 });
  });

  it("never steps aside for another client's entry", async () => {
    const { home, env } = setup('vscode', 'copilot-cli');
    const answer = await runHook('claude-code', { home }, { stdin: Readable.from([JSON.stringify(COPILOT_EVENT)]), env });
    expect(JSON.parse(answer.stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
  });
});
