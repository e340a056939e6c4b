/**
 * The hook's own entry (main/hook.ts, what `airlock protect --hooks` writes) fails closed on
 * its own failures: a bad command line exits 2, which every hook client takes as "blocked"
 * (an exit 1 would let Claude Code, Codex and Gemini CLI run the tool).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempHome } from '../helpers/harness.ts';

const HOOK_ENTRY = join(repoRoot, 'main', 'hook.ts');
const EVENT = JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'true' }, session_id: 's', cwd: '/', transcript_path: '/t' });

function hook(...args: string[]) {
  const home = tempHome('airlock-hook-entry-');
  try {
    const run = spawnSync(process.execPath, [HOOK_ENTRY, 'hook', ...args, '--home', home.dir], { input: EVENT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    home.cleanup();
  }
}

describe('airlock hook (its own entry)', () => {
  it('an unknown option or a bad value refuses the call with exit 2', () => {
    for (const args of [['claude-code', '--bogus'], ['claude-code', '--timeout', 'soon']]) {
      const { code, stderr } = hook(...args);
      expect(code).toBe(2);
      expect(stderr).toContain('[Airlock] Refused: airlock hook failed');
    }
  });

  it('answers in the client\'s format otherwise: with no Airlock running, a refusal saying so (exit 0)', () => {
    const { code, stdout } = hook('claude-code');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny', permissionDecisionReason: expect.stringContaining('Airlock is not running') } });
  });
});
