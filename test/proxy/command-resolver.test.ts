/** A desktop app starts with a minimal PATH; stdio servers must still be found. */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandNotFoundError, resolveCommand } from '../../main/core/upstream/command-resolver.ts';
import { tempHome } from '../helpers/harness.ts';

const self = { command: '/opt/airlock/airlock', args: ['--bridge'] };

describe('resolving a stdio server command', () => {
  it('finds a command on the inherited PATH', () => {
    const home = tempHome();
    const bin = join(home.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'my-mcp-server'), '#!/bin/sh\n');
    chmodSync(join(bin, 'my-mcp-server'), 0o755);
    const resolved = resolveCommand('my-mcp-server', ['--x'], self, { PATH: bin }, 'linux');
    expect(resolved.command).toBe(join(bin, 'my-mcp-server'));
    expect(resolved.args).toEqual(['--x']);
    expect(resolved.path.split(':')[0]).toBe(bin);
    home.cleanup();
  });

  it('finds sh in the usual folders when the PATH a GUI app got is empty, and extends the child\'s PATH', () => {
    const resolved = resolveCommand('sh', [], self, { PATH: '' }, 'linux');
    expect(resolved.command).toMatch(/\/sh$/);
    expect(resolved.path).toContain('/usr/local/bin');
    expect(resolved.path).toContain('/usr/bin');
  });

  it('runs this Airlock for the command `airlock`', () => {
    const resolved = resolveCommand('airlock', ['demo-server'], self, { PATH: '' }, 'linux');
    expect(resolved.command).toBe('/opt/airlock/airlock');
    expect(resolved.args).toEqual(['--bridge', 'demo-server']);
  });

  it('names the command it could not find', () => {
    expect(() => resolveCommand('no-such-server-xyz', [], self, { PATH: '' }, 'linux')).toThrow(CommandNotFoundError);
    expect(() => resolveCommand('no-such-server-xyz', [], self, { PATH: '' }, 'linux')).toThrow(/"no-such-server-xyz" not found/);
  });
});
