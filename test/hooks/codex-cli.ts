/**
 * Runs the real Codex CLI (npm @openai/codex, its native binary) offline with `codex exec`:
 * HOME and CODEX_HOME in a temp folder, its model a custom provider pointed at a Responses
 * API stand-in. `--sandbox workspace-write` lets an approved command write in the project
 * folder (Codex's default for exec, read-only, would refuse the write Airlock approved);
 * `exec` never asks for approval itself, so what runs is what Airlock let through.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/harness.ts';
import type { ResponsesStandIn } from '../fixtures/responses-api-stand-in.ts';

// The package's launcher, run by this Node: it execs the native binary (same pid, so a kill reaches it).
const CODEX = join(repoRoot, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

/** HOME and CODEX_HOME of one offline Codex, its config.toml naming the stand-in as the model provider. */
export function codexEnv(user: string, standIn: ResponsesStandIn): NodeJS.ProcessEnv {
  const codexHome = join(user, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'model = "gpt-stand-in"',
      'model_provider = "stand-in"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.stand-in]',
      'name = "Responses API stand-in"',
      `base_url = "${standIn.url}"`,
      'wire_api = "responses"',
      'env_key = "STAND_IN_API_KEY"',
      '',
    ].join('\n'),
  );
  return {
    PATH: process.env.PATH ?? '',
    HOME: user,
    CODEX_HOME: codexHome,
    // Any key: the stand-in does not check it; Codex needs one to start without a login.
    STAND_IN_API_KEY: 'sk-stand-in',
    NO_COLOR: '1',
  };
}

export interface CodexRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Ends the run now (a failed test must leave no Codex behind). */
  kill(): void;
}

/**
 * `trusted`: `--dangerously-bypass-hook-trust`, Codex's switch for automation that vets its
 * hooks itself, standing in for the person trusting Airlock's entry in Codex's `/hooks`
 * (Codex runs a new or changed hook only once it is trusted).
 */
export function runCodex(env: NodeJS.ProcessEnv, cwd: string, options: { trusted?: boolean } = {}): CodexRun {
  const trust = options.trusted === false ? [] : ['--dangerously-bypass-hook-trust'];
  const args = ['exec', '--skip-git-repo-check', '--sandbox', 'workspace-write', ...trust, 'Do the scripted steps.'];
  const child = spawn(process.execPath, [CODEX, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  void done.then(() => clearTimeout(timer));
  return { done, kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') };
}
