/** The policy review names the limits a draft changes, because it cannot replay them. */
import { describe, expect, it } from 'vitest';
import { limitChanges } from '../../main/core/policy/limit-changes.ts';

const policy = (tools: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ version: '1', default: 'allow', tools, ...extra });
const cap = (max: number) => ({ limits: [{ counter: 'i2i', window: 'minute', max, scope: 'client' }] });

describe('limitChanges', () => {
  it('finds a changed, an added and a removed limit, by JSON pointer', () => {
    const before = policy({ a: cap(10), b: cap(5) }, { servers: { s: { tools: { 'x/y': cap(1) } } } });
    const after = policy({ a: cap(20), c: cap(5) }, { servers: { s: { tools: { 'x/y': cap(1) } } }, all_tools: cap(100) });
    expect(limitChanges(before, after)).toEqual(['/all_tools/limits', '/tools/a/limits', '/tools/b/limits', '/tools/c/limits']);
  });

  it('is empty when only rules change, or limits are written in another key order, with comments', () => {
    const before = policy({ a: { action: 'ask', ...cap(10) } });
    const after = `// a comment\n{ "version": "1", "default": "deny", "tools": { "a": { "action": "deny", "limits": [{ "scope": "client", "max": 10, "window": "minute", "counter": "i2i" }] } }, }`;
    expect(limitChanges(before, after)).toEqual([]);
  });

  it('pointers escape "/" in tool keys', () => {
    expect(limitChanges(policy({}), policy({ 'server/tool': cap(3) }))).toEqual(['/tools/server~1tool/limits']);
  });
});
