/** A client file Airlock cannot read safely is reported with its path and never written. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverClients, importServers, protect, unprotect } from '../../main/core/clients/clients.ts';
import { rewriteFile, ConcurrentChangeError } from '../../main/core/clients/client-file.ts';
import { FORMATS, sandbox, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function configText(s: Sandbox): string {
  return readFileSync(join(s.airlock, 'config.json'), 'utf8');
}

describe.each(FORMATS)('malformed $label', (format) => {
  it('is reported with its path and left byte for byte as it was', () => {
    const s = (box = sandbox());
    // Cut off mid-entry, as an editor crash or a bad merge leaves it.
    const broken = format.text.slice(0, Math.floor(format.text.length * 0.6));
    const file = s.write(format.path(s), broken);
    const config = configText(s);

    const found = discoverClients(s.ctx()).find((c) => c.id === format.client)!.files.find((f) => f.path === file)!;
    expect(found.status).toBe('malformed');
    expect(found.error).toMatch(/line \d+, column \d+/);
    expect(found.servers).toEqual([]);

    for (const op of [protect, importServers, unprotect]) {
      const result = op(s.ctx(), { client: format.client });
      expect(result.ok).toBe(false);
      const outcome = result.files.find((f) => f.path === file)!;
      expect(outcome.status).toBe('error');
      expect(outcome.error).toMatch(/malformed: line \d+, column \d+/);
    }
    expect(s.read(file)).toBe(broken);
    expect(configText(s)).toBe(config);
    expect(existsSync(join(s.airlock, 'backups'))).toBe(false);
  });
});

describe('files a client could not read either', () => {
  it('a comment in a strict-JSON client file (Cursor) is malformed; in VS Code it is fine', () => {
    const s = (box = sandbox());
    const text = '{\n  // mine\n  "mcpServers": { "a": { "command": "x" } }\n}\n';
    const cursor = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    const vscode = s.write(join(s.project, '.vscode', 'mcp.json'), text.replace('mcpServers', 'servers'));
    const files = discoverClients(s.ctx()).flatMap((c) => c.files);
    expect(files.find((f) => f.path === cursor)).toMatchObject({ status: 'malformed', error: 'line 2, column 3: comments are not allowed in this file' });
    expect(files.find((f) => f.path === vscode)).toMatchObject({ status: 'ok' });
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(false);
    expect(s.read(cursor)).toBe(text);
  });

  it('a servers key that is not an object is reported for that file', () => {
    const s = (box = sandbox());
    const text = '{ "mcpServers": ["not", "an", "object"] }';
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    const found = discoverClients(s.ctx()).find((c) => c.id === 'cursor')!.files.find((f) => f.path === file)!;
    expect(found).toMatchObject({ status: 'malformed', error: '"mcpServers" is not an object' });
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(false);
    expect(s.read(file)).toBe(text);
  });

  it('an unreadable path is reported as unreadable', () => {
    const s = (box = sandbox());
    const path = join(s.homedir, '.cursor', 'mcp.json');
    mkdirSync(path, { recursive: true }); // a folder where the file should be
    const found = discoverClients(s.ctx()).find((c) => c.id === 'cursor')!.files.find((f) => f.path === path)!;
    expect(found.status).toBe('unreadable');
    expect(found.error).toBeTruthy();
    const result = protect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(false);
    expect(result.files[0]).toMatchObject({ path, status: 'error' });
  });

  it('a duplicated server name is not rewritten (JSON.parse would keep the other one)', () => {
    const s = (box = sandbox());
    const text = '{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}';
    const file = s.write(join(s.homedir, '.cursor', 'mcp.json'), text);
    const result = protect(s.ctx(), { client: 'cursor' });
    expect(result.ok).toBe(false);
    expect(result.files[0]!.servers[0]).toMatchObject({ name: 'a', status: 'error', message: '"a" is defined more than once' });
    expect(s.read(file)).toBe(text);
  });

  it('a file broken after protecting is not written by unprotect, and the record is kept until it is fixed', () => {
    const s = (box = sandbox());
    const format = FORMATS.find((f) => f.client === 'cursor' && f.scope === 'user')!;
    const file = s.write(format.path(s), format.text);
    expect(protect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    const good = s.read(file);
    s.write(file, good + '}');
    const failed = unprotect(s.ctx(), { client: 'cursor' });
    expect(failed.ok).toBe(false);
    expect(failed.files[0]).toMatchObject({ path: file, status: 'error' });
    expect(s.read(file)).toBe(good + '}');
    s.write(file, good);
    expect(unprotect(s.ctx(), { client: 'cursor' }).ok).toBe(true);
    expect(s.read(file)).toBe(format.text);
  });

  it('a file that changed between reading and writing is not overwritten', () => {
    const s = (box = sandbox());
    const file = s.write(join(s.root, 'x.json'), '{"a": 1}');
    expect(() => rewriteFile(file, '{"a": 0}', '{"a": 2}')).toThrow(ConcurrentChangeError);
    expect(s.read(file)).toBe('{"a": 1}');
  });
});
