/** The policy engine's public surface; see README.md in this folder. */
export { parsePolicy, loadPolicyFile, formatPolicyIssues, MAX_POLICY_BYTES, MAX_POLICY_DEPTH } from './load.ts';
export type { PolicyIssue, PolicyParseResult, PolicyFileLoad } from './load.ts';
export { DEFAULT_POLICY, DEFAULT_POLICY_TEXT, defaultPolicy, refuseAllPolicy } from './default-policy.ts';
export { evaluate } from './evaluate.ts';
export { evaluateAccess } from './access.ts';
export type { AccessCall, AccessDecision, AccessKind } from './access.ts';
export { isListed } from './visibility.ts';
export { limitChanges } from './limit-changes.ts';
export { formatPolicySummary } from './summary.ts';
export { MemoryCounters, NO_COUNTERS } from './counters.ts';
export type { CounterReader } from './counters.ts';
export { counterKey } from './compile.ts';
export type { CompiledPolicy, CompiledLimit, CompiledRule } from './compile.ts';
export type {
  PolicyCall,
  PolicyDecision,
  DecisionKind,
  Reservation,
  LimitRefusal,
  ToolAnnotationsLike,
} from '../../../shared/policy/schema.ts';
