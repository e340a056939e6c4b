/**
 * Every way a tools/call can end, as a typed reason, and one table that maps each to what
 * history records (decision, who decided, why) and what the agent is told. The guard never
 * writes a decision or a refusal text anywhere else, so history and the agent cannot tell
 * two stories (a paused call is "denied" in both, a timeout is never called a denial).
 *
 * A refusal reaches the agent as a tool result with isError and an `[Airlock] ...` text that
 * says who refused and why: models read tool results, clients often hide protocol errors.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Decision } from '../../../shared/history.ts';
import type { CancelCause } from '../approvals/approval-queue.ts';
import { grantScopeText } from '../../../shared/remember-scope.ts';
import type { PolicyDecision } from '../policy/index.ts';

/** What refused a call: the rule, its reason, and the text for the agent if the policy wrote one. */
export type PolicyRefusal = Pick<PolicyDecision, 'rule' | 'reason' | 'message'>;
import type { Grant } from '../store/grant-store.ts';
import type { DecideInput } from '../store/history-store.ts';
import type { CallContext } from './call-context.ts';


export type CallEnd =
  /** The policy lets it through. */
  | { kind: 'allowed'; decision: PolicyDecision }
  /** The policy asks, and a remembered "allow" (session or always) answers. */
  | { kind: 'allowed_by_grant'; decision: PolicyDecision; grant: Grant }
  /** A person approved it (`arguments`: as the person edited them). */
  | { kind: 'approved'; decision: PolicyRefusal; waitMs: number; message?: string; arguments?: Record<string, unknown> }
  /** A person approved it earlier (a retry pass) and this identical retry runs it. */
  | { kind: 'approved_by_pass'; pass: Grant }
  /** A person approved it after the agent was told to retry: this call never runs, its retry does. */
  | { kind: 'approved_for_retry'; waitMs: number; message?: string }
  | { kind: 'denied_by_person'; waitMs: number; message?: string }
  /** A remembered "deny" answers. */
  | { kind: 'denied_by_grant'; grant: Grant }
  /**
   * The policy refuses it: on arrival, after a person's edit of the arguments, or while it
   * waited (`policyChanged`).
   */
  | { kind: 'denied_by_policy'; decision: PolicyRefusal; waitMs?: number; policyChanged?: boolean; arguments?: Record<string, unknown> }
  | { kind: 'limited'; decision: PolicyDecision }
  /** "Pause all": it would ask, and nobody is asked. */
  | { kind: 'paused'; rule: string; reason: string; waitMs?: number }
  | { kind: 'timed_out'; waitMs: number }
  | { kind: 'cancelled'; cause: CancelCause; waitMs: number }
  /** The tool's definition changed since it was approved. */
  | { kind: 'quarantined' }
  /** Told "approval pending, retry": nothing is decided yet, the approval stays open. */
  | { kind: 'answered_early'; waitedMs: number };

export type CallEndKind = CallEnd['kind'];

interface OutcomeRow<K extends CallEndKind> {
  /** The history decision (none: the entry stays as it is). */
  readonly decision: Decision | undefined;
  /** The decision's record. */
  record(end: Extract<CallEnd, { kind: K }>, context: CallContext): DecideInput | undefined;
  /** The agent's text; none when the call goes upstream and the result is the server's. */
  text(end: Extract<CallEnd, { kind: K }>, context: CallContext): string | undefined;
}

/** A remembered decision in words, with its id (history's "decided by"). */
function grantDetail(grant: Grant): string {
  const scope = grant.scope === 'retry' ? 'a retry pass' : grantScopeText({ ...grant, scope: grant.scope });
  return `${scope} (grant ${grant.id})`;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const optional = <T extends object>(value: T | undefined | false): T | object => value || {};
const CANCEL_TEXT: Record<CancelCause, string> = {
  client: 'client cancelled',
  shutdown: 'Airlock is shutting down',
  withdrawn: 'the approval was withdrawn',
};

export const CALL_OUTCOMES: { readonly [K in CallEndKind]: OutcomeRow<K> } = {
  allowed: {
    decision: 'allowed',
    record: (end) => ({ decision: 'allowed', decidedBy: { kind: 'rule', rule: end.decision.rule } }),
    text: () => undefined,
  },
  allowed_by_grant: {
    decision: 'allowed',
    record: (end) => ({
      decision: 'allowed',
      decidedBy: { kind: 'grant', detail: grantDetail(end.grant) },
      reason: end.decision.reason,
    }),
    text: () => undefined,
  },
  approved: {
    decision: 'approved',
    record: (end) => ({
      decision: 'approved',
      decidedBy: { kind: 'user' },
      waitMs: end.waitMs,
      reason: end.decision.reason,
      ...optional(end.message !== undefined && { userMessage: end.message }),
      ...optional(end.arguments && { arguments: end.arguments }),
    }),
    text: () => undefined,
  },
  approved_by_pass: {
    decision: 'approved',
    record: (end) => ({ decision: 'approved', decidedBy: { kind: 'user', detail: `approved earlier (history ${end.pass.historyId ?? '?'})` } }),
    text: () => undefined,
  },
  approved_for_retry: {
    decision: 'approved_for_retry',
    record: (end) => ({
      decision: 'approved_for_retry',
      decidedBy: { kind: 'user' },
      waitMs: end.waitMs,
      reason: 'approved after the agent was told to retry; the retry runs the call',
      ...optional(end.message !== undefined && { userMessage: end.message }),
    }),
    text: () => undefined,
  },
  denied_by_person: {
    decision: 'rejected_by_user',
    record: (end) => ({ decision: 'rejected_by_user', decidedBy: { kind: 'user' }, waitMs: end.waitMs, ...optional(end.message !== undefined && { userMessage: end.message }) }),
    text: (end) => `[Airlock] Denied by the user${end.message ? `: ${end.message}` : '.'}`,
  },
  denied_by_grant: {
    decision: 'rejected_by_user',
    record: (end) => ({
      decision: 'rejected_by_user',
      decidedBy: { kind: 'grant', detail: grantDetail(end.grant) },
      reason: 'denied earlier by a remembered decision',
    }),
    text: (end, context) =>
      `[Airlock] Denied: a person chose to ${end.grant.scope === 'session' ? 'deny for this session' : 'always deny'} "${context.tool}" on "${context.server}".`,
  },
  denied_by_policy: {
    decision: 'denied',
    record: (end) => ({
      decision: 'denied',
      decidedBy: { kind: 'rule', rule: end.decision.rule, ...optional(end.policyChanged && { detail: 'the policy changed while the call waited' }) },
      reason: end.decision.reason,
      ...optional(end.waitMs !== undefined && { waitMs: end.waitMs }),
      ...optional(end.arguments && { arguments: end.arguments }),
    }),
    text: (end) =>
      end.decision.message ?? `[Airlock] Denied by policy: ${end.decision.reason}${end.policyChanged ? ' (the policy changed while the call waited)' : ''}`,
  },
  limited: {
    decision: 'rate_limited',
    record: (end) => ({ decision: 'rate_limited', decidedBy: { kind: 'limit', rule: end.decision.rule }, reason: end.decision.reason }),
    text: (end) => end.decision.message ?? `[Airlock] Denied by policy: ${end.decision.reason}`,
  },
  paused: {
    decision: 'denied',
    record: (end) => ({
      decision: 'denied',
      decidedBy: { kind: 'rule', rule: end.rule, detail: 'approvals paused' },
      reason: 'approvals are paused',
      ...optional(end.waitMs !== undefined && { waitMs: end.waitMs }),
    }),
    text: (end) => `[Airlock] Denied: approvals are paused in Airlock, so every call that needs approval is refused. Reason the policy asks: ${end.reason}`,
  },
  timed_out: {
    decision: 'timed_out',
    record: (end) => ({ decision: 'timed_out', decidedBy: { kind: 'timeout' }, waitMs: end.waitMs }),
    text: (end, context) =>
      `[Airlock] Approval timed out after ${seconds(end.waitMs)}: nobody approved this call of "${context.tool}", so it was not run. This is not a denial; you may try again later.`,
  },
  cancelled: {
    decision: 'cancelled',
    record: (end) => ({ decision: 'cancelled', decidedBy: { kind: 'client' }, waitMs: end.waitMs, reason: CANCEL_TEXT[end.cause] }),
    text: (end) => `[Airlock] Cancelled: ${CANCEL_TEXT[end.cause]}. The call was not run.`,
  },
  quarantined: {
    decision: 'quarantined',
    record: () => ({ decision: 'quarantined', decidedBy: { kind: 'rule', detail: 'tool definition changed' }, reason: 'tool definition changed' }),
    text: (_end, context) =>
      `[Airlock] Refused: the definition of tool "${context.tool}" on server "${context.server}" changed since it was approved. It stays blocked until a person reviews and accepts the new definition in Airlock (Servers).`,
  },
  answered_early: {
    decision: undefined,
    record: () => undefined,
    text: (end, context) =>
      `[Airlock] approval pending: this call of "${context.tool}" is waiting for a person to approve it in Airlock (waited ${seconds(end.waitedMs)}). ` +
      `It has not run. Retry the same call with the same arguments in a little while; once approved, the retry goes through without asking again.`,
  },
};

function row<K extends CallEndKind>(end: Extract<CallEnd, { kind: K }>): OutcomeRow<K> {
  return CALL_OUTCOMES[end.kind as K] as OutcomeRow<K>;
}

/** What history records for this end (undefined: nothing to record). */
export function recordOf(end: CallEnd, context: CallContext): DecideInput | undefined {
  return row(end).record(end as never, context);
}

/** The agent's answer for a call that ends without reaching the upstream. */
export function refusalOf(end: CallEnd, context: CallContext): CallToolResult {
  const text = row(end).text(end as never, context) ?? `[Airlock] The call was not run (${end.kind}).`;
  return { content: [{ type: 'text', text }], isError: true };
}

/** Whether the call goes to the upstream server after this end. */
export function forwards(end: CallEnd): boolean {
  return end.kind === 'allowed' || end.kind === 'allowed_by_grant' || end.kind === 'approved' || end.kind === 'approved_by_pass';
}
