/**
 * Which part of a policy speaks for a tool: hide, then the most specific rule
 * (server-scoped exact > exact > server-scoped glob > glob), then the server's default,
 * then the policy's default. The answer depends only on (server, tool), so it is worked
 * out once per tool and kept with the policy; a call then pays for two map lookups.
 */
import { pointer as jsonPointer, type CompiledHide, type CompiledPolicy, type CompiledRule, type LimitGroup } from './compile.ts';
import type { DecisionKind, PolicyDecision, Reservation } from '../../../shared/policy/schema.ts';
import type { Action } from '../../../shared/policy/schema.ts';

export const NO_RESERVATIONS: readonly Reservation[] = Object.freeze([]);

export interface Resolution {
  readonly hidden: CompiledHide | undefined;
  readonly rule: CompiledRule | undefined;
  readonly action: Action;
  readonly kind: Extract<DecisionKind, 'policy' | 'default' | 'hidden'>;
  /** Pointer of what decided: the hide entry, the rule, or the default used. */
  readonly pointer: string;
  readonly reason: string;
  /** Limits to count when the call may go ahead (none for a deny). */
  readonly groups: readonly LimitGroup[];
  /** The whole decision, when nothing about the call can change it. */
  readonly fixed: PolicyDecision | undefined;
}

/** Every decision has this one shape (same keys, same order), which keeps property access fast. */
export function decision(
  action: Action,
  kind: DecisionKind,
  rule: string,
  reason: string,
  reservations: readonly Reservation[],
  message: string | undefined,
  timeout: number | undefined,
  limit: PolicyDecision['limit'],
): PolicyDecision {
  return { action, kind, rule, reason, reservations, message, timeout, limit };
}

export function denialMessage(rule: string, reason: string): string {
  return `[Airlock] Denied by policy (${rule}): ${reason}`;
}

function globMatches(entry: { serverMatch: RegExp | undefined; toolMatch: RegExp | undefined }, server: string, tool: string): boolean {
  if (entry.serverMatch && !entry.serverMatch.test(server)) return false;
  return entry.toolMatch ? entry.toolMatch.test(tool) : true;
}

function findHide(policy: CompiledPolicy, server: string, tool: string): CompiledHide | undefined {
  const scoped = policy.hideScoped.get(server)?.get(tool);
  if (scoped) return scoped;
  const exact = policy.hideExact.get(tool);
  if (exact) return exact;
  for (const entry of policy.hideGlobs) {
    if (entry.server !== undefined && entry.server !== server) continue;
    if (globMatches(entry, server, tool)) return entry;
  }
  return undefined;
}

/** The most specific rule naming the tool, if any. */
export function findRule(policy: CompiledPolicy, server: string, tool: string): CompiledRule | undefined {
  const scoped = policy.scopedExact.get(server)?.get(tool);
  if (scoped) return scoped;
  const exact = policy.exact.get(tool);
  if (exact) return exact;
  for (const rule of policy.scopedGlobs.get(server) ?? []) if (globMatches(rule, server, tool)) return rule;
  for (const rule of policy.globs) if (globMatches(rule, server, tool)) return rule;
  return undefined;
}

/** Works the resolution out from scratch (the cache below keeps its answers). */
/** Fixed decisions are shared by every call of the tool: frozen, so no caller can alter another's. */
function shared(decision: PolicyDecision): PolicyDecision {
  return Object.freeze(decision);
}

export function resolveUncached(policy: CompiledPolicy, server: string, tool: string): Resolution {
  if (policy.blocked !== undefined) {
    const message = `[Airlock] Denied: there is no valid policy, so every call is refused until policy.json is fixed. ${policy.blocked}`;
    return {
      hidden: undefined,
      rule: undefined,
      action: 'deny',
      kind: 'default',
      pointer: '',
      reason: policy.blocked,
      groups: [],
      fixed: shared(decision('deny', 'default', '', policy.blocked, NO_RESERVATIONS, message, undefined, undefined)),
    };
  }
  const hidden = findHide(policy, server, tool);
  if (hidden) {
    const reason = `tool "${tool}" is hidden by the policy`;
    return {
      hidden,
      rule: undefined,
      action: 'deny',
      kind: 'hidden',
      pointer: hidden.pointer,
      reason,
      groups: [],
      fixed: shared(decision('deny', 'hidden', hidden.pointer, reason, NO_RESERVATIONS, denialMessage(hidden.pointer, reason), undefined, undefined)),
    };
  }

  const rule = findRule(policy, server, tool);
  if (rule) {
    const action = rule.action;
    const reason =
      rule.reason ??
      (action === 'deny'
        ? `tool "${tool}" is denied by the policy`
        : action === 'ask'
          ? `the policy asks before tool "${tool}" runs`
          : `tool "${tool}" is allowed by the policy`);
    const groups = action === 'deny' ? [] : rule.groups;
    const conditions = rule.require.length + rule.denyIf.length + (action === 'allow' ? rule.askIf.length : 0);
    const timeout = action === 'ask' ? rule.timeout : undefined;
    let fixed: PolicyDecision | undefined;
    if (action === 'deny') {
      fixed = shared(decision('deny', 'policy', rule.pointer, reason, NO_RESERVATIONS, denialMessage(rule.pointer, reason), undefined, undefined));
    } else if (conditions === 0 && groups.length === 0) {
      fixed = shared(decision(action, 'policy', rule.pointer, reason, NO_RESERVATIONS, undefined, timeout, undefined));
    }
    return { hidden: undefined, rule, action, kind: 'policy', pointer: rule.pointer, reason, groups, fixed };
  }

  const serverDefault = policy.serverDefaults.get(server);
  const action = serverDefault ?? policy.default;
  const pointer = serverDefault ? jsonPointer('servers', server, 'default') : '/default';
  const which = serverDefault ? `server "${server}"'s default` : 'the default';
  const reason = `no rule names tool "${tool}" on server "${server}"; ${which} is ${action}`;
  const groups = action === 'deny' ? [] : policy.allToolsGroups;
  const fixed =
    action === 'deny'
      ? shared(decision('deny', 'default', pointer, reason, NO_RESERVATIONS, denialMessage(pointer, reason), undefined, undefined))
      : groups.length === 0
        ? shared(decision(action, 'default', pointer, reason, NO_RESERVATIONS, undefined, undefined, undefined))
        : undefined;
  return { hidden: undefined, rule: undefined, action, kind: 'default', pointer, reason, groups, fixed };
}

/**
 * Tool names come from agents, so the cache is bounded: a client calling made-up names
 * costs a cleared map now and then, never unbounded memory.
 */
const MAX_TOOLS_PER_SERVER = 4096;
const MAX_SERVERS = 1024;
const caches = new WeakMap<CompiledPolicy, Map<string, Map<string, Resolution>>>();

export function resolve(policy: CompiledPolicy, server: string, tool: string): Resolution {
  let servers = caches.get(policy);
  if (!servers) caches.set(policy, (servers = new Map()));
  let tools = servers.get(server);
  if (!tools) {
    if (servers.size >= MAX_SERVERS) servers.clear();
    servers.set(server, (tools = new Map()));
  }
  let resolution = tools.get(tool);
  if (!resolution) {
    if (tools.size >= MAX_TOOLS_PER_SERVER) tools.clear();
    tools.set(tool, (resolution = resolveUncached(policy, server, tool)));
  }
  return resolution;
}
