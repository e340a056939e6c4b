/**
 * The policy in force while policy.json does not exist. It never allows everything: a
 * tool runs without asking only when its server marks it read-only (`readOnlyHint`);
 * every other call waits for a person. Annotations are the server's own claims, so this
 * is a starting point, not a guarantee; a written policy replaces it.
 */
import { compilePolicy, type CompiledPolicy } from './compile.ts';
import { PolicySchema, type PolicyFile } from '../../../shared/policy/schema.ts';

export const DEFAULT_POLICY: PolicyFile = PolicySchema.parse({
  version: '1',
  default: 'ask',
  tools: {
    // A glob rule for every tool, so the annotation check applies everywhere; a tool
    // without annotations counts as not read-only.
    '*': {
      ask_if: [{ path: 'annotations.readOnlyHint', op: 'neq', value: true }],
    },
  },
});

/** The same policy as file text, e.g. to start a policy.json from. */
export const DEFAULT_POLICY_TEXT = JSON.stringify(DEFAULT_POLICY, null, 2) + '\n';

let compiled: CompiledPolicy | undefined;

export function defaultPolicy(): CompiledPolicy {
  compiled ??= compilePolicy(DEFAULT_POLICY);
  return compiled;
}

/**
 * What is in force when policy.json is invalid at start and no good policy was ever
 * loaded: everything is refused, with the file's errors as the reason, until it is fixed.
 */
export function refuseAllPolicy(reason: string): CompiledPolicy {
  return { ...compilePolicy(PolicySchema.parse({ version: '1', default: 'deny' })), blocked: reason };
}
