/**
 * Policy decision time on a 1,000-rule policy (target: well under 20 µs per decision).
 * Every call in the mix reaches the limit check, so each decision tests its rule's
 * conditions and reads its counters: the slow path, not the early denials.
 *
 * Run: `node bench/policy-bench.ts`. A bench runner can import runPolicyBench().
 */
import { performance } from 'node:perf_hooks';
import { parsePolicy, formatPolicyIssues } from '../main/core/policy/load.ts';
import { evaluate } from '../main/core/policy/evaluate.ts';
import { MemoryCounters } from '../main/core/policy/counters.ts';
import { resolveUncached } from '../main/core/policy/resolve.ts';
import type { PolicyCall } from '../shared/policy/schema.ts';

export const POLICY_TARGET_US = 20;

export interface PolicyBenchResult {
  rules: number;
  decisionsPerRepetition: number;
  repetitions: number;
  /** Median over repetitions of the mean time per decision. */
  medianUs: number;
  minUs: number;
  maxUs: number;
  /** Working out which rule applies to a tool seen for the first time (then cached). */
  uncachedLookupUs: number;
  targetUs: number;
  pass: boolean;
}

const SERVERS = 20;

function condition(path: string, op: string, value: unknown): Record<string, unknown> {
  return { path, op, value };
}

function benchRule(i: number): Record<string, unknown> {
  return {
    reason: `rule ${i}`,
    require: [condition('args.size', 'in', ['1K', '2K', '4K']), condition('args.images', 'length_lt', 8)],
    deny_if: [condition('args.prompt', 'matches', '(?i)forbidden|nsfw'), condition('args.options.unsafe', 'eq', true)],
    ask_if: [condition('args.count', 'gt', 50)],
    limits: [
      { counter: `c${i % 50}`, window: 'minute', max: 1_000_000, scope: 'grant' },
      { window: 3600, max: 1_000_000, scope: 'session' },
    ],
  };
}

/** 400 exact, 300 server-scoped, 100 `server/tool`, 200 globs: 1,000 rules. */
export function buildBenchPolicy(): { text: string; rules: number } {
  const tools: Record<string, unknown> = {};
  const servers: Record<string, { default: string; tools: Record<string, unknown> }> = {};
  for (let s = 0; s < SERVERS; s++) servers[`s${s}`] = { default: s % 2 ? 'ask' : 'deny', tools: {} };
  let rules = 0;
  for (let i = 0; i < 400; i++, rules++) tools[`tool_${i}`] = benchRule(rules);
  for (let i = 0; i < 300; i++, rules++) servers[`s${i % SERVERS}`]!.tools[`scoped_${i}`] = benchRule(rules);
  for (let i = 0; i < 100; i++, rules++) tools[`s${i % SERVERS}/direct_${i}`] = benchRule(rules);
  for (let i = 0; i < 200; i++, rules++) tools[`family_${i}_*`] = benchRule(rules);
  const policy = {
    version: '1',
    default: 'deny',
    hide: Array.from({ length: 10 }, (_, i) => `secret_${i}_*`),
    all_tools: { limits: [{ counter: 'everything', window: 'day', max: 10_000_000, scope: 'global' }] },
    tools,
    servers,
  };
  return { text: JSON.stringify(policy, null, 2), rules };
}

function benchCalls(): PolicyCall[] {
  const calls: PolicyCall[] = [];
  const args = (i: number) => ({
    size: ['1K', '2K', '4K'][i % 3],
    images: ['a.png', 'b.png'],
    prompt: `a watercolour lighthouse at dusk, variation ${i}`,
    options: { unsafe: false },
    count: 3,
  });
  const push = (server: string, tool: string, i: number) =>
    calls.push({ server, tool, args: args(i), client: `client-${i % 4}`, sessionId: `session-${i % 16}` });
  for (let i = 0; i < 400; i++) push(`s${i % SERVERS}`, `tool_${i}`, i);
  for (let i = 0; i < 300; i++) push(`s${i % SERVERS}`, `scoped_${i}`, i);
  for (let i = 0; i < 100; i++) push(`s${i % SERVERS}`, `direct_${i}`, i);
  for (let i = 0; i < 200; i++) push(`s${i % SERVERS}`, `family_${i}_variant`, i);
  return calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function runPolicyBench(options: { decisions?: number; repetitions?: number } = {}): PolicyBenchResult {
  const decisions = options.decisions ?? 200_000;
  const repetitions = options.repetitions ?? 7;
  const { text, rules } = buildBenchPolicy();
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(`bench policy is invalid:\n${formatPolicyIssues(parsed.issues).join('\n')}`);
  const policy = parsed.policy;
  const calls = benchCalls();

  // Counters with history: each key has slots spread over the last hour.
  const counters = new MemoryCounters();
  const start = Date.now();
  for (const call of calls) {
    const decision = evaluate(policy, call, counters, start);
    if (decision.action === 'deny') throw new Error(`bench call denied: ${decision.reason}`);
    for (let k = 0; k < 20; k++) counters.take(decision.reservations, start - k * 90_000);
  }

  let sink = 0;
  const run = (n: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const decision = evaluate(policy, calls[i % calls.length]!, counters, start + i);
      sink += decision.reservations.length;
    }
    return ((performance.now() - t0) * 1000) / n;
  };
  run(decisions); // warm-up: JIT and the per-tool cache
  const samples = Array.from({ length: repetitions }, () => run(decisions));

  const t0 = performance.now();
  const lookups = 20;
  for (let r = 0; r < lookups; r++) for (const call of calls) sink += resolveUncached(policy, call.server, call.tool).groups.length;
  const uncachedLookupUs = ((performance.now() - t0) * 1000) / (lookups * calls.length);

  if (sink < 0) console.log(sink); // keeps the work observable
  const medianUs = median(samples);
  return {
    rules,
    decisionsPerRepetition: decisions,
    repetitions,
    medianUs,
    minUs: Math.min(...samples),
    maxUs: Math.max(...samples),
    uncachedLookupUs,
    targetUs: POLICY_TARGET_US,
    pass: medianUs < POLICY_TARGET_US,
  };
}

export function formatPolicyBench(result: PolicyBenchResult): string {
  const f = (n: number) => n.toFixed(2);
  return [
    `policy: ${result.rules} rules, ${result.repetitions} × ${result.decisionsPerRepetition} decisions`,
    `  ${f(result.medianUs)} µs per decision (median; min ${f(result.minUs)}, max ${f(result.maxUs)})` +
      ` — target ${result.targetUs} µs: ${result.pass ? 'PASS' : 'FAIL'}`,
    `  ${f(result.uncachedLookupUs)} µs to resolve a tool's rule the first time it is called (then cached)`,
  ].join('\n');
}

if (import.meta.main) {
  const result = runPolicyBench();
  console.log(formatPolicyBench(result));
  process.exitCode = result.pass ? 0 : 1;
}
