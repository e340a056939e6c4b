/**
 * `airlock serve` on a taken port says which port and what to do, and a first start that
 * cannot listen leaves no half-made home behind. Real CLI, a real socket holding the port.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, tempHome, writeConfig } from '../helpers/harness.ts';

describe('a taken port', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
  });

  function serve(home: string, ...args: string[]) {
    return spawnSync(process.execPath, [cliPath, 'serve', '--home', home, ...args], { encoding: 'utf8', env: { ...process.env, AIRLOCK_HOME: '' }, timeout: 20_000 });
  }

  it('is named, with what to do, before a new home is created', () => {
    const parent = tempHome('airlock-port-');
    try {
      const home = join(parent.dir, 'new-home');
      const run = serve(home, '--port', String(port));
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `airlock: port ${port} on 127.0.0.1 is already in use (by another program, or an Airlock running with another home). ` +
          `Stop that program, or give Airlock another port: --port N (0 = any free port), or "airlock": { "port": N } in ${join(home, 'config.json')}\n`,
      );
      expect(existsSync(home)).toBe(false);
    } finally {
      parent.cleanup();
    }
  });

  it('is named the same way for an existing home whose config.json sets that port', () => {
    const home = tempHome('airlock-port-');
    try {
      writeConfig(home.dir, { mcpServers: {}, airlock: { port } });
      const run = serve(home.dir);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`airlock: port ${port} on 127.0.0.1 is already in use`);
      expect(run.stderr).not.toContain('EADDRINUSE');
      // The home is as it was, free for the next start: no runtime file, no lock.
      expect(readdirSync(home.dir).filter((f) => f === 'runtime.json' || f === 'airlock.lock')).toEqual([]);
    } finally {
      home.cleanup();
    }
  });
});
