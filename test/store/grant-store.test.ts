import { afterEach, describe, expect, it } from 'vitest';
import { hashJson } from '../../main/core/store/canonical-json.ts';
import { Database } from '../../main/core/store/database.ts';
import { GrantStore, type GrantLookup } from '../../main/core/store/grant-store.ts';
import { grantForChoice, grantLookup, type RememberedCall } from '../../main/core/guard/remember-grant.ts';
import { tempDbPath } from './temp-db.ts';

const T = 1_800_000_000_000;
const dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});
function open(path = tempDbPath()): { db: Database; grants: GrantStore; path: string } {
  const db = Database.open(path);
  dbs.push(db);
  return { db, grants: new GrantStore(db), path };
}

const lookup = (over: Partial<GrantLookup> = {}): GrantLookup => ({
  server: 'imagenx',
  tool: 'image_to_image',
  client: 'cursor',
  sessionId: 'session-1',
  policyVersion: 'v1',
  argsHash: hashJson({ prompt: 'fox' }),
  now: T,
  ...over,
});

describe('remembered decisions', () => {
  it('survive closing and reopening, and can be listed and revoked', () => {
    const { db, grants, path } = open();
    const always = grants.add({ server: 'imagenx', tool: 'image_to_image', scope: 'always', effect: 'allow', policyVersion: 'v1', createdAt: T });
    const session = grants.add({
      server: 'files',
      tool: 'write_file',
      scope: 'session',
      sessionId: 'session-1',
      client: 'cursor',
      effect: 'deny',
      policyVersion: 'v1',
      createdAt: T + 1,
      expiresAt: T + 3_600_000,
    });
    db.close();

    const again = open(path).grants;
    expect(again.list({ now: T })).toEqual([session, always]);
    expect(again.list({ server: 'files', now: T })).toEqual([session]);
    expect(again.findMatching(lookup())).toEqual(always);
    expect(again.revoke(always.id)).toBe(true);
    expect(again.revoke(always.id)).toBe(false);
    expect(again.findMatching(lookup())).toBeUndefined();
  });

  it('match only the calls they were made for', () => {
    const { grants } = open();
    const g = grants.add({
      server: 'imagenx',
      tool: 'image_to_image',
      argsHash: hashJson({ prompt: 'fox' }),
      client: 'cursor',
      sessionId: 'session-1',
      scope: 'session',
      effect: 'allow',
      policyVersion: 'v1',
      createdAt: T,
      expiresAt: T + 60_000,
    });
    expect(grants.findMatching(lookup())?.id).toBe(g.id);
    // Same arguments in another key order hash the same.
    expect(grants.findMatching(lookup({ argsHash: hashJson({ prompt: 'fox' }) }))?.id).toBe(g.id);
    expect(grants.findMatching(lookup({ argsHash: hashJson({ prompt: 'wolf' }) }))).toBeUndefined();
    expect(grants.findMatching(lookup({ argsHash: undefined }))).toBeUndefined();
    expect(grants.findMatching(lookup({ client: 'claude-desktop' }))).toBeUndefined();
    expect(grants.findMatching(lookup({ sessionId: 'session-2' }))).toBeUndefined();
    expect(grants.findMatching(lookup({ tool: 'other' }))).toBeUndefined();
    expect(grants.findMatching(lookup({ server: 'other' }))).toBeUndefined();
    // A policy edit invalidates what was remembered under the old policy.
    expect(grants.findMatching(lookup({ policyVersion: 'v2' }))).toBeUndefined();
    expect(grants.findMatching(lookup({ now: T + 60_000 }))).toBeUndefined();
  });

  it('a deny wins over an allow for the same call', () => {
    const { grants } = open();
    grants.add({ server: 'imagenx', tool: 'image_to_image', scope: 'always', effect: 'allow', policyVersion: 'v1', createdAt: T + 5 });
    const deny = grants.add({ server: 'imagenx', tool: 'image_to_image', client: 'cursor', scope: 'always', effect: 'deny', policyVersion: 'v1', createdAt: T });
    expect(grants.findMatching(lookup())?.id).toBe(deny.id);
    expect(grants.findMatching(lookup({ client: 'vscode' }))?.effect).toBe('allow');
  });

  it('session grants end with their session; expired grants are pruned', () => {
    const { grants } = open();
    grants.add({ server: 's', tool: 't', scope: 'session', sessionId: 'a', effect: 'allow', policyVersion: 'v1', createdAt: T });
    grants.add({ server: 's', tool: 't', scope: 'session', sessionId: 'b', effect: 'allow', policyVersion: 'v1', createdAt: T });
    grants.add({ server: 's', tool: 'u', scope: 'always', effect: 'allow', policyVersion: 'v1', createdAt: T, expiresAt: T + 10 });
    expect(grants.revokeSession('a')).toBe(1);
    expect(grants.list({ now: T }).map((g) => g.sessionId ?? 'always').sort()).toEqual(['always', 'b']);
    expect(grants.list({ now: T + 10 })).toHaveLength(1);
    expect(grants.list({ now: T + 10, includeExpired: true })).toHaveLength(2);
    expect(grants.pruneExpired(T + 10)).toBe(1);
    expect(grants.list({ now: T, includeExpired: true })).toHaveLength(1);
  });

  it('refuses a session grant without a session', () => {
    const { grants } = open();
    expect(() => grants.add({ server: 's', tool: 't', scope: 'session', effect: 'allow', policyVersion: 'v1' })).toThrow(/sessionId/);
  });

  it('addOnce keeps one grant per identical decision, and adds a different one', () => {
    const { grants } = open();
    const input = { server: 's', tool: 't', scope: 'always', client: 'cursor', effect: 'allow', policyVersion: 'v1' } as const;
    const first = grants.addOnce(input);
    expect(grants.addOnce(input)).toEqual(first);
    const exact = grants.addOnce({ ...input, argsHash: hashJson({ a: 1 }) });
    expect(exact.id).not.toBe(first.id);
    expect(grants.addOnce({ ...input, effect: 'deny' }).id).not.toBe(first.id);
    expect(grants.list()).toHaveLength(3);
  });

  it('revokeAllSessions drops every session grant and keeps the rest', () => {
    const { grants } = open();
    grants.add({ server: 's', tool: 't', scope: 'session', sessionId: 'a', effect: 'allow', policyVersion: 'v1', createdAt: T });
    const kept = grants.add({ server: 's', tool: 't', scope: 'always', client: 'cursor', effect: 'allow', policyVersion: 'v1', createdAt: T });
    expect(grants.revokeAllSessions()).toBe(1);
    expect(grants.list({ now: T })).toEqual([kept]);
  });
});

describe('remember scopes', () => {
  const fromA: RememberedCall = { server: 'imagenx', tool: 'image_to_image', arguments: { prompt: 'fox' }, client: 'caller-a', sessionId: 's-a' };
  const fromB: RememberedCall = { ...fromA, client: 'caller-b', sessionId: 's-b' };
  const remembered = (grants: GrantStore, call: RememberedCall) => grants.findMatching({ ...grantLookup(call, 'v1'), now: T });
  const choose = (grants: GrantStore, remember: Parameters<typeof grantForChoice>[1], call = fromA) => {
    const grant = grantForChoice(call, remember, 'allow', 'v1');
    return grant && grants.add({ ...grant, createdAt: T });
  };

  it('"always" covers this caller and tool with any arguments, never another caller', () => {
    const { grants } = open();
    const grant = choose(grants, 'always');
    expect(grant).toMatchObject({ scope: 'always', client: 'caller-a' });
    expect(grant?.argsHash).toBeUndefined();
    expect(remembered(grants, fromA)?.id).toBe(grant?.id);
    expect(remembered(grants, { ...fromA, arguments: { prompt: 'wolf' }, sessionId: 'later' })?.id).toBe(grant?.id);
    expect(remembered(grants, fromB)).toBeUndefined();
    expect(remembered(grants, { ...fromA, tool: 'other' })).toBeUndefined();
  });

  it('"always, these arguments" covers only this caller\'s identical call', () => {
    const { grants } = open();
    const grant = choose(grants, 'always_arguments');
    expect(grant?.argsHash).toBe(hashJson({ prompt: 'fox' }));
    expect(remembered(grants, { ...fromA, sessionId: 'later' })?.id).toBe(grant?.id);
    expect(remembered(grants, { ...fromA, arguments: { prompt: 'wolf' } })).toBeUndefined();
    expect(remembered(grants, fromB)).toBeUndefined();
  });

  it('"always, every caller" is the one scope that covers other callers', () => {
    const { grants } = open();
    const grant = choose(grants, 'always_everyone');
    expect(grant?.client).toBeUndefined();
    expect(remembered(grants, fromB)?.id).toBe(grant?.id);
    expect(remembered(grants, { ...fromB, arguments: { prompt: 'wolf' } })?.id).toBe(grant?.id);
  });

  it('"this session" covers this caller\'s session only; "only this call" stores nothing', () => {
    const { grants } = open();
    const grant = choose(grants, 'session');
    expect(grant).toMatchObject({ scope: 'session', client: 'caller-a', sessionId: 's-a' });
    expect(remembered(grants, { ...fromA, arguments: { prompt: 'wolf' } })?.id).toBe(grant?.id);
    expect(remembered(grants, { ...fromA, sessionId: 's-other' })).toBeUndefined();
    expect(remembered(grants, { ...fromB, sessionId: 's-a' })).toBeUndefined();
    expect(choose(grants, 'once')).toBeUndefined();
    expect(choose(grants, undefined)).toBeUndefined();
    expect(grants.list({ now: T })).toEqual([grant]);
  });
});

describe('retry passes', () => {
  const pass = { server: 'imagenx', tool: 'image_to_image', client: 'cursor', argsHash: hashJson({ prompt: 'fox' }), historyId: '0000000000AB' };

  it('let exactly this caller, server, tool and arguments through, once, until they expire', () => {
    const { grants } = open();
    const opened = grants.addRetryPass({ ...pass, expiresAt: T + 30_000, createdAt: T });
    expect(opened).toMatchObject({ scope: 'retry', effect: 'allow', client: 'cursor', historyId: '0000000000AB' });
    expect(grants.findRetryPass({ ...pass, now: T + 29_999 })?.id).toBe(opened.id);
    expect(grants.findRetryPass({ ...pass, now: T + 30_000 })).toBeUndefined();
    expect(grants.findRetryPass({ ...pass, client: 'vscode', now: T })).toBeUndefined();
    expect(grants.findRetryPass({ ...pass, tool: 'other', now: T })).toBeUndefined();
    expect(grants.findRetryPass({ ...pass, argsHash: hashJson({ prompt: 'wolf' }), now: T })).toBeUndefined();
    expect(grants.consume(opened.id)).toBe(true);
    expect(grants.consume(opened.id)).toBe(false);
    expect(grants.findRetryPass({ ...pass, now: T })).toBeUndefined();
  });

  it('are no remembered choice: not listed, never matched as a grant, dropped at start', () => {
    const { grants } = open();
    grants.addRetryPass({ ...pass, expiresAt: Date.now() + 60_000 });
    expect(grants.list()).toEqual([]);
    expect(grants.findMatching(lookup({ now: Date.now() }))).toBeUndefined();
    expect(grants.revokeAllSessions()).toBe(1);
    expect(grants.findRetryPass(pass)).toBeUndefined();
  });

  it('cannot be opened for any caller or any arguments', () => {
    const { grants } = open();
    expect(() => grants.add({ server: 's', tool: 't', scope: 'retry', effect: 'allow', policyVersion: '', expiresAt: T })).toThrow(/retry pass/);
  });
});
