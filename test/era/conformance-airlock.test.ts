/**
 * The MCP conformance suite (real CLI from npm) through Airlock: a real Airlock in a temporary
 * home, the SDK v2 conformance fixture as its upstream over HTTP, the suite's client on
 * `/mcp/<server>` with the bearer token. Every scenario must get the verdict it gets against the
 * fixture directly, and both must match the baseline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import { serveConformanceHttp, type ConformanceHttpServer } from '../fixtures/conformance-server.ts';
import { startAirlock, tempHome, TEST_MCP_TOKEN } from '../helpers/harness.ts';
import { readBaseline, runConformance, type ConformanceRun } from './conformance.ts';

let fixture: ConformanceHttpServer | undefined;
let airlock: Airlock | undefined;
let home: ReturnType<typeof tempHome> | undefined;
afterEach(async () => {
  await airlock?.stop();
  await fixture?.close();
  home?.cleanup();
  airlock = undefined;
  fixture = undefined;
  home = undefined;
});

const verdicts = (run: ConformanceRun): Record<string, boolean> => Object.fromEntries(run.scenarios.map((s) => [s.scenario, s.passed]));

describe('conformance suite through Airlock', () => {
  it('passes through Airlock exactly what passes against the server directly', { timeout: 180_000 }, async () => {
    fixture = await serveConformanceHttp();
    home = tempHome();
    airlock = await startAirlock(home.dir, { conformance: { url: fixture.url } });

    const direct = await runConformance(fixture.url, { suite: 'all' });
    const through = await runConformance(new URL('/mcp/conformance', airlock.url).href, { suite: 'all', bearerToken: TEST_MCP_TOKEN });

    expect(Object.keys(verdicts(through)).length).toBeGreaterThanOrEqual(30);
    expect(verdicts(through)).toEqual(verdicts(direct));
    expect(through.scenarios.filter((s) => !s.passed).map((s) => s.scenario).sort()).toEqual(readBaseline().sort());
  });
});
