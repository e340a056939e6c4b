/** `airlock policy check` and `airlock history export`, run as a user would run them. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVERYTHING, cliPath, connectHttp, newClient, startAirlock, tempHome } from '../helpers/harness.ts';

const airlockCli = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('airlock policy check', () => {
  it('explains a valid policy', () => {
    const home = tempHome();
    const file = join(home.dir, 'p.json');
    writeFileSync(file, JSON.stringify({ version: '1', default: 'deny', tools: { image_to_image: { limits: [{ counter: 'i2i', window: 'minute', max: 10, scope: 'grant' }] } } }));
    const result = airlockCli('policy', 'check', file);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('is valid');
    expect(result.stdout).toMatch(/image_to_image/);
    expect(result.stdout).toMatch(/at most 10 calls per minute per client/);
    home.cleanup();
  });

  it('prints file:line-located errors and exits 1', () => {
    const home = tempHome();
    const file = join(home.dir, 'policy.json');
    writeFileSync(file, '{\n  "version": "1",\n  "default": "deny",\n  "tools": { "x": { "limits": [{ "window": "fortnight", "max": 1 }] } }\n}\n');
    const result = airlockCli('policy', 'check', '--home', home.dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:4:`);
    expect(result.stderr).toMatch(/window/);
    home.cleanup();
  });
});

describe('airlock history export', () => {
  it('streams the history of a home as JSONL and CSV, beside a running Airlock', async () => {
    const home = tempHome();
    const airlock = await startAirlock(home.dir, { everything: EVERYTHING });
    const client = await connectHttp(airlock, 'everything', newClient('exporter'));
    await client.callTool({ name: 'echo', arguments: { message: 'one' } });
    await client.callTool({ name: 'echo', arguments: { message: 'two' } });
    const jsonl = airlockCli('history', 'export', '--home', home.dir);
    expect(jsonl.status, jsonl.stderr).toBe(0);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tool: string; arguments: { message: string } });
    expect(lines.map((l) => l.arguments.message).sort()).toEqual(['one', 'two']);
    const csv = airlockCli('history', 'export', '--format', 'csv', '--home', home.dir);
    expect(csv.stdout.split('\n')[0]).toMatch(/^id,/);
    expect(airlockCli('history', 'export', '--format', 'xml', '--home', home.dir).status).not.toBe(0);
    await client.close();
    await airlock.stop();
    home.cleanup();
  });
});
