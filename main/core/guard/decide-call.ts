/**
 * The guard's decision for an arriving tools/call: a pure function of the call's context
 * and a snapshot of what the guard knows (policy, counters, quarantine, "pause all",
 * remembered decisions), like the policy engine's `evaluate`. The executor (call-guard.ts)
 * carries the verdict out: it records, reserves, asks and forwards, and decides nothing.
 *
 * Order: quarantine → policy (hide, rule, conditions, limits) → for an ask: a retry pass,
 * a remembered decision (a deny wins), "pause all", else a person is asked.
 */
import type { PendingCall } from '../../../shared/api/contract.ts';
import { evaluate, NO_COUNTERS, type CompiledPolicy, type CounterReader, type PolicyDecision, type Reservation } from '../policy/index.ts';
import type { Grant } from '../store/grant-store.ts';
import { policyInput, policyInputOfCard, type CallContext } from './call-context.ts';
import type { CallEnd } from './call-outcomes.ts';

/** The remembered decisions that apply to a call (read-only: nothing is consumed here). */
export interface RememberedReader {
  /** An unexpired retry pass for exactly this caller, server, tool and arguments. */
  retryPass(context: CallContext): Grant | undefined;
  /** The session or "always" grant that applies (a deny before an allow). */
  grant(context: CallContext): Grant | undefined;
}

export interface GuardSnapshot {
  readonly policy: CompiledPolicy;
  readonly counters: CounterReader;
  readonly now: number;
  /** The tool's definition changed since it was approved. */
  readonly quarantined: boolean;
  /** "Pause all": nobody is asked. */
  readonly paused: boolean;
  readonly remembered: RememberedReader;
}

export type Verdict =
  /** Refused on arrival: record the end, answer the agent. */
  | { kind: 'refuse'; end: CallEnd }
  /** Let through: record the end, take the slots, (use up the pass), forward. */
  | { kind: 'forward'; end: CallEnd; reservations: readonly Reservation[]; consumes?: Grant }
  /** A person decides: record the arrival, take the slots, ask and wait. */
  | { kind: 'ask'; decision: PolicyDecision; reservations: readonly Reservation[] };

export function decideCall(context: CallContext, snapshot: GuardSnapshot): Verdict {
  if (snapshot.quarantined) return { kind: 'refuse', end: { kind: 'quarantined' } };

  const decision = evaluate(snapshot.policy, policyInput(context), snapshot.counters, snapshot.now);
  if (decision.action === 'deny') {
    return { kind: 'refuse', end: decision.kind === 'limit' ? { kind: 'limited', decision } : { kind: 'denied_by_policy', decision } };
  }
  const reservations = decision.reservations;
  if (decision.action === 'allow') return { kind: 'forward', end: { kind: 'allowed', decision }, reservations };

  const pass = snapshot.remembered.retryPass(context);
  if (pass) return { kind: 'forward', end: { kind: 'approved_by_pass', pass }, reservations, consumes: pass };
  const grant = snapshot.remembered.grant(context);
  if (grant?.effect === 'deny') return { kind: 'refuse', end: { kind: 'denied_by_grant', grant } };
  if (grant) return { kind: 'forward', end: { kind: 'allowed_by_grant', decision, grant }, reservations };
  if (snapshot.paused) return { kind: 'refuse', end: { kind: 'paused', rule: decision.rule, reason: decision.reason } };
  return { kind: 'ask', decision, reservations };
}

/**
 * A person approved with edited arguments: to the policy that is a new call. The person
 * already approved it, so only a refusal can change the outcome (limits were taken for the
 * call as it arrived).
 */
export function decideEdit(edited: CallContext, policy: CompiledPolicy, now: number): PolicyDecision | undefined {
  const decision = evaluate(policy, policyInput(edited), NO_COUNTERS, now);
  return decision.action === 'deny' ? decision : undefined;
}

/** The policy changed while a call waited for a person: the refusal, if the new policy refuses it. */
export function decideWaiting(pending: PendingCall, policy: CompiledPolicy, now: number): PolicyDecision | undefined {
  const decision = evaluate(policy, policyInputOfCard(pending), NO_COUNTERS, now);
  return decision.action === 'deny' ? decision : undefined;
}
