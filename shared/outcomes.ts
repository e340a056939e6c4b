/**
 * One vocabulary for how a call ended: the approval card, the timeline, the history
 * filters and the export all read their words from this table, so a person's denial is
 * called the same everywhere and a call that never ran never reads as a plain approval.
 */
import type { Decision } from './history.ts';

export type OutcomeTone = 'ok' | 'bad' | 'warn' | 'neutral';
export type OutcomeGroup = 'through' | 'refused' | 'not_run';

export interface Outcome {
  label: string;
  tone: OutcomeTone;
  group: OutcomeGroup;
  /** One sentence for tooltips and the export. */
  description: string;
}

export const OUTCOMES: Readonly<Record<Decision, Outcome>> = {
  allowed: { label: 'Allowed', tone: 'ok', group: 'through', description: 'Let through by the policy or a remembered decision.' },
  approved: { label: 'Approved by you', tone: 'ok', group: 'through', description: 'A person approved it and it ran.' },
  approved_for_retry: {
    label: 'Approved for the retry',
    tone: 'neutral',
    group: 'not_run',
    description: 'A person approved it after the agent had been told to retry; this call did not run, its identical retry does.',
  },
  approved_not_run: {
    label: 'Approved, not run',
    tone: 'warn',
    group: 'not_run',
    description: 'A person approved it, but Airlock stopped before sending it; it did not run and is not run again.',
  },
  denied: { label: 'Denied by policy', tone: 'bad', group: 'refused', description: 'The policy refused it.' },
  rejected_by_user: { label: 'Denied by you', tone: 'bad', group: 'refused', description: 'A person denied it, now or by a remembered decision.' },
  rate_limited: { label: 'Rate limited', tone: 'warn', group: 'refused', description: 'A limit of the policy refused it.' },
  quarantined: { label: 'Quarantined', tone: 'bad', group: 'refused', description: 'Refused because the tool changed its definition since it was approved.' },
  timed_out: { label: 'Timed out', tone: 'warn', group: 'not_run', description: 'Nobody answered in time; it did not run.' },
  cancelled: { label: 'Cancelled', tone: 'neutral', group: 'not_run', description: 'The agent cancelled or went away; it did not run.' },
  upstream_error: { label: 'Server error', tone: 'bad', group: 'not_run', description: 'Let through, but the server failed.' },
};

export const OUTCOME_GROUPS: Readonly<Record<OutcomeGroup, string>> = {
  through: 'Let through',
  refused: 'Refused',
  not_run: 'Not run or failed',
};

/** Label of a decision, or of an undecided call. */
export function outcomeLabel(decision: Decision | null, pending = 'Waiting'): string {
  return decision ? OUTCOMES[decision].label : pending;
}

export function outcomeTone(decision: Decision | null): OutcomeTone {
  return decision ? OUTCOMES[decision].tone : 'neutral';
}

export function decisionsInGroup(group: OutcomeGroup): Decision[] {
  return (Object.keys(OUTCOMES) as Decision[]).filter((decision) => OUTCOMES[decision].group === group);
}
