/**
 * For each client format: import, protect, unprotect. Protecting rewrites only the chosen
 * entries (in the client's dialect), backs the file up first and is idempotent; unprotecting
 * gives back the original bytes, or keeps the person's other edits when they made some.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverClients, importServers, protect, unprotect } from '../../main/core/clients/clients.ts';
import { TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { AIRLOCK_PORT, FAKE_SELF, FORMATS, sandbox, type Format, type Sandbox } from './fixtures.ts';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function setup(format: Format): { s: Sandbox; file: string } {
  const s = (box = sandbox());
  const file = s.write(format.path(s), format.text);
  return { s, file };
}

function json(text: string): Record<string, unknown> {
  return parseJsonc(text, [], { allowTrailingComma: true }) as Record<string, unknown>;
}

function at(value: unknown, path: string[]): Record<string, unknown> {
  let v = value;
  for (const key of path) v = (v as Record<string, unknown>)[key];
  return v as Record<string, unknown>;
}

function expectedEntry(format: Format, s: Sandbox, server: string): Record<string, unknown> {
  if (format.via === 'stdio' && format.scope === 'project') {
    // Committed files: no path of this machine, the `airlock` command on PATH.
    const args = ['connect', server];
    return format.client === 'cursor' ? { command: 'airlock', args } : { type: 'stdio', command: 'airlock', args };
  }
  if (format.via === 'stdio') {
    // The bridge sends the client's own token: its calls are recorded with its name.
    const args = [...FAKE_SELF.args, 'connect', server, '--home', s.airlock, '--client', format.client];
    return format.client === 'claude-code' || format.client === 'vscode' ? { type: 'stdio', command: FAKE_SELF.command, args } : { command: FAKE_SELF.command, args };
  }
  const url = `http://127.0.0.1:${AIRLOCK_PORT}/mcp/${server}`;
  // The client's own named token, created in auth.json by the first protect.
  const token = (JSON.parse(readFileSync(join(s.airlock, 'auth.json'), 'utf8')) as { clients: Record<string, string> }).clients[format.client];
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(token).not.toBe(TEST_MCP_TOKEN);
  const headers = { Authorization: `Bearer ${token}` };
  return format.client === 'cursor' ? { url, headers } : { type: 'http', url, headers };
}

function airlockConfig(s: Sandbox): { mcpServers: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(s.airlock, 'config.json'), 'utf8'));
}

function backups(s: Sandbox): string[] {
  const dir = join(s.airlock, 'backups');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
}

describe.each(FORMATS)('$label', (format) => {
  it('is discovered at its documented location, with its servers unprotected', () => {
    const { s, file } = setup(format);
    const client = discoverClients(s.ctx()).find((c) => c.id === format.client)!;
    const found = client.files.find((f) => f.path === file && f.scope === format.scope)!;
    expect(found).toMatchObject({ status: 'ok', location: format.location });
    const names = Object.keys(at(json(format.text), format.location));
    expect(found.servers.map((x) => x.name)).toEqual(names);
    expect(found.servers.every((x) => !x.protected)).toBe(true);
    // Listings never carry secrets.
    expect(JSON.stringify(client)).not.toMatch(/fixture_secret|postgres:/);
  });

  it('imports its servers into config.json with env and headers, and leaves the client file alone', () => {
    const { s, file } = setup(format);
    const result = importServers(s.ctx(), { client: format.client, servers: format.protect, files: [file] });
    expect(result.ok).toBe(true);
    expect(result.configChanged).toBe(true);
    expect(s.read(file)).toBe(format.text);
    const original = at(json(format.text), format.location);
    const config = airlockConfig(s);
    for (const name of format.protect) {
      const entry = original[name] as Record<string, unknown>;
      const imported = config.mcpServers[name]!;
      expect(imported).toBeDefined();
      if ('command' in entry) {
        expect(imported).toMatchObject({ command: entry.command, args: entry.args });
        if (entry.env && Object.keys(entry.env).length) expect(imported.env).toEqual(entry.env);
      } else {
        expect(imported.url).toBe(entry.url);
        if (entry.headers) expect(imported.headers).toEqual(entry.headers);
      }
    }
    // Importing again reuses what is there.
    const before = readFileSync(join(s.airlock, 'config.json'), 'utf8');
    const again = importServers(s.ctx(), { client: format.client, servers: format.protect, files: [file] });
    expect(again.files.flatMap((f) => f.servers.map((x) => x.status))).toEqual(format.protect.map(() => 'reused'));
    expect(readFileSync(join(s.airlock, 'config.json'), 'utf8')).toBe(before);
  });

  it('protect: Airlock entries in the client dialect, a backup first, other keys untouched; twice changes nothing', () => {
    const { s, file } = setup(format);
    const result = protect(s.ctx(), { client: format.client, servers: format.protect });
    expect(result.ok).toBe(true);
    const outcome = result.files.find((f) => f.path === file)!;
    expect(outcome.status).toBe('written');
    expect(outcome.servers.map((x) => [x.name, x.status])).toEqual(format.protect.map((n) => [n, 'protected']));

    const after = s.read(file);
    const parsedAfter = json(after);
    const parsedBefore = json(format.text);
    for (const name of format.protect) expect(at(parsedAfter, format.location)[name]).toEqual(expectedEntry(format, s, name));
    // Everything else is as it was: drop the protected entries and compare.
    for (const name of format.protect) {
      delete at(parsedAfter, format.location)[name];
      delete at(parsedBefore, format.location)[name];
    }
    expect(parsedAfter).toEqual(parsedBefore);
    if (format.text.includes('\r\n')) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    // Comments on their own lines survive.
    for (const line of format.text.split(/\r?\n/).filter((l) => /^\s*(\/\/|\/\*)/.test(l))) expect(after).toContain(line);

    const [backup] = backups(s);
    expect(backup).toMatch(new RegExp(`${format.client}-[0-9TZ-]+\\.json$`));
    expect(readFileSync(backup!, 'utf8')).toBe(format.text);
    expect(statSync(join(s.airlock, 'protected.json')).mode & 0o777).toBe(0o600);
    expect(statSync(backup!).mode & 0o777).toBe(0o600);

    const listed = discoverClients(s.ctx()).find((c) => c.id === format.client)!.files.find((f) => f.path === file && f.scope === format.scope)!;
    for (const x of listed.servers) expect(x.protected).toBe(format.protect.includes(x.name));
    expect(listed.servers.filter((x) => x.protected).every((x) => x.restorable && x.via === format.via)).toBe(true);

    const twice = protect(s.ctx(), { client: format.client, servers: format.protect });
    expect(twice.ok).toBe(true);
    expect(twice.files.find((f) => f.path === file)!.status).toBe('unchanged');
    expect(twice.files.flatMap((f) => f.servers.map((x) => x.status))).toEqual(format.protect.map(() => 'unchanged'));
    expect(s.read(file)).toBe(after);
    expect(backups(s)).toHaveLength(1);
  });

  it('unprotect restores the original file byte for byte', () => {
    const { s, file } = setup(format);
    expect(protect(s.ctx(), { client: format.client, servers: format.protect }).ok).toBe(true);
    expect(s.read(file)).not.toBe(format.text);
    const result = unprotect(s.ctx(), { client: format.client });
    expect(result.ok).toBe(true);
    expect(result.files.flatMap((f) => f.servers.map((x) => x.status))).toEqual(format.protect.map(() => 'restored'));
    expect(s.read(file)).toBe(format.text);
    expect(JSON.parse(readFileSync(join(s.airlock, 'protected.json'), 'utf8')).entries).toEqual([]);
    // Nothing left to do the second time.
    const again = unprotect(s.ctx(), { client: format.client });
    expect(again.ok).toBe(true);
    expect(s.read(file)).toBe(format.text);
  });

  it("unprotect keeps the person's edits to other entries made while protected", () => {
    const { s, file } = setup(format);
    expect(protect(s.ctx(), { client: format.client, servers: format.protect }).ok).toBe(true);
    const [from, to] = format.edit;
    const protectedText = s.read(file);
    expect(protectedText).toContain(from);
    s.write(file, protectedText.replace(from, to));
    const result = unprotect(s.ctx(), { client: format.client });
    expect(result.ok).toBe(true);
    expect(s.read(file)).toBe(format.text.replace(from, to));
  });
});
