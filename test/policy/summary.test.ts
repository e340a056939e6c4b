import { describe, expect, it } from 'vitest';
import { formatPolicySummary } from '../../main/core/policy/summary.ts';
import { fixture, policyOf } from './helpers.ts';

describe('airlock policy check summary', () => {
  it('states the seed policy in words', () => {
    expect(formatPolicySummary(policyOf(fixture('policylayer-imagenx.json')))).toBe(
      [
        'Policy valid: 1 rule, 0 hidden, default deny.',
        'Default: deny — calls to tools no rule names are refused.',
        'Rules (the most specific one decides: server-scoped exact name, exact name, server-scoped glob, glob):',
        '  image_to_image (exact name, any server): allow (listed without an action)',
        '    limit: at most 10 calls per minute per client (counter "image_to_image_rate")',
        '',
      ].join('\n'),
    );
  });

  it('lists hidden tools, shared limits, server defaults, conditions and timeouts', () => {
    const summary = formatPolicySummary(
      policyOf({
        version: '1',
        default: 'ask',
        hide: ['delete_everything'],
        all_tools: { limits: [{ window: 7200, max: 500, scope: 'global' }] },
        tools: {
          image_to_image: {
            action: 'allow',
            reason: 'Costs money per image',
            limits: [{ counter: 'i2i', window: 'minute', max: 10, scope: 'grant' }],
            require: [{ path: 'args.size', op: 'in', value: ['1K', '2K'] }],
            deny_if: [{ path: 'args.prompt', op: 'matches', value: '(?i)nsfw' }],
            ask_if: [{ path: 'args.images', op: 'length_gt', value: 4 }],
            timeout: 120,
          },
        },
        servers: { imagenx: { default: 'deny', tools: { 'text_*': { action: 'deny', reason: 'no text' } } } },
      }),
    );
    expect(summary).toContain('Hidden (never listed, always denied): delete_everything');
    expect(summary).toContain('Every tool, counted together: at most 500 calls per 2 hours across all clients');
    expect(summary).toContain('Server imagenx: deny — calls to its tools no rule names are refused.');
    expect(summary).toContain('  image_to_image (exact name, any server): allow — Costs money per image');
    expect(summary).toContain('    requires: args.size to be one of ["1K","2K"]');
    expect(summary).toContain('    denied if: args.prompt matches /nsfw/i');
    expect(summary).toContain('    asks if: args.images is longer than 4');
    expect(summary).toContain('    limit: at most 10 calls per minute per client (counter "i2i")');
    expect(summary).toContain('    approval waits 120 s');
    expect(summary).toContain('  imagenx/text_* (glob, server imagenx): deny — no text');
  });
});
