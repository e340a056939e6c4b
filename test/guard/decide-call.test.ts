/**
 * The guard's decision as a pure function: every branch of `decideCall` (quarantine, the
 * policy, limits, retry passes, remembered decisions, "pause all", asking a person), the
 * re-decisions of an edited or waiting call, and the outcome table that says what history
 * records and what the agent reads for each way a call ends. No server, no database.
 */
import { describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import { OUTCOMES } from '../../shared/outcomes.ts';
import { callContext, historyArrival, pendingCard, policyInput, withArguments, type CallContext } from '../../main/core/guard/call-context.ts';
import { CALL_OUTCOMES, forwards, recordOf, refusalOf, type CallEnd } from '../../main/core/guard/call-outcomes.ts';
import { decideCall, decideEdit, decideWaiting, type GuardSnapshot, type RememberedReader } from '../../main/core/guard/decide-call.ts';
import { MemoryCounters, NO_COUNTERS } from '../../main/core/policy/index.ts';
import type { ToolCall } from '../../main/core/proxy/tool-call.ts';
import { hashJson } from '../../main/core/store/canonical-json.ts';
import type { Grant } from '../../main/core/store/grant-store.ts';
import { NOW, policyOf } from '../policy/helpers.ts';

function toolCall(over: Partial<ToolCall> = {}): ToolCall {
  return {
    server: 'files',
    tool: 'write_file',
    arguments: { path: '/tmp/a', content: 'x' },
    client: { id: 'cursor', info: { name: 'claims-to-be-someone', version: '9' }, tokenName: 'cursor' },
    sessionId: 'session-1',
    requestId: 1,
    receivedAt: NOW,
    era: 'legacy',
    protocolVersion: '2025-11-25',
    signal: new AbortController().signal,
    wantsProgress: false,
    sendProgress: async () => undefined,
    ...over,
  };
}

const context = (over: Partial<ToolCall> = {}) => callContext(toolCall(over), { name: 'write_file', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } });

const grant = (over: Partial<Grant>): Grant => ({
  id: 'g1',
  server: 'files',
  tool: 'write_file',
  scope: 'always',
  effect: 'allow',
  client: 'cursor',
  policyVersion: 'v1',
  createdAt: NOW,
  ...over,
});
const pass = grant({ id: 'p1', scope: 'retry', argsHash: 'h', expiresAt: NOW + 30_000, historyId: '0000000000AB' });

const ASK = policyOf({ version: '1', default: 'deny', tools: { write_file: { action: 'ask', reason: 'Writes files', timeout: 90 } } });
const ALLOW = policyOf({ version: '1', default: 'allow' });
const DENY = policyOf({ version: '1', default: 'allow', tools: { write_file: { action: 'deny', reason: 'No writing' } } });
const HIDDEN = policyOf({ version: '1', default: 'allow', hide: ['write_file'] });
const REQUIRE = policyOf({ version: '1', default: 'allow', tools: { write_file: { require: [{ path: 'args.path', op: 'matches', value: '^/work/' }] } } });
const LIMITED = policyOf({ version: '1', default: 'deny', tools: { write_file: { action: 'ask', limits: [{ counter: 'w', window: 'minute', max: 1, scope: 'client' }] } } });

/** A reader that says what it was asked, so a test can tell a branch never looked. */
function remembered(found: { pass?: Grant; grant?: Grant } = {}): RememberedReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    retryPass: () => (asked.push('pass'), found.pass),
    grant: () => (asked.push('grant'), found.grant),
  };
}

function snapshot(over: Partial<GuardSnapshot> = {}): GuardSnapshot {
  return { policy: ASK, counters: NO_COUNTERS, now: NOW, quarantined: false, paused: false, remembered: remembered(), ...over };
}

describe('decideCall', () => {
  it('refuses a quarantined tool before anything else, whatever the policy says', () => {
    const reader = remembered({ grant: grant({}) });
    expect(decideCall(context(), snapshot({ policy: ALLOW, quarantined: true, remembered: reader }))).toEqual({ kind: 'refuse', end: { kind: 'quarantined' } });
    expect(reader.asked).toEqual([]);
  });

  it.each([
    ['a deny rule', DENY, '/tools/write_file'],
    ['a hidden tool', HIDDEN, '/hide/0'],
    ['a failed require', REQUIRE, '/tools/write_file/require/0'],
  ])('refuses by policy for %s, and never reads remembered decisions', (_name, policy, rule) => {
    const reader = remembered({ grant: grant({}), pass });
    const verdict = decideCall(context(), snapshot({ policy, remembered: reader }));
    expect(verdict).toMatchObject({ kind: 'refuse', end: { kind: 'denied_by_policy', decision: { rule } } });
    expect(reader.asked).toEqual([]);
  });

  it('refuses a call over its limit as limited, even with a remembered allow', () => {
    const counters = new MemoryCounters();
    counters.add('w|client|cursor', NOW - 1000);
    const verdict = decideCall(context(), snapshot({ policy: LIMITED, counters, remembered: remembered({ grant: grant({}) }) }));
    expect(verdict).toMatchObject({ kind: 'refuse', end: { kind: 'limited', decision: { kind: 'limit', limit: { counter: 'w', max: 1 } } } });
  });

  it('limits count per caller (the token), not per clientInfo name', () => {
    const counters = new MemoryCounters();
    counters.add('w|client|cursor', NOW - 1000);
    const other = context({ client: { id: 'vscode', info: { name: 'cursor', version: '1' } } });
    expect(decideCall(other, snapshot({ policy: LIMITED, counters })).kind).toBe('ask');
  });

  it('forwards an allowed call with its reservations, without reading remembered decisions', () => {
    const reader = remembered({ grant: grant({ effect: 'deny' }) });
    const verdict = decideCall(context(), snapshot({ policy: ALLOW, remembered: reader }));
    expect(verdict).toMatchObject({ kind: 'forward', end: { kind: 'allowed', decision: { rule: '/default' } }, reservations: [] });
    expect(reader.asked).toEqual([]);
  });

  it('lets an asking call through on a retry pass, which the executor must use up', () => {
    const verdict = decideCall(context(), snapshot({ remembered: remembered({ pass, grant: grant({ effect: 'deny' }) }) }));
    expect(verdict).toEqual({ kind: 'forward', end: { kind: 'approved_by_pass', pass }, reservations: [], consumes: pass });
  });

  it('refuses on a remembered deny, even while paused', () => {
    const deny = grant({ effect: 'deny', scope: 'session', sessionId: 'session-1' });
    expect(decideCall(context(), snapshot({ paused: true, remembered: remembered({ grant: deny }) }))).toEqual({ kind: 'refuse', end: { kind: 'denied_by_grant', grant: deny } });
  });

  it('lets an asking call through on a remembered allow, even while paused', () => {
    const allow = grant({});
    const verdict = decideCall(context(), snapshot({ paused: true, remembered: remembered({ grant: allow }) }));
    expect(verdict).toMatchObject({ kind: 'forward', end: { kind: 'allowed_by_grant', grant: allow, decision: { action: 'ask', reason: 'Writes files' } } });
  });

  it('refuses an asking call while approvals are paused, as paused (not cancelled)', () => {
    expect(decideCall(context(), snapshot({ paused: true }))).toEqual({ kind: 'refuse', end: { kind: 'paused', rule: '/tools/write_file', reason: 'Writes files' } });
  });

  it('asks a person otherwise, with the rule, reason and timeout', () => {
    const reader = remembered();
    const verdict = decideCall(context(), snapshot({ remembered: reader }));
    expect(verdict).toMatchObject({ kind: 'ask', decision: { action: 'ask', rule: '/tools/write_file', reason: 'Writes files', timeout: 90 } });
    expect(reader.asked).toEqual(['pass', 'grant']);
  });
});

describe('re-deciding an approved edit and a waiting call', () => {
  const guarded = policyOf({ version: '1', default: 'deny', tools: { write_file: { action: 'ask', deny_if: [{ path: 'args.path', op: 'matches', value: '^/etc/' }] } } });

  it('an edit the policy refuses is refused; one it asks about is not (the person approved it)', () => {
    expect(decideEdit(withArguments(context(), { path: '/etc/passwd' }), guarded, NOW)).toMatchObject({ action: 'deny', rule: '/tools/write_file/deny_if/0' });
    expect(decideEdit(withArguments(context(), { path: '/tmp/b' }), guarded, NOW)).toBeUndefined();
  });

  it('a waiting call is refused when the new policy denies or hides its tool', () => {
    const card: PendingCall = pendingCard(context(), { id: 'p', historyId: 'h', rule: '/tools/write_file', reason: 'r', createdAt: NOW, expiresAt: NOW + 1 });
    expect(decideWaiting(card, DENY, NOW)).toMatchObject({ rule: '/tools/write_file', reason: 'No writing' });
    expect(decideWaiting(card, HIDDEN, NOW)).toMatchObject({ rule: '/hide/0' });
    expect(decideWaiting(card, ASK, NOW)).toBeUndefined();
  });
});

describe('the call context and its projections', () => {
  it('is built once: the caller is the token, clientInfo rides along for display only', () => {
    const c = context();
    expect(policyInput(c)).toEqual({ server: 'files', tool: 'write_file', args: c.arguments, client: 'cursor', sessionId: 'session-1', annotations: { destructiveHint: true } });
    expect(historyArrival(c)).toEqual({
      receivedAt: NOW,
      server: 'files',
      tool: 'write_file',
      client: 'cursor',
      clientInfo: { name: 'claims-to-be-someone', version: '9' },
      sessionId: 'session-1',
      protocolVersion: '2025-11-25',
      arguments: c.arguments,
    });
    const card = pendingCard(c, { id: 'p', historyId: 'h', rule: 'r', reason: 'why', createdAt: NOW, expiresAt: NOW + 5 });
    expect(card.client).toEqual({ id: 'cursor', name: 'claims-to-be-someone', version: '9' });
    expect(card.toolDefinition).toEqual({ name: 'write_file', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } });
  });

  it('carries the digest of its arguments (canonical JSON), and an edit gets its own', () => {
    const c = context({ arguments: { b: 1, a: 2 } });
    expect(c.argsDigest).toBe(hashJson({ a: 2, b: 1 }));
    const edited = withArguments(c, { a: 3 });
    expect(edited.argsDigest).toBe(hashJson({ a: 3 }));
    expect(edited.caller).toBe('cursor');
    expect(Object.keys({ ...c })).not.toContain('argsDigest');
  });
});

describe('the outcome table', () => {
  const c: CallContext = context();
  const decision = { rule: '/tools/write_file', reason: 'Writes files' };
  const ENDS: Record<CallEnd['kind'], CallEnd> = {
    allowed: { kind: 'allowed', decision: { ...decision, action: 'allow', kind: 'policy', reservations: [] } },
    allowed_by_grant: { kind: 'allowed_by_grant', decision: { ...decision, action: 'ask', kind: 'policy', reservations: [] }, grant: grant({}) },
    approved: { kind: 'approved', decision, waitMs: 1200, message: 'ok' },
    approved_by_pass: { kind: 'approved_by_pass', pass },
    approved_for_retry: { kind: 'approved_for_retry', waitMs: 50_000 },
    denied_by_person: { kind: 'denied_by_person', waitMs: 900, message: 'not now' },
    denied_by_grant: { kind: 'denied_by_grant', grant: grant({ effect: 'deny' }) },
    denied_by_policy: { kind: 'denied_by_policy', decision },
    limited: { kind: 'limited', decision: { ...decision, action: 'deny', kind: 'limit', reservations: [], message: '[Airlock] Rate limit reached (x)' } },
    paused: { kind: 'paused', ...decision },
    timed_out: { kind: 'timed_out', waitMs: 120_000 },
    cancelled: { kind: 'cancelled', cause: 'client', waitMs: 10 },
    quarantined: { kind: 'quarantined' },
    answered_early: { kind: 'answered_early', waitedMs: 45_000 },
  };

  it.each(Object.values(ENDS).map((end) => [end.kind, end] as const))('%s: history gets the decision the table names, with a known outcome word', (kind, end) => {
    const record = recordOf(end, c);
    expect(record?.decision).toBe(CALL_OUTCOMES[kind].decision);
    if (record) expect(OUTCOMES[record.decision].label).toBeTruthy();
  });

  it.each([
    ['denied_by_person', 'rejected_by_user', /^\[Airlock\] Denied by the user: not now$/],
    ['denied_by_grant', 'rejected_by_user', /^\[Airlock\] Denied: a person chose to always deny "write_file" on "files"\.$/],
    ['denied_by_policy', 'denied', /^\[Airlock\] Denied by policy: Writes files$/],
    ['limited', 'rate_limited', /^\[Airlock\] Rate limit reached/],
    ['paused', 'denied', /^\[Airlock\] Denied: approvals are paused in Airlock/],
    ['timed_out', 'timed_out', /^\[Airlock\] Approval timed out after 120 s: .*This is not a denial/],
    ['cancelled', 'cancelled', /^\[Airlock\] Cancelled: client cancelled\. The call was not run\.$/],
    ['quarantined', 'quarantined', /^\[Airlock\] Refused: the definition of tool "write_file" on server "files" changed/],
    ['answered_early', undefined, /^\[Airlock\] approval pending: .*waited 45 s.*Retry the same call/],
  ] as const)('%s: the agent reads a refusal saying so, and history records it as %s', (kind, decisionWord, text) => {
    const end = ENDS[kind];
    expect(forwards(end)).toBe(false);
    expect(recordOf(end, c)?.decision).toBe(decisionWord);
    const result = refusalOf(end, c);
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(text);
  });

  it('a paused call is denied in history and to the agent alike, never "cancelled"', () => {
    expect(recordOf(ENDS.paused, c)).toMatchObject({ decision: 'denied', decidedBy: { kind: 'rule', detail: 'approvals paused' } });
    expect((refusalOf(ENDS.paused, c).content[0] as { text: string }).text).not.toMatch(/Cancel/i);
  });

  it.each(['allowed', 'allowed_by_grant', 'approved', 'approved_by_pass'] as const)('%s: goes upstream, recorded as letting it through', (kind) => {
    expect(forwards(ENDS[kind])).toBe(true);
    expect(OUTCOMES[recordOf(ENDS[kind], c)!.decision].group).toBe('through');
  });

  it('a person\'s approval is recorded as theirs, with the wait, the message and the edit', () => {
    expect(recordOf({ kind: 'approved', decision, waitMs: 5, message: 'fine', arguments: { path: '/tmp/b' } }, c)).toEqual({
      decision: 'approved',
      decidedBy: { kind: 'user' },
      waitMs: 5,
      reason: 'Writes files',
      userMessage: 'fine',
      arguments: { path: '/tmp/b' },
    });
    expect(recordOf(ENDS.approved_by_pass, c)).toMatchObject({ decision: 'approved', decidedBy: { kind: 'user', detail: 'approved earlier (history 0000000000AB)' } });
  });
});
