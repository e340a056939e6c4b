import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_TEXT, defaultPolicy } from '../../main/core/policy/default-policy.ts';
import { evaluate } from '../../main/core/policy/evaluate.ts';
import { NO_COUNTERS } from '../../main/core/policy/counters.ts';
import { parsePolicy } from '../../main/core/policy/load.ts';
import { isListed } from '../../main/core/policy/visibility.ts';
import { NOW, call } from './helpers.ts';

describe('the built-in policy (no policy.json)', () => {
  const policy = defaultPolicy();

  it('asks before a tool that is not marked read-only', () => {
    expect(evaluate(policy, call({ tool: 'write_file', annotations: { readOnlyHint: false } }), NO_COUNTERS, NOW).action).toBe('ask');
    expect(evaluate(policy, call({ tool: 'write_file', annotations: { destructiveHint: true } }), NO_COUNTERS, NOW).action).toBe('ask');
    expect(evaluate(policy, call({ tool: 'write_file' }), NO_COUNTERS, NOW).action).toBe('ask');
  });

  it('allows a tool its server marks read-only', () => {
    expect(evaluate(policy, call({ tool: 'read_file', annotations: { readOnlyHint: true } }), NO_COUNTERS, NOW).action).toBe('allow');
  });

  it('never allows everything, and lists every tool', () => {
    expect(policy.default).not.toBe('allow');
    expect(isListed(policy, 'any', 'write_file')).toBe(true);
    expect(isListed(policy, 'any', 'read_file', { readOnlyHint: true })).toBe(true);
  });

  it('is itself a valid policy file', () => {
    const parsed = parsePolicy(DEFAULT_POLICY_TEXT);
    expect(parsed.ok).toBe(true);
  });
});
