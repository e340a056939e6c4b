/**
 * Runs the real Gemini CLI (npm @google/gemini-cli) offline in `-p` mode: HOME and its
 * `.gemini` folder in a temp folder, its model API pointed at a Gemini API stand-in (API-key
 * auth, a pinned model so no routing request is made), no auto-update, no usage statistics.
 *
 * `--approval-mode yolo`: Gemini CLI runs BeforeTool hooks before its own approval, and a
 * hook's `allow` does not skip that approval; in `-p` mode, without yolo (or a Gemini policy
 * rule allowing it), the shell tool is not even offered. With yolo, Airlock's hook is the one
 * gate, as it is for a person who lets Airlock decide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../helpers/harness.ts';
import type { GeminiStandIn } from '../fixtures/gemini-api-stand-in.ts';

const GEMINI = packageFile('@google/gemini-cli', 'bundle/gemini.js');

/**
 * HOME and settings of one offline Gemini CLI; `airlock protect gemini-cli --hooks` adds to the
 * settings. With `cliHome`, its `.gemini` folder is there (GEMINI_CLI_HOME) instead of in HOME.
 */
export function geminiEnv(user: string, standIn: GeminiStandIn, cliHome?: string): NodeJS.ProcessEnv {
  const configDir = join(cliHome ?? user, '.gemini');
  mkdirSync(configDir, { recursive: true });
  const settings = {
    // Comments are allowed in Gemini CLI's settings: the hook installer must keep them.
    security: { auth: { selectedType: 'gemini-api-key' } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
  };
  writeFileSync(join(configDir, 'settings.json'), `// offline test settings\n${JSON.stringify(settings, null, 2)}\n`);
  return {
    PATH: process.env.PATH ?? '',
    HOME: user,
    ...(cliHome && { GEMINI_CLI_HOME: cliHome }),
    GOOGLE_GEMINI_BASE_URL: standIn.url,
    // Any key: the stand-in does not check it; API-key auth needs one to start without a login.
    GEMINI_API_KEY: 'stand-in-key',
    // The project folder is a fresh temp folder: trusted for this run, as in CI.
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    // One process (no relaunch with a bigger heap): faster, and one process group to kill.
    GEMINI_CLI_NO_RELAUNCH: '1',
    NO_COLOR: '1',
  };
}

export interface GeminiRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

export function runGemini(env: NodeJS.ProcessEnv, cwd: string): GeminiRun {
  const args = [GEMINI, '-m', 'gemini-2.5-flash', '-p', 'Do the scripted steps.', '--output-format', 'json', '--approval-mode', 'yolo'];
  // Its own process group: the shell commands it starts go with it when it is killed.
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  const timer = setTimeout(() => killGroup(child), 110_000);
  void done.then(() => clearTimeout(timer));
  return { done };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** For afterEach: a run a failed test left behind is killed, with what it started. */
export async function killGeminiRuns(): Promise<void> {
  const left = [...running];
  for (const child of left) killGroup(child);
  await Promise.all(left.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('close', resolve)))));
}
