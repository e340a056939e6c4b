import { describe, expect, it } from 'vitest';
import { evaluate } from '../../main/core/policy/evaluate.ts';
import { NO_COUNTERS } from '../../main/core/policy/counters.ts';
import { NOW, call, policyOf } from './helpers.ts';

type Condition = { path: string; op: string; value?: unknown };

/** What a deny_if / require condition does to a call with these arguments. */
function denyIf(condition: Condition, args: Record<string, unknown>, extra: object = {}): string {
  const policy = policyOf({ version: '1', default: 'deny', tools: { image_to_image: { deny_if: [condition] } } });
  return evaluate(policy, call({ args, ...extra }), NO_COUNTERS, NOW).action;
}
function require_(condition: Condition, args: Record<string, unknown>): string {
  const policy = policyOf({ version: '1', default: 'deny', tools: { image_to_image: { require: [condition] } } });
  return evaluate(policy, call({ args }), NO_COUNTERS, NOW).action;
}

describe('every op decides as written', () => {
  it.each([
    // op, value, arguments that make it hold, arguments that do not
    ['eq', '1K', { x: '1K' }, { x: '2K' }],
    ['eq', { w: [1, 2] }, { x: { w: [1, 2] } }, { x: { w: [2, 1] } }],
    ['eq', 1, { x: 1 }, { x: '1' }],
    ['neq', '1K', { x: '2K' }, { x: '1K' }],
    ['in', ['1K', '2K'], { x: '2K' }, { x: '4K' }],
    ['in', [{ a: 1 }, 'b'], { x: { a: 1 } }, { x: { a: 2 } }],
    ['not_in', ['1K', '2K'], { x: '4K' }, { x: '1K' }],
    ['lt', 4, { x: 3 }, { x: 4 }],
    ['lte', 4, { x: 4 }, { x: 5 }],
    ['gt', 4, { x: 5 }, { x: 4 }],
    ['gte', 4, { x: 4 }, { x: 3 }],
    ['matches', '(?i)nsfw', { x: 'an NSFW picture' }, { x: 'a lighthouse' }],
    ['matches', '^\\d+$', { x: 42 }, { x: '4 2' }],
    ['matches', 'image-to-image|kontext', { x: 'flux-kontext-pro' }, { x: 'flux-pro' }],
    ['contains', 'secret', { x: 'top secret plan' }, { x: 'plan' }],
    ['contains', 'b', { x: ['a', 'b'] }, { x: ['a', 'c'] }],
    ['contains', 'key', { x: { key: 1 } }, { x: { other: 1 } }],
    ['exists', true, { x: null }, { y: 1 }],
    ['exists', false, { y: 1 }, { x: 0 }],
    ['length_lt', 3, { x: 'ab' }, { x: 'abc' }],
    ['length_gt', 2, { x: [1, 2, 3] }, { x: [1, 2] }],
    ['length_gt', 1, { x: { a: 1, b: 2 } }, { x: { a: 1 } }],
  ])('%s %j', (op, value, holding, failing) => {
    const condition = { path: 'args.x', op, value };
    expect(denyIf(condition, holding)).toBe('deny');
    expect(denyIf(condition, failing)).toBe('allow');
    expect(require_(condition, holding)).toBe('allow');
    expect(require_(condition, failing)).toBe('deny');
  });

  it('exists without a value means must be present', () => {
    expect(require_({ path: 'args.x', op: 'exists' }, { x: 1 })).toBe('allow');
    expect(require_({ path: 'args.x', op: 'exists' }, {})).toBe('deny');
  });

  it('a missing argument equals nothing and is in nothing', () => {
    expect(denyIf({ path: 'args.x', op: 'eq', value: 'a' }, {})).toBe('allow');
    expect(denyIf({ path: 'args.x', op: 'neq', value: 'safe' }, {})).toBe('deny');
    expect(require_({ path: 'args.x', op: 'in', value: ['a'] }, {})).toBe('deny');
    expect(require_({ path: 'args.x', op: 'not_in', value: ['a'] }, {})).toBe('allow');
    expect(denyIf({ path: 'args.x', op: 'gt', value: 5 }, {})).toBe('allow');
  });

  it('a value of the wrong kind never slips past: deny_if holds, require fails', () => {
    expect(denyIf({ path: 'args.count', op: 'gt', value: 100 }, { count: '1000' })).toBe('deny');
    expect(require_({ path: 'args.count', op: 'lte', value: 100 }, { count: '5' })).toBe('deny');
    expect(denyIf({ path: 'args.prompt', op: 'matches', value: 'nsfw' }, { prompt: ['nsfw'] })).toBe('deny');
    expect(denyIf({ path: 'args.n', op: 'length_gt', value: 3 }, { n: 12345 })).toBe('deny');
  });

  it('follows dotted paths into objects and arrays', () => {
    const args = { images: ['a.png', 'b.png'], options: { quality: { level: 9 } } };
    expect(denyIf({ path: 'args.images.1', op: 'eq', value: 'b.png' }, args)).toBe('deny');
    expect(denyIf({ path: 'args.images.2', op: 'exists' }, args)).toBe('allow');
    expect(denyIf({ path: 'args.options.quality.level', op: 'gte', value: 9 }, args)).toBe('deny');
    expect(denyIf({ path: 'args.images.length', op: 'exists' }, args)).toBe('allow');
  });

  it('does not reach inherited properties (args.constructor is not there)', () => {
    expect(denyIf({ path: 'args.constructor', op: 'exists' }, {})).toBe('allow');
    expect(denyIf({ path: 'args.x.__proto__', op: 'exists' }, { x: {} })).toBe('allow');
  });

  it('judges client, server and tool', () => {
    expect(denyIf({ path: 'client', op: 'eq', value: 'cursor' }, {}, { client: 'cursor' })).toBe('deny');
    expect(denyIf({ path: 'client', op: 'eq', value: 'cursor' }, {}, { client: 'claude-code' })).toBe('allow');
    expect(denyIf({ path: 'server', op: 'in', value: ['imagenx'] }, {})).toBe('deny');
    expect(denyIf({ path: 'tool', op: 'matches', value: '^image_' }, {})).toBe('deny');
  });
});

describe('require, deny_if and ask_if', () => {
  const policy = policyOf({
    version: '1',
    default: 'deny',
    tools: {
      image_to_image: {
        reason: 'Costs money per image',
        require: [{ path: 'args.size', op: 'in', value: ['1K', '2K'] }],
        deny_if: [{ path: 'args.prompt', op: 'matches', value: '(?i)nsfw' }],
        ask_if: [{ path: 'args.images', op: 'length_gt', value: 4 }],
        timeout: 90,
      },
      run_model: { ask_if: [{ path: 'args.model', op: 'matches', value: 'image-to-image|kontext' }] },
      always_ask: { action: 'ask', ask_if: [{ path: 'args.x', op: 'exists' }] },
    },
  });
  const decide = (args: Record<string, unknown>, tool = 'image_to_image') => evaluate(policy, call({ tool, args }), NO_COUNTERS, NOW);

  it('a failed requirement denies and says what was required and what came', () => {
    const decision = decide({ size: '4K', prompt: 'cat' });
    expect(decision).toMatchObject({ action: 'deny', kind: 'condition', rule: '/tools/image_to_image/require/0' });
    expect(decision.message).toBe(
      '[Airlock] Denied by policy (/tools/image_to_image/require/0): Costs money per image: args.size must be one of ["1K","2K"] (got "4K")',
    );
    expect(decide({ prompt: 'cat' }).reason).toContain('args.size is missing');
  });

  it('a deny_if that holds denies with the condition in the text', () => {
    const decision = decide({ size: '1K', prompt: 'something NSFW' });
    expect(decision).toMatchObject({ action: 'deny', kind: 'condition', rule: '/tools/image_to_image/deny_if/0' });
    expect(decision.message).toBe('[Airlock] Denied by policy (/tools/image_to_image/deny_if/0): Costs money per image: args.prompt matches /nsfw/i');
  });

  it('an ask_if that holds turns the allow into an ask, with the rule timeout', () => {
    const decision = decide({ size: '1K', prompt: 'cat', images: [1, 2, 3, 4, 5] });
    expect(decision).toMatchObject({ action: 'ask', kind: 'condition', rule: '/tools/image_to_image/ask_if/0', timeout: 90 });
    expect(decision.reason).toBe('Costs money per image: args.images is longer than 4');
    expect(decide({ size: '1K', prompt: 'cat', images: [1] })).toMatchObject({ action: 'allow', kind: 'policy', rule: '/tools/image_to_image', timeout: undefined });
  });

  it('run_model from the documented example asks only for image models', () => {
    expect(decide({ model: 'black-forest-labs/flux-kontext-pro' }, 'run_model')).toMatchObject({ action: 'ask', rule: '/tools/run_model/ask_if/0' });
    expect(decide({ model: 'meta/llama' }, 'run_model').action).toBe('allow');
  });

  it('a rule that asks keeps asking whatever ask_if says', () => {
    expect(decide({}, 'always_ask')).toMatchObject({ action: 'ask', kind: 'policy', rule: '/tools/always_ask' });
  });
});
