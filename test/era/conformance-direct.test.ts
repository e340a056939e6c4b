/**
 * The MCP conformance suite (real CLI from npm) against the conformance fixture directly: the
 * reference a run through Airlock is compared with. Every scenario of the "all" suite must
 * match test/era/conformance-baseline.yml, by the CLI's own verdict and by scenario.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveConformanceHttp, type ConformanceHttpServer } from '../fixtures/conformance-server.ts';
import { BASELINE_FILE, readBaseline, runConformance } from './conformance.ts';

let server: ConformanceHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('conformance suite against the SDK v2 conformance fixture', () => {
  it('fails exactly the scenarios listed in the baseline', { timeout: 120_000 }, async () => {
    server = await serveConformanceHttp();
    const run = await runConformance(server.url, { suite: 'all', expectedFailuresFile: BASELINE_FILE });

    const failed = run.scenarios.filter((s) => !s.passed).map((s) => s.scenario).sort();
    expect(failed).toEqual(readBaseline().sort());
    expect(run.exitCode, run.output).toBe(0);
    // The scenarios the integration depends on ran at all (a parse slip would pass vacuously).
    expect(run.scenarios.map((s) => s.scenario)).toEqual(
      expect.arrayContaining(['server-initialize', 'tools-call-simple-text', 'tools-call-with-progress', 'tools-call-elicitation', 'tools-call-sampling', 'resources-read-text', 'prompts-get-with-args', 'dns-rebinding-protection']),
    );
  });

  it('sends the bearer token to an endpoint that requires one, and fails without it', { timeout: 60_000 }, async () => {
    server = await serveConformanceHttp(0, { bearerToken: 'conformance-token' });

    const withToken = await runConformance(server.url, { scenario: 'tools-call-simple-text', bearerToken: 'conformance-token' });
    const without = await runConformance(server.url, { scenario: 'tools-call-simple-text' });

    expect(withToken.scenarios).toEqual([expect.objectContaining({ scenario: 'tools-call-simple-text', passed: true })]);
    expect(without.scenarios).toEqual([expect.objectContaining({ scenario: 'tools-call-simple-text', passed: false })]);
  });
});
