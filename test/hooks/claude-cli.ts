/**
 * Runs the real Claude Code CLI (npm @anthropic-ai/claude-code) offline in `-p` mode: HOME
 * and its config folder in a temp folder, its model API pointed at a Messages API stand-in,
 * no auto-update and no non-essential traffic. No permission flags: a hook's `allow` skips
 * Claude Code's own permission prompt, and what Airlock refuses is refused before it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/harness.ts';
import type { MessagesStandIn } from '../fixtures/messages-api-stand-in.ts';

const CLAUDE = join(repoRoot, 'node_modules', '.bin', 'claude');

/** HOME, config folder and project of one offline Claude Code. */
export function claudeEnv(user: string, standIn: MessagesStandIn): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: user,
    CLAUDE_CONFIG_DIR: join(user, '.claude'),
    ANTHROPIC_BASE_URL: standIn.url,
    // Any key: the stand-in does not check it; Claude Code needs one to start without a login.
    ANTHROPIC_API_KEY: 'sk-ant-stand-in',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_COLOR: '1',
  };
}

export interface ClaudeRun {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function runClaude(env: NodeJS.ProcessEnv, cwd: string): ClaudeRun {
  const child = spawn(CLAUDE, ['-p', 'Do the scripted steps.', '--output-format', 'json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  void done.then(() => clearTimeout(timer));
  return { done };
}

