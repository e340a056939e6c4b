/**
 * A person's "remember" choice as a grant. The caller is part of every scope except the
 * explicit "every caller" one: "always" on a call from one caller must not let another
 * caller's identical call through.
 */
import type { Remember } from '../../../shared/api/contract.ts';
import type { GrantEffect, GrantLookup, NewGrant } from '../store/grant-store.ts';
import { hashJson } from '../store/canonical-json.ts';

export interface RememberedCall {
  server: string;
  tool: string;
  /** The arguments the decision was about (for an edited approval: the edited ones). */
  arguments: Record<string, unknown>;
  /** The caller identity (`call.client.id`). */
  client: string;
  sessionId: string;
}

/** The grant to store for a choice, or undefined for "only this call". */
export function grantForChoice(call: RememberedCall, remember: Remember | undefined, effect: GrantEffect, policyVersion: string): NewGrant | undefined {
  const base = { server: call.server, tool: call.tool, effect, policyVersion };
  switch (remember) {
    case undefined:
    case 'once':
      return undefined;
    case 'session':
      return { ...base, scope: 'session', client: call.client, sessionId: call.sessionId };
    case 'always':
      return { ...base, scope: 'always', client: call.client };
    case 'always_arguments':
      return { ...base, scope: 'always', client: call.client, argsHash: hashJson(call.arguments) };
    case 'always_everyone':
      return { ...base, scope: 'always' };
  }
}

/** What a grant is looked up with for an arriving call. */
export function grantLookup(call: RememberedCall, policyVersion: string): GrantLookup {
  return { server: call.server, tool: call.tool, client: call.client, sessionId: call.sessionId, argsHash: hashJson(call.arguments), policyVersion };
}
