/**
 * The decision for reading a resource (resources/read) or getting a prompt (prompts/get):
 * a pure function of the policy and the request, like `evaluate` for tool calls. Rules
 * match the URI or the prompt name, most specific first: the server's exact key, the
 * exact key, the server's globs, the globs. Nothing matching means allowed (a policy
 * without `resources` or `prompts` behaves as before they existed); a policy that is
 * blocked (invalid at start) refuses everything.
 */
import type { Action } from '../../../shared/policy/schema.ts';
import type { CompiledAccess, CompiledAccessRule, CompiledPolicy } from './compile.ts';

export type AccessKind = 'resource' | 'prompt';

export interface AccessCall {
  readonly kind: AccessKind;
  readonly server: string;
  /** The resource URI or the prompt name. */
  readonly target: string;
}

export interface AccessDecision {
  readonly action: Action;
  /** JSON pointer of the rule that decided; '' when none did. */
  readonly rule: string;
  readonly reason: string;
  /** For a deny: the error text for the agent, starting with `[Airlock]`. */
  readonly message: string | undefined;
  /** For an ask whose rule sets `timeout`: seconds the approval waits. */
  readonly timeout: number | undefined;
}

const NOUN: Record<AccessKind, string> = { resource: 'resource', prompt: 'prompt' };
const VERB: Record<AccessKind, string> = { resource: 'read', prompt: 'used' };

function findAccessRule(rules: CompiledAccess, server: string, target: string): CompiledAccessRule | undefined {
  const scoped = rules.scopedExact.get(server)?.get(target);
  if (scoped) return scoped;
  const exact = rules.exact.get(target);
  if (exact) return exact;
  for (const rule of rules.scopedGlobs.get(server) ?? []) if (rule.match!.test(target)) return rule;
  for (const rule of rules.globs) if (rule.match!.test(target)) return rule;
  return undefined;
}

export function evaluateAccess(policy: CompiledPolicy, call: AccessCall): AccessDecision {
  const what = `${NOUN[call.kind]} "${call.target}"`;
  if (policy.blocked !== undefined) {
    const message = `[Airlock] Denied: there is no valid policy, so every request is refused until policy.json is fixed. ${policy.blocked}`;
    return { action: 'deny', rule: '', reason: policy.blocked, message, timeout: undefined };
  }
  const rule = findAccessRule(call.kind === 'resource' ? policy.resources : policy.prompts, call.server, call.target);
  if (!rule) {
    const key = call.kind === 'resource' ? 'resources' : 'prompts';
    return { action: 'allow', rule: '', reason: `no "${key}" rule names ${what}; it may be ${VERB[call.kind]}`, message: undefined, timeout: undefined };
  }
  const reason =
    rule.reason ??
    (rule.action === 'deny'
      ? `${what} is denied by the policy`
      : rule.action === 'ask'
        ? `the policy asks before ${what} is ${VERB[call.kind]}`
        : `${what} is allowed by the policy`);
  return {
    action: rule.action,
    rule: rule.pointer,
    reason,
    message: rule.action === 'deny' ? `[Airlock] Denied by policy (${rule.pointer}): ${reason}` : undefined,
    timeout: rule.action === 'ask' ? rule.timeout : undefined,
  };
}
