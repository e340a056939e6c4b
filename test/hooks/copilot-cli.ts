/**
 * Runs the real GitHub Copilot CLI (npm @github/copilot, a native binary that unpacks itself
 * under $XDG_CACHE_HOME or ~/.cache) offline in `-p` mode: HOME, its config folder
 * (COPILOT_HOME) and its cache in a temp folder, its model a BYOK Anthropic provider pointed
 * at the Messages API stand-in (no GitHub login needed), no auto-update, no network. No
 * permission flags: a hook's `allow` lets the call run, anything else Copilot CLI refuses
 * in `-p` (it cannot ask), so what runs is what Airlock allowed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/harness.ts';
import type { MessagesStandIn } from '../fixtures/messages-api-stand-in.ts';

const COPILOT = join(repoRoot, 'node_modules', '.bin', 'copilot');

/** HOME, config folder and cache of one offline Copilot CLI. */
export function copilotEnv(user: string, standIn: MessagesStandIn): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: user,
    COPILOT_HOME: join(user, '.copilot'),
    XDG_CACHE_HOME: join(user, '.cache'),
    COPILOT_PROVIDER_TYPE: 'anthropic',
    COPILOT_PROVIDER_BASE_URL: standIn.url,
    // Any key: the stand-in does not check it.
    COPILOT_PROVIDER_API_KEY: 'sk-ant-stand-in',
    COPILOT_MODEL: 'claude-sonnet-4.5',
    COPILOT_OFFLINE: 'true',
    COPILOT_AUTO_UPDATE: 'false',
    NO_COLOR: '1',
  };
}

export interface CopilotRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(): void;
}

export function runCopilot(env: NodeJS.ProcessEnv, cwd: string): CopilotRun {
  const child = spawn(COPILOT, ['-p', 'Do the scripted steps.', '--no-ask-user', '--no-auto-update'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  // The npm launcher runs the native binary as its child: the whole process group goes.
  const kill = () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  };
  const timer = setTimeout(kill, 110_000);
  void done.then(() => clearTimeout(timer));
  return { done, kill };
}
