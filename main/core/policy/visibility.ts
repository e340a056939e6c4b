/**
 * Which tools a client sees in tools/list. A tool the policy will always refuse is left
 * out, so agents do not plan around it: hidden tools, tools whose rule denies (no
 * condition can turn a deny into an allow) and tools left to a `deny` default. Conditions
 * that depend only on what is known at list time (server, tool, annotations, and the
 * client when given) are judged too; anything that depends on arguments keeps the tool
 * listed, since some call could pass.
 */
import type { CompiledCondition, CompiledPolicy } from './compile.ts';
import type { PolicyCall, ToolAnnotationsLike } from '../../../shared/policy/schema.ts';
import { FAILS, HOLDS, testCondition } from './conditions.ts';
import { resolve } from './resolve.ts';

function knownAtListTime(condition: CompiledCondition, clientKnown: boolean): boolean {
  if (condition.source === 'args') return false;
  return condition.source !== 'client' || clientKnown;
}

export function isListed(
  policy: CompiledPolicy,
  server: string,
  tool: string,
  annotations?: ToolAnnotationsLike,
  client?: string,
): boolean {
  // No valid policy: tools stay listed, so a call reaches the refusal that names the broken file.
  if (policy.blocked !== undefined) return true;
  const resolution = resolve(policy, server, tool);
  if (resolution.action === 'deny') return false;
  const rule = resolution.rule;
  if (!rule || (rule.require.length === 0 && rule.denyIf.length === 0)) return true;

  const clientKnown = client !== undefined;
  const call: PolicyCall = { server, tool, args: undefined, client: client ?? '', sessionId: '', annotations };
  for (const condition of rule.require) {
    if (knownAtListTime(condition, clientKnown) && testCondition(condition, call) !== HOLDS) return false;
  }
  for (const condition of rule.denyIf) {
    if (knownAtListTime(condition, clientKnown) && testCondition(condition, call) !== FAILS) return false;
  }
  return true;
}
