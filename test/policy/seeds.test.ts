import { describe, expect, it } from 'vitest';
import { evaluate } from '../../main/core/policy/evaluate.ts';
import { MemoryCounters } from '../../main/core/policy/counters.ts';
import { parsePolicy } from '../../main/core/policy/load.ts';
import { isListed } from '../../main/core/policy/visibility.ts';
import { NOW, call, fixture } from './helpers.ts';

describe.each([
  ['policylayer-imagenx.json', 'imagenx', 10],
  ['policylayer-wavespeed.json', 'wavespeed', 30],
])('PolicyLayer seed %s', (file, server, cap) => {
  const loaded = parsePolicy(fixture(file));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const policy = loaded.policy;

  it('loads unchanged', () => {
    expect(loaded.ok).toBe(true);
  });

  it('denies every tool the policy does not name (default deny)', () => {
    const decision = evaluate(policy, call({ server, tool: 'text_to_image' }), new MemoryCounters(), NOW);
    expect(decision).toMatchObject({ action: 'deny', kind: 'default', rule: '/default' });
    expect(decision.message).toMatch(/^\[Airlock\] Denied by policy/);
    expect(decision.message).toContain('text_to_image');
    expect(isListed(policy, server, 'text_to_image')).toBe(false);
  });

  it(`allows image_to_image with a per-client limit of ${cap} a minute`, () => {
    const decision = evaluate(policy, call({ server }), new MemoryCounters(), NOW);
    expect(decision.action).toBe('allow');
    expect(decision.rule).toBe('/tools/image_to_image');
    expect(decision.reservations).toEqual([
      {
        key: 'image_to_image_rate|client|claude-code',
        counter: 'image_to_image_rate',
        scope: 'client',
        limits: [{ pointer: '/tools/image_to_image/limits/0', counter: 'image_to_image_rate', windowSeconds: 60, max: cap, scope: 'client' }],
      },
    ]);
    expect(isListed(policy, server, 'image_to_image')).toBe(true);
  });

  it('counts each client separately', () => {
    const a = evaluate(policy, call({ server, client: 'claude-code' }), new MemoryCounters(), NOW);
    const b = evaluate(policy, call({ server, client: 'cursor' }), new MemoryCounters(), NOW);
    expect(a.reservations[0]?.key).not.toBe(b.reservations[0]?.key);
    expect(b.reservations[0]?.key).toBe('image_to_image_rate|client|cursor');
  });

  it(`refuses call ${cap + 1} within a minute from one client, not from another`, () => {
    const counters = new MemoryCounters();
    for (let i = 0; i < cap; i++) {
      const decision = evaluate(policy, call({ server }), counters, NOW + i * 100);
      expect(decision.action).toBe('allow');
      counters.take(decision.reservations, NOW + i * 100);
    }
    const refused = evaluate(policy, call({ server }), counters, NOW + 5_000);
    expect(refused).toMatchObject({ action: 'deny', kind: 'limit', rule: '/tools/image_to_image/limits/0' });
    expect(refused.limit).toMatchObject({ max: cap, windowSeconds: 60, used: cap, retryAfterSeconds: 55 });
    expect(evaluate(policy, call({ server, client: 'cursor' }), counters, NOW + 5_000).action).toBe('allow');
    // A minute after the first call its slot has left the window.
    expect(evaluate(policy, call({ server }), counters, NOW + 60_000).action).toBe('allow');
  });
});

describe('the example policy of ARCHITECTURE.md §3', () => {
  const loaded = parsePolicy(fixture('architecture-example.jsonc'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const policy = loaded.policy;
  const decide = (overrides: Parameters<typeof call>[0]) => evaluate(policy, call(overrides), new MemoryCounters(), NOW);

  it('loads with its comments', () => {
    expect(loaded.ok).toBe(true);
  });

  it('asks for image_to_image with the rule timeout, and denies what its conditions rule out', () => {
    expect(decide({ server: 'other', args: { size: '1K', prompt: 'a cat' } })).toMatchObject({ action: 'ask', timeout: 120, reason: 'Costs money per image' });
    expect(decide({ server: 'other', args: { size: '1K', prompt: 'NSFW' } })).toMatchObject({ action: 'deny', rule: '/tools/image_to_image/deny_if/0' });
    expect(decide({ server: 'other', args: { size: '8K', prompt: 'a cat' } })).toMatchObject({ action: 'deny', rule: '/tools/image_to_image/require/0' });
  });

  it('hides delete_everything; asks on imagenx for unnamed tools; denies them elsewhere', () => {
    expect(decide({ tool: 'delete_everything' })).toMatchObject({ action: 'deny', kind: 'hidden' });
    expect(decide({ server: 'imagenx', tool: 'list_models' })).toMatchObject({ action: 'ask', rule: '/servers/imagenx/default' });
    expect(decide({ server: 'other', tool: 'list_models' })).toMatchObject({ action: 'deny', rule: '/default' });
  });
});
