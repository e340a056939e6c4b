/**
 * The policy file fails closed: whatever happens to policy.json while Airlock runs
 * (deleted, renamed, a dangling symlink, a FIFO, a huge or deeply nested file), the last
 * good policy stays in force; a file that is invalid at start refuses every call with its
 * file:line error until it is fixed. The upstream records every call that reaches it.
 */
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { MAX_POLICY_BYTES } from '../../main/core/policy/index.ts';
import { connectHttp, newClient, resultText, startAirlock, tempHome, waitFor } from '../helpers/harness.ts';
import { probeEvents, probeServer } from '../fixtures/probe.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const GOOD = { version: '1', default: 'deny', tools: { record_args: { action: 'deny', reason: 'the written policy refuses record_args' } } };

async function setup(policy: unknown = GOOD) {
  const h = tempHome();
  cleanups.push(() => h.cleanup());
  const log = join(h.dir, 'probe.jsonl');
  const airlock = await startAirlock(h.dir, { probe: probeServer(log) }, { policy });
  cleanups.push(() => airlock.stop());
  const client = await connectHttp(airlock, 'probe', newClient('attacker'));
  cleanups.push(() => client.close());
  const policyFile = join(h.dir, 'policy.json');
  const reached = () => probeEvents(log).filter((e) => e.event === 'args');
  return { h, airlock, client, policyFile, reached };
}

async function problemAppears(airlock: Airlock, pattern: RegExp): Promise<void> {
  await waitFor(() => airlock.policy.state().problems.some((p) => pattern.test(p.message)), 5000, `a policy problem matching ${pattern}`);
}

describe('policy.json changing under a running Airlock', () => {
  const cases: Array<[string, (file: string, dir: string) => void, RegExp]> = [
    ['deleted', (file) => rmSync(file), /missing/],
    ['renamed', (file, dir) => renameSync(file, join(dir, 'policy.json.bak')), /missing/],
    ['replaced by a dangling symlink', (file, dir) => (rmSync(file), symlinkSync(join(dir, 'nowhere.json'), file)), /missing/],
    ['replaced by a FIFO', (file) => (rmSync(file), execFileSync('mkfifo', [file])), /not a regular file/],
    ['grown past the size limit', (file) => writeFileSync(file, `{"version":"1","default":"allow"}${' '.repeat(MAX_POLICY_BYTES)}`), /larger than/],
    ['replaced by deeply nested JSON', (file) => writeFileSync(file, `{"version":"1","default":"allow","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /nested too deeply/],
    ['replaced by invalid JSON', (file) => writeFileSync(file, '{"version":"1","default":"allow",'), /invalid JSON|expected/],
  ];
  for (const [what, change, problem] of cases) {
    it(`keeps the last good policy when policy.json is ${what}`, async () => {
      const { h, airlock, client, policyFile, reached } = await setup();
      const version = airlock.policy.version;
      change(policyFile, h.dir);
      airlock.policy.reload();
      await problemAppears(airlock, problem);

      const result = await client.callTool({ name: 'record_args', arguments: { value: 'must not run' } });
      expect(result.isError).toBe(true);
      expect(resultText(result)).toContain('the written policy refuses record_args');
      expect(airlock.policy.version).toBe(version);
      expect(reached()).toEqual([]);
    });
  }
});

describe('policy.json invalid at start', () => {
  it('refuses every call with the file:line error until the file is fixed', async () => {
    const { airlock, client, policyFile, reached } = await setup('{\n  "version": "1",\n  "default": "allow",\n  "tols": {}\n}\n');
    // Still listed, so an agent's call meets the refusal that names the broken file.
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('record_args');
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'must not run' } });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/^\[Airlock\] Denied: there is no valid policy/);
    expect(resultText(result)).toContain('policy.json:4:3');
    expect(resultText(result)).toContain('unknown key "tols"');
    expect(reached()).toEqual([]);

    writeFileSync(policyFile, JSON.stringify({ version: '1', default: 'allow' }));
    await waitFor(() => airlock.policy.state().problems.length === 0, 5000, 'the fixed policy');
    const fixed = await client.callTool({ name: 'record_args', arguments: { value: 'runs now' } });
    expect(fixed.isError, resultText(fixed)).toBeFalsy();
    expect(reached().map((e) => e.args?.value)).toEqual(['runs now']);
  });

  it('a FIFO at start is an error, not a hang, and nothing runs', async () => {
    const h = tempHome();
    cleanups.push(() => h.cleanup());
    execFileSync('mkfifo', [join(h.dir, 'policy.json')]);
    const log = join(h.dir, 'probe.jsonl');
    const airlock = await startAirlock(h.dir, { probe: probeServer(log) }, { policy: null });
    cleanups.push(() => airlock.stop());
    expect(airlock.policy.state().problems[0]?.message).toMatch(/not a regular file/);
    const client = await connectHttp(airlock, 'probe');
    cleanups.push(() => client.close());
    const result = await client.callTool({ name: 'record_args', arguments: { value: 'must not run' } });
    expect(resultText(result)).toMatch(/no valid policy/);
    expect(probeEvents(log)).toEqual([]);
  });
});
