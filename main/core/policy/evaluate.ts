/**
 * One decision per tools/call: a pure function of the policy, the call, the counters and
 * the time. It reads counters but takes no slots; the caller reserves the returned
 * reservations (atomically re-checking them) before forwarding, and commits or rolls back.
 *
 * Order: hide → the rule's action → require (all must hold) → deny_if (any denies) →
 * ask_if (any turns an allow into an ask) → limits (rule's and all_tools').
 */
import { counterKey, type CompiledLimit, type CompiledPolicy } from './compile.ts';
import type { Action, LimitRefusal, PolicyCall, PolicyDecision, Reservation } from '../../../shared/policy/schema.ts';
import { FAILS, HOLDS, explainCondition, testCondition } from './conditions.ts';
import type { CounterReader } from './counters.ts';
import { limitText } from './describe.ts';
import { NO_RESERVATIONS, decision, denialMessage, resolve } from './resolve.ts';

function withReason(ruleReason: string | undefined, explanation: string): string {
  return ruleReason ? `${ruleReason}: ${explanation}` : explanation;
}

function limitRefusal(limit: CompiledLimit, key: string, used: number, at: number, now: number): LimitRefusal {
  // A reader that has lost track of the slots still yields a sane, future retry time.
  const retryAtMs = at > now ? at : now + 1000;
  return {
    rule: limit.pointer,
    counter: limit.counter,
    key,
    scope: limit.scope,
    max: limit.max,
    windowSeconds: limit.windowSeconds,
    used,
    retryAfterSeconds: Math.max(1, Math.ceil((retryAtMs - now) / 1000)),
    retryAtMs,
    retryAt: new Date(retryAtMs).toISOString(),
  };
}

function limitDecision(limit: CompiledLimit, refusal: LimitRefusal): PolicyDecision {
  const reason = `rate limit reached: counter "${limit.counter}" allows ${limitText(limit)}`;
  const message =
    `[Airlock] Rate limit reached (${limit.pointer}): counter "${limit.counter}" allows ${limitText(limit)}` +
    ` and ${refusal.used} ${refusal.used === 1 ? 'is' : 'are'} used. The next call will be allowed in` +
    ` ${refusal.retryAfterSeconds} s (at ${refusal.retryAt}).`;
  return decision('deny', 'limit', limit.pointer, reason, NO_RESERVATIONS, message, undefined, refusal);
}

export function evaluate(policy: CompiledPolicy, call: PolicyCall, counters: CounterReader, now: number): PolicyDecision {
  const resolution = resolve(policy, call.server, call.tool);
  if (resolution.fixed) return resolution.fixed;

  let action: Action = resolution.action;
  let kind = resolution.kind as PolicyDecision['kind'];
  let pointer = resolution.pointer;
  let reason = resolution.reason;
  const rule = resolution.rule;

  if (rule) {
    const require = rule.require;
    for (let i = 0; i < require.length; i++) {
      const condition = require[i]!;
      const outcome = testCondition(condition, call);
      if (outcome !== HOLDS) {
        const why = withReason(rule.reason, explainCondition(condition, call, outcome));
        return decision('deny', 'condition', condition.pointer, why, NO_RESERVATIONS, denialMessage(condition.pointer, why), undefined, undefined);
      }
    }
    const denyIf = rule.denyIf;
    for (let i = 0; i < denyIf.length; i++) {
      const condition = denyIf[i]!;
      const outcome = testCondition(condition, call);
      if (outcome !== FAILS) {
        const why = withReason(rule.reason, explainCondition(condition, call, outcome));
        return decision('deny', 'condition', condition.pointer, why, NO_RESERVATIONS, denialMessage(condition.pointer, why), undefined, undefined);
      }
    }
    if (action === 'allow') {
      const askIf = rule.askIf;
      for (let i = 0; i < askIf.length; i++) {
        const condition = askIf[i]!;
        const outcome = testCondition(condition, call);
        if (outcome !== FAILS) {
          action = 'ask';
          kind = 'condition';
          pointer = condition.pointer;
          reason = withReason(rule.reason, explainCondition(condition, call, outcome));
          break;
        }
      }
    }
  }

  const timeout = action === 'ask' ? rule?.timeout : undefined;
  const groups = resolution.groups;
  if (groups.length === 0) return decision(action, kind, pointer, reason, NO_RESERVATIONS, undefined, timeout, undefined);

  const reservations: Reservation[] = [];
  let worst: CompiledLimit | undefined;
  let worstKey = '';
  let worstUsed = 0;
  let worstAt = -Infinity;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const key = group.globalKey ?? counterKey(group.counter, group.scope, call.client, call.sessionId);
    const limits = group.limits;
    for (let l = 0; l < limits.length; l++) {
      const limit = limits[l]!;
      const used = counters.used(key, limit.windowSeconds, now);
      if (used < limit.max) continue;
      // The call fits once enough slots have left for the count to drop below the cap.
      const at = counters.expiresAt(key, limit.windowSeconds, now, used - limit.max) ?? now + limit.windowSeconds * 1000;
      // With several limits exhausted, the call is allowed only when the last one frees up.
      if (at > worstAt) {
        worst = limit;
        worstKey = key;
        worstUsed = used;
        worstAt = at;
      }
    }
    reservations.push({ key, counter: group.counter, scope: group.scope, limits });
  }
  if (worst) return limitDecision(worst, limitRefusal(worst, worstKey, worstUsed, worstAt, now));
  return decision(action, kind, pointer, reason, reservations, undefined, timeout, undefined);
}
