import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, parsePolicy } from '../../main/core/policy/load.ts';
import { issuesOf, policyOf } from './helpers.ts';

describe('loading policy.json', () => {
  it('reports an unknown key with its line, column and pointer, and suggests the key meant', () => {
    const text = [
      '{',
      '  "version": "1",',
      '  "default": "deny",',
      '  "tools": {',
      '    "image_to_image": {',
      '      "limts": [{ "window": "minute", "max": 10, "scope": "grant" }]',
      '    }',
      '  }',
      '}',
    ].join('\n');
    expect(issuesOf(text)).toEqual(['policy.json:6:7 /tools/image_to_image/limts: unknown key "limts" (did you mean "limits"?)']);
  });

  it('rejects unknown keys at every level instead of ignoring them', () => {
    const issues = issuesOf({
      version: '1',
      defualt: 'allow',
      all_tools: { limit: [] },
      tools: { t: { limits: [{ window: 'minute', max: 1, scope: 'global', per: 'client' }], deny_if: [{ path: 'args.a', op: 'eq', value: 1, note: 'x' }] } },
      servers: { s: { defaults: 'ask' } },
    });
    expect(issues).toEqual([
      'policy.json:3:3 /defualt: unknown key "defualt" (did you mean "default"?)',
      'policy.json:5:5 /all_tools/limit: unknown key "limit" (write "limits")',
      'policy.json:14:11 /tools/t/limits/0/per: unknown key "per" (expected one of: counter, window, max, scope)',
      'policy.json:22:11 /tools/t/deny_if/0/note: unknown key "note" (expected one of: path, op, value)',
      'policy.json:29:7 /servers/s/defaults: unknown key "defaults" (did you mean "default"?)',
    ]);
  });

  it('explains a bad window at the value that is wrong', () => {
    const text = '{\n  "version": "1",\n  "tools": {\n    "image_to_image": {\n      "limits": [\n        { "window": "fortnight", "max": 10, "scope": "grant" }\n      ]\n    }\n  }\n}';
    expect(issuesOf(text)).toEqual([
      'policy.json:6:21 /tools/image_to_image/limits/0/window: expected second|minute|hour|day or a number of seconds',
    ]);
    expect(issuesOf({ version: '1', all_tools: { limits: [{ window: -5, max: 1, scope: 'global' }] } })).toEqual([
      'policy.json:6:19 /all_tools/limits/0/window: expected second|minute|hour|day or a number of seconds',
    ]);
  });

  it('names a missing required key at the object that lacks it', () => {
    expect(issuesOf('{ "version": "1", "tools": { "t": { "limits": [ { "window": 60, "scope": "global" } ] } } }')).toEqual([
      'policy.json:1:49 /tools/t/limits/0/max: missing "max": expected a whole number of calls (at least 1)',
    ]);
    expect(issuesOf('{ "default": "deny" }')).toEqual(['policy.json:1:1 /version: missing "version": expected "1"']);
  });

  it('rejects a regular expression that does not compile, located at the pattern', () => {
    const text = '{\n  "version": "1",\n  "tools": { "gen": { "deny_if": [\n    { "path": "args.prompt", "op": "matches", "value": "(?i)nsfw(" }\n  ] } }\n}';
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^policy\.json:4:56 \/tools\/gen\/deny_if\/0\/value: invalid regular expression: .*nsfw\(/);
  });

  it('checks each op gets the kind of value it needs', () => {
    const bad = (op: string, value: unknown) => issuesOf({ version: '1', tools: { t: { require: [{ path: 'args.x', op, value }] } } });
    expect(bad('gt', '5')[0]).toContain('/tools/t/require/0/value: "gt" needs a number');
    expect(bad('in', 'a')[0]).toContain('"in" needs a list of values');
    expect(bad('length_lt', 1.5)[0]).toContain('"length_lt" needs a whole number');
    expect(bad('matches', 5)[0]).toContain('"matches" needs a regular expression');
    expect(bad('exists', 'yes')[0]).toContain('"exists" takes true, false or no value');
    expect(bad('eq', undefined)[0]).toContain('"eq" needs a value');
    expect(bad('like', 'a')[0]).toContain('/tools/t/require/0/op: expected one of eq neq in not_in');
    expect(issuesOf({ version: '1', tools: { t: { require: [{ path: 'arguments.x', op: 'exists' }] } } })[0]).toContain(
      '/tools/t/require/0/path: expected args.<key>',
    );
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(issuesOf('{\n  "version": "1",\n  "default": "deny"\n  "tools": {}\n}')).toEqual([
      'policy.json:4:3 /tools: invalid JSON: expected ","',
    ]);
    expect(issuesOf('')).toEqual(['policy.json:1:1 the policy is empty (expected a JSON object)']);
  });

  it('accepts comments and trailing commas, as in the documented example', () => {
    const policy = policyOf('{\n  // deny unless named\n  "version": "1",\n  "default": "deny", /* inline */\n  "tools": { "t": {}, },\n}');
    expect(policy.default).toBe('deny');
    expect(policy.exact.has('t')).toBe(true);
  });

  it('rejects a key written twice (JSON would silently keep the last)', () => {
    expect(issuesOf('{\n  "version": "1",\n  "default": "deny",\n  "default": "allow"\n}')).toEqual([
      'policy.json:4:3 /default: duplicate key "default" (each key may appear once)',
    ]);
  });

  it('rejects the same server-scoped rule written two ways', () => {
    const issues = issuesOf({ version: '1', tools: { 'imagenx/gen': {} }, servers: { imagenx: { tools: { gen: { action: 'deny' } } } } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('/servers/imagenx/tools/gen: the rule for imagenx/gen is also defined as tools["imagenx/gen"]');
  });

  it('escapes keys in pointers (RFC 6901)', () => {
    expect(issuesOf({ version: '1', tools: { 'imagenx/gen': { action: 'maybe' } } })).toEqual([
      'policy.json:5:17 /tools/imagenx~1gen/action: expected allow|deny|ask (approve and require_approval mean ask)',
    ]);
  });
});

describe('aliases people type', () => {
  it('approve and require_approval mean ask', () => {
    const policy = policyOf({
      version: '1',
      default: 'require_approval',
      tools: { a: { action: 'approve' }, b: { action: 'require_approval' } },
      servers: { s: { default: 'approve' } },
    });
    expect(policy.default).toBe('ask');
    expect(policy.exact.get('a')?.action).toBe('ask');
    expect(policy.exact.get('b')?.action).toBe('ask');
    expect(policy.serverDefaults.get('s')).toBe('ask');
  });

  it('scope grant means client; windows are names or seconds', () => {
    const policy = policyOf({
      version: '1',
      tools: {
        t: {
          limits: [
            { window: 'second', max: 1, scope: 'grant' },
            { window: 'hour', max: 1, scope: 'session' },
            { window: 'day', max: 1, scope: 'global' },
            { window: 60, max: 1, scope: 'client' },
            { window: 2.5, max: 1, scope: 'client' },
          ],
        },
      },
    });
    const limits = policy.exact.get('t')?.limits ?? [];
    expect(limits.map((l) => [l.windowSeconds, l.scope])).toEqual([
      [1, 'client'],
      [3600, 'session'],
      [86400, 'global'],
      [60, 'client'],
      [2.5, 'client'],
    ]);
  });

  it('a listed tool without an action is allowed; a policy without a default asks', () => {
    const policy = policyOf({ version: '1', tools: { t: {} } });
    expect(policy.exact.get('t')?.action).toBe('allow');
    expect(policy.default).toBe('ask');
  });
});

describe('loadPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-policy-'));
  const path = join(dir, 'policy.json');

  it('falls back to the built-in default policy when the file is missing', () => {
    const result = loadPolicyFile(join(dir, 'absent.json'));
    expect(result.status).toBe('missing');
    if (result.status === 'missing') expect(result.policy.default).toBe('ask');
  });

  it('loads a valid file and reports an invalid one with located issues', () => {
    writeFileSync(path, '{ "version": "1", "default": "deny" }');
    expect(loadPolicyFile(path).status).toBe('loaded');
    writeFileSync(path, '{ "version": "2" }');
    const result = loadPolicyFile(path);
    expect(result).toMatchObject({ status: 'invalid', issues: [{ pointer: '/version', line: 1, column: 14 }] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('parsePolicy never throws on garbage', () => {
    for (const text of ['[]', 'null', '"x"', '{"version":"1","tools":[]}', '{"version":"1","hide":"x"}', '\uFEFF{"version":"1"}']) {
      expect(() => parsePolicy(text)).not.toThrow();
    }
    expect(parsePolicy('\uFEFF{"version":"1"}').ok).toBe(true);
  });
});
