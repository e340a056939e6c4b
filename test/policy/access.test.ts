/** resources/read and prompts/get decisions: pure table tests of evaluateAccess. */
import { describe, expect, it } from 'vitest';
import { evaluateAccess, type AccessCall, type AccessKind } from '../../main/core/policy/access.ts';
import { refuseAllPolicy } from '../../main/core/policy/default-policy.ts';
import { formatPolicySummary } from '../../main/core/policy/summary.ts';
import { issuesOf, policyOf } from './helpers.ts';

const POLICY = policyOf({
  version: '1',
  default: 'deny',
  resources: {
    'file:///etc/*': { action: 'deny', reason: 'system files stay private' },
    'file:///etc/hosts': { action: 'allow' },
    'file:///*': { action: 'ask', timeout: 30 },
    'test://static/resource/1': { action: 'deny' },
  },
  prompts: {
    'complex*': { action: 'ask' },
    simple_prompt: { action: 'allow' },
    '*': { action: 'deny', reason: 'only reviewed prompts' },
  },
  servers: {
    everything: {
      resources: { 'test://static/resource/*': { action: 'allow' } },
      prompts: { simple_prompt: { action: 'deny' } },
    },
  },
});

const at = (kind: AccessKind, target: string, server = 'fs'): AccessCall => ({ kind, server, target });

describe('evaluateAccess', () => {
  const table: Array<[string, AccessCall, 'allow' | 'deny' | 'ask', string]> = [
    ['an exact URI beats a glob', at('resource', 'file:///etc/hosts'), 'allow', '/resources/file:~1~1~1etc~1hosts'],
    ['the longer glob wins over the shorter', at('resource', 'file:///etc/passwd'), 'deny', '/resources/file:~1~1~1etc~1*'],
    ['a glob matches across "/"', at('resource', 'file:///home/ann/notes/today.md'), 'ask', '/resources/file:~1~1~1*'],
    ['an unmatched URI is allowed', at('resource', 'https://example.com/a'), 'allow', ''],
    ['a top-level exact key beats a server glob', at('resource', 'test://static/resource/1', 'everything'), 'deny', '/resources/test:~1~1static~1resource~11'],
    ['a server glob applies to its server', at('resource', 'test://static/resource/2', 'everything'), 'allow', '/servers/everything/resources/test:~1~1static~1resource~1*'],
    ['a server exact key beats the top-level one', at('prompt', 'simple_prompt', 'everything'), 'deny', '/servers/everything/prompts/simple_prompt'],
    ['a top-level exact prompt', at('prompt', 'simple_prompt'), 'allow', '/prompts/simple_prompt'],
    ['a prompt glob', at('prompt', 'complex_prompt'), 'ask', '/prompts/complex*'],
    ['the catch-all prompt glob', at('prompt', 'resource_prompt'), 'deny', '/prompts/*'],
  ];
  for (const [name, request, action, rule] of table) {
    it(name, () => {
      const decision = evaluateAccess(POLICY, request);
      expect(decision.action).toBe(action);
      expect(decision.rule).toBe(rule);
    });
  }

  it('without resources or prompts rules everything is allowed, even under default deny', () => {
    const policy = policyOf({ version: '1', default: 'deny' });
    expect(evaluateAccess(policy, at('resource', 'file:///etc/passwd'))).toMatchObject({ action: 'allow', rule: '' });
    expect(evaluateAccess(policy, at('prompt', 'anything'))).toMatchObject({ action: 'allow', rule: '' });
  });

  it('a deny carries the reason for the agent; an ask carries its timeout', () => {
    expect(evaluateAccess(POLICY, at('resource', 'file:///etc/shadow')).message).toBe(
      '[Airlock] Denied by policy (/resources/file:~1~1~1etc~1*): system files stay private',
    );
    expect(evaluateAccess(POLICY, at('resource', 'file:///tmp/x')).timeout).toBe(30);
    expect(evaluateAccess(POLICY, at('prompt', 'complex_prompt')).reason).toBe('the policy asks before prompt "complex_prompt" is used');
  });

  it('`airlock policy check` lists the resource and prompt rules', () => {
    const summary = formatPolicySummary(POLICY);
    expect(summary).toContain('Resources (the most specific rule decides; none matching: allowed):');
    expect(summary).toContain('  file:///etc/*: deny — system files stay private');
    expect(summary).toContain('  everything: simple_prompt: deny');
  });

  it('a blocked policy refuses every resource and prompt', () => {
    const blocked = refuseAllPolicy('policy.json:2:3 unknown key');
    expect(evaluateAccess(blocked, at('resource', 'file:///tmp/x'))).toMatchObject({ action: 'deny', reason: 'policy.json:2:3 unknown key' });
    expect(evaluateAccess(blocked, at('prompt', 'p')).message).toMatch(/^\[Airlock\] Denied: there is no valid policy/);
  });

  it('rejects unknown keys and bad actions in resource and prompt rules, with their place', () => {
    expect(issuesOf({ version: '1', resources: { 'file:///*': { action: 'deny', reson: 'x' } } })).toEqual([
      expect.stringMatching(/^policy\.json:\d+:\d+ \/resources\/file:~1~1~1\*\/reson: unknown key "reson" \(did you mean "reason"\?\)$/),
    ]);
    expect(issuesOf({ version: '1', servers: { fs: { prompts: { p: { action: 'maybe' } } } } })).toEqual([
      expect.stringMatching(/^policy\.json:\d+:\d+ \/servers\/fs\/prompts\/p\/action: expected allow\|deny\|ask/),
    ]);
  });
});
