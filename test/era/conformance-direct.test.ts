/**
 * The MCP conformance suite (real CLI from npm) against the conformance fixture directly: the
 * reference a run through Airlock is compared with. Every scenario of the "all" suite must
 * match test/era/conformance-baseline.yml, by the CLI's own verdict and by scenario.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveConformanceHttp, type ConformanceHttpServer } from '../fixtures/conformance-server.ts';
import { CLIENT_KINDS, connectHttp, type EraClient } from './clients.ts';
import { BASELINE_FILE, readBaseline, runConformance } from './conformance.ts';

let server: ConformanceHttpServer | undefined;
let client: EraClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

const textOf = (result: { content?: unknown }): string => ((result.content as { text?: string }[] | undefined) ?? []).map((c) => c.text ?? '').join('');

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

// The suite's client is 2025-era only; these are the same tools on the fixture's other leg
// (what Airlock meets upstream when it negotiates 2026-07-28 with it).
describe.each(CLIENT_KINDS)('conformance fixture, %s client', (kind) => {
  it('lands on its era and runs the interactive tools', async () => {
    server = await serveConformanceHttp();
    client = await connectHttp(kind, server.url, undefined, {
      elicitation: { action: 'accept', content: { username: 'ada', email: 'ada@example.com' } },
      sampling: async () => ({ role: 'assistant', content: { type: 'text', text: 'a sampled reply' }, model: 'stand-in-model', stopReason: 'endTurn' }),
    });
    const progress: number[] = [];

    expect(client.era).toBe(kind === 'legacy' ? 'legacy' : 'modern');
    expect(textOf(await client.callTool('test_elicitation', { message: 'Who are you?' }))).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
    expect(textOf(await client.callTool('test_sampling', { prompt: 'Say something' }))).toBe('LLM response: a sampled reply');
    await client.callTool('test_tool_with_progress', {}, { onprogress: (p) => progress.push(p.progress) });
    expect(progress[0]).toBe(0);
    expect(client.elicitations).toEqual([expect.objectContaining({ message: 'Who are you?' })]);
  });
});
