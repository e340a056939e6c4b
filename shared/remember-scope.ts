/**
 * What a remembered decision covers, in words: the approval card's choices and the
 * Remembered list read from here, so both say the same thing about the same grant.
 */
import type { Grant, Remember } from './api/contract.ts';

/** The first choice on the card: how long a decision is remembered. */
export const REMEMBER_SPANS = [
  { value: 'once', label: 'Only this call', hint: 'Ask again next time.' },
  { value: 'session', label: 'This session', hint: 'Same answer for this tool from this caller until the session ends.' },
  { value: 'always', label: 'Always', hint: 'Remember as a grant; revoke it under Policy → Remembered.' },
] as const satisfies ReadonlyArray<{ value: Remember; label: string; hint: string }>;

/** The second choice for "Always": whom and what it covers. The first is the default. */
export const ALWAYS_SCOPES = [
  { value: 'always', label: 'This caller, any arguments' },
  { value: 'always_arguments', label: 'This caller, these exact arguments' },
  { value: 'always_everyone', label: 'Every caller, any arguments' },
] as const satisfies ReadonlyArray<{ value: Remember; label: string }>;

export const isAlways = (remember: Remember): boolean => remember === 'always' || remember === 'always_arguments' || remember === 'always_everyone';

/** The sentence the card shows under its choices: what the chosen option covers. */
export function rememberScopeText(remember: Remember, caller: string, tool: string): string {
  switch (remember) {
    case 'once':
      return `Only this call of ${tool}; the next one asks again.`;
    case 'session':
      return `${tool} from ${caller}, until this session ends.`;
    case 'always':
      return `${tool} from ${caller}, any arguments, until revoked.`;
    case 'always_arguments':
      return `${tool} from ${caller}, only with exactly these arguments, until revoked.`;
    case 'always_everyone':
      return `${tool} from every caller, any arguments, until revoked.`;
  }
}

/** A grant's scope in words, for the Remembered list. */
export function grantScopeText(grant: Pick<Grant, 'scope' | 'client' | 'argsHash'>): string {
  const who = grant.client ? `from ${grant.client}` : 'from every caller';
  const args = grant.argsHash ? 'only these exact arguments' : 'any arguments';
  return grant.scope === 'session' ? `This session ${who}, ${args}` : `Always ${who}, ${args}`;
}
