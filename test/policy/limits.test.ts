import { describe, expect, it } from 'vitest';
import { evaluate } from '../../main/core/policy/evaluate.ts';
import { MemoryCounters } from '../../main/core/policy/counters.ts';
import { NOW, call, policyOf } from './helpers.ts';

describe('limits', () => {
  it('a refusal names the counter, the cap, the window and when to retry', () => {
    const policy = policyOf({
      version: '1',
      tools: { image_to_image: { limits: [{ counter: 'i2i', window: 'minute', max: 2, scope: 'grant' }] } },
    });
    const counters = new MemoryCounters();
    counters.add('i2i|client|claude-code', NOW - 20_000);
    counters.add('i2i|client|claude-code', NOW - 10_000);
    const decision = evaluate(policy, call(), counters, NOW);
    expect(decision).toMatchObject({ action: 'deny', kind: 'limit', rule: '/tools/image_to_image/limits/0', reservations: [] });
    expect(decision.limit).toEqual({
      rule: '/tools/image_to_image/limits/0',
      counter: 'i2i',
      key: 'i2i|client|claude-code',
      scope: 'client',
      max: 2,
      windowSeconds: 60,
      used: 2,
      retryAfterSeconds: 40,
      retryAtMs: NOW + 40_000,
      retryAt: '2026-03-01T12:00:40.000Z',
    });
    expect(decision.message).toBe(
      '[Airlock] Rate limit reached (/tools/image_to_image/limits/0): counter "i2i" allows at most 2 calls per minute per client' +
        ' and 2 are used. The next call will be allowed in 40 s (at 2026-03-01T12:00:40.000Z).',
    );
    expect(evaluate(policy, call(), counters, NOW + 40_000).action).toBe('allow');
  });

  it('keys: global has no identity, client has the client, session has the session', () => {
    const policy = policyOf({
      version: '1',
      tools: {
        t: {
          limits: [
            { counter: 'g', window: 60, max: 5, scope: 'global' },
            { counter: 'c', window: 60, max: 5, scope: 'client' },
            { counter: 's', window: 60, max: 5, scope: 'session' },
            { window: 60, max: 5, scope: 'global' },
          ],
        },
      },
    });
    const decision = evaluate(policy, call({ tool: 't', client: 'cursor', sessionId: 'abc' }), new MemoryCounters(), NOW);
    expect(decision.reservations.map((r) => r.key)).toEqual(['g|global', 'c|client|cursor', 's|session|abc', '/tools/t/limits/3|global']);
  });

  it('two windows on one counter take one slot and are both enforced', () => {
    const policy = policyOf({
      version: '1',
      tools: {
        t: {
          limits: [
            { counter: 'gen', window: 'minute', max: 10, scope: 'global' },
            { counter: 'gen', window: 'hour', max: 3, scope: 'global' },
          ],
        },
      },
    });
    const counters = new MemoryCounters();
    const first = evaluate(policy, call({ tool: 't' }), counters, NOW);
    expect(first.reservations).toHaveLength(1);
    expect(first.reservations[0]?.limits.map((l) => l.windowSeconds)).toEqual([60, 3600]);
    for (let i = 0; i < 3; i++) counters.take(first.reservations, NOW - 30 * 60_000 + i);
    const refused = evaluate(policy, call({ tool: 't' }), counters, NOW);
    expect(refused).toMatchObject({ kind: 'limit', rule: '/tools/t/limits/1' });
    expect(refused.limit?.retryAt).toBe('2026-03-01T12:30:00.000Z');
  });

  it('with several limits exhausted, the retry time is when the last frees up', () => {
    const policy = policyOf({
      version: '1',
      all_tools: { limits: [{ counter: 'all', window: 'hour', max: 1, scope: 'global' }] },
      tools: { t: { limits: [{ counter: 'own', window: 'minute', max: 1, scope: 'global' }] } },
    });
    const counters = new MemoryCounters();
    counters.add('own|global', NOW - 1000);
    counters.add('all|global', NOW - 1000);
    const refused = evaluate(policy, call({ tool: 't' }), counters, NOW);
    expect(refused).toMatchObject({ rule: '/all_tools/limits/0', limit: { retryAfterSeconds: 3599 } });
  });

  it('when over the cap (e.g. the cap was lowered), retry waits for enough slots to leave', () => {
    const policy = policyOf({ version: '1', tools: { t: { limits: [{ counter: 'x', window: 60, max: 2, scope: 'global' }] } } });
    const counters = new MemoryCounters();
    for (const ago of [50_000, 40_000, 30_000, 20_000]) counters.add('x|global', NOW - ago);
    // 4 used, cap 2: the 3rd oldest (taken 30 s ago) must leave, in 30 s.
    expect(evaluate(policy, call({ tool: 't' }), counters, NOW).limit).toMatchObject({ used: 4, retryAfterSeconds: 30 });
  });

  it('all_tools limits count every tool together, including tools left to the default', () => {
    const policy = policyOf({
      version: '1',
      default: 'allow',
      all_tools: { limits: [{ counter: 'total', window: 'day', max: 100, scope: 'session' }] },
      tools: { a: {}, b: { action: 'deny' } },
    });
    const keys = (tool: string) => evaluate(policy, call({ tool, sessionId: 'S' }), new MemoryCounters(), NOW).reservations.map((r) => r.key);
    expect(keys('a')).toEqual(['total|session|S']);
    expect(keys('unnamed')).toEqual(['total|session|S']);
    expect(keys('b')).toEqual([]);
  });

  it('an ask over its limit is denied without asking', () => {
    const policy = policyOf({ version: '1', tools: { t: { action: 'ask', limits: [{ counter: 'x', window: 60, max: 1, scope: 'global' }] } } });
    const counters = new MemoryCounters();
    expect(evaluate(policy, call({ tool: 't' }), counters, NOW)).toMatchObject({ action: 'ask', reservations: [{ key: 'x|global' }] });
    counters.add('x|global', NOW);
    expect(evaluate(policy, call({ tool: 't' }), counters, NOW + 1).action).toBe('deny');
  });
});
