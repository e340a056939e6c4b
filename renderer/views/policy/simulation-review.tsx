/** Before saving: which recent calls the draft would decide differently. */
import type { MethodOutput } from '../../../shared/api/contract.ts';
import { Badge } from '../../components/badges.tsx';
import { formatDateTime, plural } from '../../lib/format.ts';

type Simulation = MethodOutput<'policy.simulate'>;

/** Simulated outcomes are actions (allow/deny/ask) or history decisions; colour them alike. */
function tone(outcome: string): 'ok' | 'bad' | 'warn' | 'neutral' {
  if (['allow', 'allowed', 'approved'].includes(outcome)) return 'ok';
  if (['deny', 'denied', 'rejected_by_user', 'quarantined'].includes(outcome)) return 'bad';
  if (['ask', 'rate_limited', 'timed_out'].includes(outcome)) return 'warn';
  return 'neutral';
}
const words = (outcome: string) => outcome.replaceAll('_', ' ');

export function SimulationReview({ simulation, saving, onSave, onBack }: { simulation: Simulation; saving: boolean; onSave(): void; onBack(): void }) {
  const { checked, changes, limitChanges } = simulation;
  const ruleVerdict =
    changes.length > 0
      ? `${plural(changes.length, 'call')} would be decided differently.`
      : limitChanges.length > 0
        ? 'none would be decided differently by the rules.'
        : 'none would be decided differently.';
  return (
    <section className="simulation" aria-label="Review changes">
      <div className="simulation-head">
        <div>
          <h2>Review before saving</h2>
          <p className="muted">
            Replayed the last {plural(checked, 'call')} against the draft: {ruleVerdict}
          </p>
          {limitChanges.length > 0 && (
            <p className="notice" role="note" data-testid="limit-changes">
              Limit changes are not replayed: the review does not know how many calls each past call counted against. The draft changes the limits at{' '}
              {limitChanges.map((pointer, i) => (
                <span key={pointer}>
                  {i > 0 && ', '}
                  <code>{pointer}</code>
                </span>
              ))}
              ; they apply from the next call after saving.
            </p>
          )}
        </div>
        <div className="simulation-actions">
          <button type="button" className="btn" onClick={onBack} disabled={saving}>
            Back to editing
          </button>
          <button type="button" className="btn btn-primary" onClick={onSave} disabled={saving}>
            {saving ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      </div>
      {changes.length > 0 && (
        <table className="simulation-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Tool</th>
              <th scope="col">Was</th>
              <th scope="col">Would be</th>
              <th scope="col">Rule</th>
            </tr>
          </thead>
          <tbody>
            {changes.slice(0, 200).map((c) => (
              <tr key={c.historyId}>
                <td className="nowrap">{formatDateTime(c.receivedAt)}</td>
                <td>
                  <span className="muted">{c.server}/</span>
                  {c.tool}
                </td>
                <td>
                  <Badge tone={tone(c.before)}>{words(c.before)}</Badge>
                </td>
                <td>
                  <Badge tone={tone(c.after)}>{words(c.after)}</Badge>
                </td>
                <td>
                  <code>{c.rule}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {changes.length > 200 && <p className="hint">And {plural(changes.length - 200, 'more call')}.</p>}
    </section>
  );
}
