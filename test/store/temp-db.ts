/** A fresh history.db path in its own temp folder per test, removed afterwards; a crash of a process writing it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-store-test-'));
  dirs.push(dir);
  return join(dir, 'history.db');
}

/**
 * Runs `body` in a separate Node process with the stores of `path` open (as `stores`); the
 * body ends with `crash(text)`, which prints the text and kills the process (SIGKILL: no
 * close, no exit handlers), as if the app crashed right there. Returns the text.
 */
export function crashAfter(path: string, body: string): string {
  const storesUrl = new URL('../../main/core/store/stores.ts', import.meta.url).href;
  const script = `
    const { openStores } = await import(${JSON.stringify(storesUrl)});
    const stores = openStores(${JSON.stringify(path)});
    const crash = (text) => process.stdout.write(text, () => process.kill(process.pid, 'SIGKILL'));
    ${body}
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.signal, run.stderr).toBe('SIGKILL');
  return run.stdout;
}
