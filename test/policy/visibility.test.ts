import { describe, expect, it } from 'vitest';
import { isListed } from '../../main/core/policy/visibility.ts';
import { policyOf } from './helpers.ts';

describe('which tools tools/list shows', () => {
  const policy = policyOf({
    version: '1',
    default: 'deny',
    hide: ['delete_everything'],
    tools: {
      delete_everything: { action: 'allow' },
      image_to_image: { limits: [{ window: 'minute', max: 10, scope: 'grant' }] },
      generate: { deny_if: [{ path: 'args.prompt', op: 'matches', value: 'nsfw' }] },
      wipe: { action: 'deny', ask_if: [{ path: 'args.x', op: 'exists' }] },
      approve_me: { action: 'approve' },
      writes: { require: [{ path: 'annotations.readOnlyHint', op: 'eq', value: true }] },
      cursor_only: { require: [{ path: 'client', op: 'eq', value: 'cursor' }] },
    },
    servers: { open: { default: 'ask' } },
  });

  it('hides hidden tools, even when a rule allows them', () => {
    expect(isListed(policy, 'any', 'delete_everything')).toBe(false);
  });

  it('hides tools that are always denied: a deny rule, or the deny default with no rule', () => {
    expect(isListed(policy, 'any', 'wipe')).toBe(false);
    expect(isListed(policy, 'any', 'unnamed_tool')).toBe(false);
  });

  it('lists tools that some call could pass: allowed, limited, conditional, asking', () => {
    expect(isListed(policy, 'any', 'image_to_image')).toBe(true);
    expect(isListed(policy, 'any', 'generate')).toBe(true);
    expect(isListed(policy, 'any', 'approve_me')).toBe(true);
    expect(isListed(policy, 'open', 'unnamed_tool')).toBe(true);
  });

  it('judges conditions on annotations and client when they are known', () => {
    expect(isListed(policy, 'any', 'writes', { readOnlyHint: true })).toBe(true);
    expect(isListed(policy, 'any', 'writes', { readOnlyHint: false })).toBe(false);
    expect(isListed(policy, 'any', 'writes')).toBe(false);
    expect(isListed(policy, 'any', 'cursor_only', undefined, 'cursor')).toBe(true);
    expect(isListed(policy, 'any', 'cursor_only', undefined, 'claude-code')).toBe(false);
    expect(isListed(policy, 'any', 'cursor_only')).toBe(true);
  });
});
