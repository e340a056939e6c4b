import { describe, expect, it } from 'vitest';
import { evaluate } from '../../main/core/policy/evaluate.ts';
import { NO_COUNTERS } from '../../main/core/policy/counters.ts';
import { NOW, call, policyOf } from './helpers.ts';

const decide = (policy: ReturnType<typeof policyOf>, server: string, tool: string) =>
  evaluate(policy, call({ server, tool }), NO_COUNTERS, NOW);

describe('the most specific rule decides', () => {
  const policy = policyOf({
    version: '1',
    default: 'deny',
    hide: ['delete_everything', 'imagenx/purge', 'danger_*'],
    tools: {
      image_to_image: { action: 'allow' },
      'imagenx/image_to_image': { action: 'ask' },
      'image_*': { action: 'ask', reason: 'image tools cost money' },
      'image_up*': { action: 'deny' },
      'imagenx/text_*': { action: 'allow' },
      '*/upscale': { action: 'ask' },
      'text_*': { action: 'deny' },
      delete_everything: { action: 'allow' },
      danger_zone: { action: 'allow' },
    },
    servers: {
      imagenx: { default: 'ask', tools: { describe_image: { action: 'allow' } } },
      wavespeed: { tools: { image_to_image: { action: 'deny', reason: 'use imagenx' } } },
    },
  });

  it('server-scoped exact beats exact (tools["server/tool"] and servers.X.tools)', () => {
    expect(decide(policy, 'imagenx', 'image_to_image')).toMatchObject({ action: 'ask', rule: '/tools/imagenx~1image_to_image' });
    expect(decide(policy, 'wavespeed', 'image_to_image')).toMatchObject({
      action: 'deny',
      rule: '/servers/wavespeed/tools/image_to_image',
      message: '[Airlock] Denied by policy (/servers/wavespeed/tools/image_to_image): use imagenx',
    });
    expect(decide(policy, 'other', 'image_to_image')).toMatchObject({ action: 'allow', rule: '/tools/image_to_image' });
  });

  it('exact beats glob', () => {
    expect(decide(policy, 'other', 'image_to_image').action).toBe('allow');
    expect(decide(policy, 'other', 'image_edit')).toMatchObject({ action: 'ask', rule: '/tools/image_*', reason: 'image tools cost money' });
  });

  it('the glob with the longest literal part wins over a shorter one', () => {
    expect(decide(policy, 'other', 'image_upscale')).toMatchObject({ action: 'deny', rule: '/tools/image_up*' });
  });

  it('a server-scoped glob beats a glob for any server', () => {
    expect(decide(policy, 'imagenx', 'text_to_image')).toMatchObject({ action: 'allow', rule: '/tools/imagenx~1text_*' });
    expect(decide(policy, 'other', 'text_to_image')).toMatchObject({ action: 'deny', rule: '/tools/text_*' });
  });

  it('a glob over servers matches server/tool', () => {
    expect(decide(policy, 'anything', 'upscale')).toMatchObject({ action: 'ask', rule: '/tools/*~1upscale' });
  });

  it('a rule beats the server default, which beats the default', () => {
    expect(decide(policy, 'imagenx', 'describe_image')).toMatchObject({ action: 'allow', rule: '/servers/imagenx/tools/describe_image' });
    expect(decide(policy, 'imagenx', 'list_models')).toMatchObject({ action: 'ask', kind: 'default', rule: '/servers/imagenx/default' });
    expect(decide(policy, 'wavespeed', 'list_models')).toMatchObject({ action: 'deny', kind: 'default', rule: '/default' });
  });

  it('hide beats an allow rule', () => {
    expect(decide(policy, 'any', 'delete_everything')).toMatchObject({
      action: 'deny',
      kind: 'hidden',
      rule: '/hide/0',
      message: '[Airlock] Denied by policy (/hide/0): tool "delete_everything" is hidden by the policy',
    });
    expect(decide(policy, 'any', 'danger_zone')).toMatchObject({ action: 'deny', kind: 'hidden', rule: '/hide/2' });
    expect(decide(policy, 'imagenx', 'purge')).toMatchObject({ action: 'deny', kind: 'hidden', rule: '/hide/1' });
    expect(decide(policy, 'wavespeed', 'purge')).toMatchObject({ kind: 'default' });
  });

  it('a glob matches the whole name, with regex characters taken literally', () => {
    const p = policyOf({ version: '1', default: 'deny', tools: { 'a.b*': {}, 'x?z': {} } });
    expect(decide(p, 's', 'a.bc').action).toBe('allow');
    expect(decide(p, 's', 'aXbc').action).toBe('deny');
    expect(decide(p, 's', 'xyz').action).toBe('allow');
    expect(decide(p, 's', 'xyzz').action).toBe('deny');
  });

  it('equally specific globs: the first written wins', () => {
    const p = policyOf({ version: '1', tools: { 'ab*': { action: 'deny' }, '*ab': { action: 'allow' } } });
    expect(decide(p, 's', 'abab')).toMatchObject({ action: 'deny', rule: '/tools/ab*' });
  });
});
