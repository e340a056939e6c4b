/**
 * Runs the MCP conformance suite's server scenarios (`@modelcontextprotocol/conformance`, the
 * real CLI from npm) against a URL and reports each scenario's verdict, so a test can run it
 * against a server directly and through Airlock and compare.
 *
 * The suite (0.1.16) has no option for request headers; for an endpoint behind a bearer token
 * the run goes through a loopback forwarder that adds `Authorization`. It rewrites Host and
 * Origin only where they name the forwarder itself (to the target's port, which a
 * DNS-rebinding guard checks), so the suite's foreign Host/Origin reach the target unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
export const BASELINE_FILE = join(import.meta.dirname, 'conformance-baseline.yml');

export interface ScenarioResult {
  scenario: string;
  /** No failed check and no warning: the rule the CLI's baseline applies. */
  passed: boolean;
  checksPassed: number;
  checksFailed: number;
  /** Failed and warning checks' messages, from the scenario's checks.json when the suite wrote one. */
  failures: string[];
  warnings: string[];
}

export interface ConformanceRun {
  scenarios: ScenarioResult[];
  /** The CLI's exit code: with `expectedFailuresFile`, 0 means "matches the baseline". */
  exitCode: number;
  output: string;
}

export interface ConformanceOptions {
  /** Sent as `Authorization: Bearer <token>` on every request of the run. */
  bearerToken?: string;
  /** One scenario, e.g. `tools-call-simple-text`; otherwise the whole suite. */
  scenario?: string;
  /** `active` (the CLI's default) or `all` (adds the pending scenarios). */
  suite?: 'active' | 'all';
  /** A YAML baseline (`server: [names]`), handed to the CLI's `--expected-failures`. */
  expectedFailuresFile?: string;
  timeoutMs?: number;
}

export async function runConformance(url: string, options: ConformanceOptions = {}): Promise<ConformanceRun> {
  const forwarder = options.bearerToken === undefined ? undefined : await startAuthForwarder(url, options.bearerToken);
  const outputDir = mkdtempSync(join(tmpdir(), 'airlock-conformance-'));
  try {
    const args = [CLI, 'server', '--url', forwarder?.url ?? url, '--output-dir', outputDir];
    if (options.scenario !== undefined) args.push('--scenario', options.scenario);
    else args.push('--suite', options.suite ?? 'active');
    if (options.expectedFailuresFile !== undefined) args.push('--expected-failures', options.expectedFailuresFile);
    const { exitCode, output } = await run(args, options.timeoutMs ?? 120_000);
    return { scenarios: parseSummary(output, outputDir), exitCode, output };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
    await forwarder?.close();
  }
}

/** Scenario names listed in the baseline file's `server:` list (the CLI's format). */
export function readBaseline(file = BASELINE_FILE): string[] {
  const names: string[] = [];
  let inServer = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const bare = line.replace(/#.*/, '').trimEnd();
    if (/^\S/.test(bare)) inServer = /^server:/.test(bare);
    const item = /^\s+-\s+(\S+)/.exec(bare);
    if (inServer && item?.[1] !== undefined) names.push(item[1]);
  }
  return names;
}

function run(args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    // cwd: the CLI writes nothing there when --output-dir is given, but keep it out of the tree.
    const child = spawn(process.execPath, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`conformance suite did not finish within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? 1, output });
    });
  });
}

// The summary lines ("✓ ping: 1 passed, 0 failed") cover every scenario, including one that
// crashed before writing its checks; checks.json adds the failure messages.
function parseSummary(output: string, outputDir: string): ScenarioResult[] {
  const details = new Map<string, { failures: string[]; warnings: string[] }>();
  for (const dir of readdirSync(outputDir)) {
    const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir)?.[1];
    if (name === undefined) continue;
    try {
      const checks = JSON.parse(readFileSync(join(outputDir, dir, 'checks.json'), 'utf8')) as { status: string; name: string; errorMessage?: string }[];
      const messages = (status: string): string[] => checks.filter((c) => c.status === status).map((c) => `${c.name}: ${c.errorMessage ?? status.toLowerCase()}`);
      details.set(name, { failures: messages('FAILURE'), warnings: messages('WARNING') });
    } catch {
      // no checks.json: the summary line still says what happened
    }
  }
  const result = (scenario: string, ok: boolean, checksPassed: number, checksFailed: number): ScenarioResult => {
    const { failures = [], warnings = [] } = details.get(scenario) ?? {};
    return { scenario, passed: ok && warnings.length === 0, checksPassed, checksFailed, failures, warnings };
  };
  const results: ScenarioResult[] = [];
  for (const match of output.matchAll(/^([✓✗]) ([\w./-]+): (\d+) passed, (\d+) failed$/gm)) {
    const [, mark, scenario = '', passed = '0', failed = '0'] = match;
    results.push(result(scenario, mark === '✓', Number(passed), Number(failed)));
  }
  // A single-scenario run prints no summary block, only its totals.
  const single = /Passed: (\d+)\/\d+, (\d+) failed/.exec(output);
  const [only] = details.keys();
  if (results.length === 0 && single !== null && only !== undefined && details.size === 1) {
    results.push(result(only, Number(single[2]) === 0, Number(single[1]), Number(single[2])));
  }
  return results;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `host` with its port moved from `from` to `to` when it is a loopback name at `from`. */
function retarget(host: string, from: number, to: string): string {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(host);
  return match?.[1] !== undefined && LOOPBACK.has(match[1].toLowerCase()) && Number(match[2]) === from ? `${match[1]}:${to}` : host;
}

async function startAuthForwarder(target: string, token: string): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  let own = 0;
  const server: HttpServer = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    if (headers.host !== undefined) headers.host = retarget(headers.host, own, upstream.port);
    if (typeof headers.origin === 'string' && headers.origin.startsWith('http://')) headers.origin = `http://${retarget(headers.origin.slice(7), own, upstream.port)}`;
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  own = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${own}${upstream.pathname}${upstream.search}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
