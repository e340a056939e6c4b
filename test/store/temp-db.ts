/** A fresh history.db path in its own temp folder per test, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-store-test-'));
  dirs.push(dir);
  return join(dir, 'history.db');
}
