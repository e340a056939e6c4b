import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPolicyIssues, parsePolicy } from '../../main/core/policy/load.ts';
import type { CompiledPolicy } from '../../main/core/policy/compile.ts';
import type { PolicyCall } from '../../shared/policy/schema.ts';

export const NOW = Date.parse('2026-03-01T12:00:00.000Z');

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
}

/** Compiles a policy given as text or as an object; a test fails on the first invalid one. */
export function policyOf(source: string | object): CompiledPolicy {
  const result = parsePolicy(typeof source === 'string' ? source : JSON.stringify(source, null, 2));
  if (!result.ok) throw new Error(formatPolicyIssues(result.issues).join('\n'));
  return result.policy;
}

/** The issues of a policy that must not load, as `line:column pointer: message` lines. */
export function issuesOf(source: string | object): string[] {
  const result = parsePolicy(typeof source === 'string' ? source : JSON.stringify(source, null, 2));
  if (result.ok) throw new Error('the policy loaded but should not have');
  return formatPolicyIssues(result.issues);
}

export function call(overrides: Partial<PolicyCall> = {}): PolicyCall {
  return { server: 'imagenx', tool: 'image_to_image', args: {}, client: 'claude-code', sessionId: 'session-1', ...overrides };
}
