/**
 * The approval queue on its own: a decision is one transition with its claims (they run
 * inside `decide`, before any waiter resumes; one that fails leaves the call pending), each
 * approval resolves once (a second decision is NotPending), and "pause all" resolves every
 * waiting call as paused, reported to UIs as a denial by the policy.
 */
import { describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import { ApprovalQueue, type ApprovalOutcome } from '../../main/core/approvals/approval-queue.ts';
import { NotPending } from '../../main/core/errors.ts';

const card = (id: string): PendingCall => ({
  id,
  historyId: '0000000000AB',
  server: 's',
  tool: 't',
  arguments: {},
  client: { id: 'caller' },
  sessionId: 'session',
  rule: '/default',
  reason: 'asks',
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
});

describe('the approval queue', () => {
  it('runs the claims inside the decision, before the waiter resumes, and resolves once', async () => {
    const queue = new ApprovalQueue();
    queue.add(card('a'));
    const seen: string[] = [];
    queue.claim('a', (outcome) => seen.push(`claim:${outcome.kind}`));
    const waiting = queue.wait('a').then((outcome) => seen.push(`waiter:${outcome.kind}`));
    expect(queue.decide('a', { decision: 'approve' })).toEqual({ id: 'a', outcome: 'approved', by: 'user' });
    expect(seen).toEqual(['claim:approved']);
    await waiting;
    expect(seen).toEqual(['claim:approved', 'waiter:approved']);
    expect(() => queue.decide('a', { decision: 'deny' })).toThrow(NotPending);
  });

  it('a claim that fails fails the decision and leaves the call pending', () => {
    const queue = new ApprovalQueue();
    queue.add(card('a'));
    let fail = true;
    const outcomes: ApprovalOutcome['kind'][] = [];
    queue.claim('a', (outcome) => {
      if (fail) throw new Error('disk I/O error');
      outcomes.push(outcome.kind);
    });
    expect(() => queue.decide('a', { decision: 'approve' })).toThrow('disk I/O error');
    expect(queue.get('a')).toBeDefined();
    fail = false;
    queue.decide('a', { decision: 'deny' });
    expect(outcomes).toEqual(['denied']);
    expect(queue.size).toBe(0);
  });

  it('an undone claim does not run; a waiter that aborts while the call is kept leaves it pending', async () => {
    const queue = new ApprovalQueue();
    queue.add(card('a'));
    queue.keep('a');
    let ran = false;
    const undo = queue.claim('a', () => (ran = true));
    const controller = new AbortController();
    const waiting = queue.wait('a', controller.signal);
    controller.abort();
    expect(await waiting).toMatchObject({ kind: 'cancelled', cause: 'client' });
    undo();
    queue.decide('a', { decision: 'approve' });
    expect(ran).toBe(false);
  });

  it('"pause all" resolves every waiting call as paused, a denial by the policy for UIs', async () => {
    const queue = new ApprovalQueue();
    const resolutions: unknown[] = [];
    queue.on('resolved', (resolution) => resolutions.push(resolution));
    queue.add(card('a'));
    queue.add(card('b'));
    const outcomes = Promise.all([queue.wait('a'), queue.wait('b')]);
    queue.pauseAll();
    expect((await outcomes).map((o) => o.kind)).toEqual(['paused', 'paused']);
    expect(resolutions).toEqual([
      { id: 'a', outcome: 'denied', by: 'policy' },
      { id: 'b', outcome: 'denied', by: 'policy' },
    ]);
  });
});
