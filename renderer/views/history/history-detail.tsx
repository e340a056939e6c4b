/** Everything recorded about one call: arguments, the decision and who made it, timings, the result. */
import type { HistoryEntry } from '../../../shared/history.ts';
import { OUTCOMES } from '../../../shared/outcomes.ts';
import { DecisionBadge } from '../../components/badges.tsx';
import { DefinitionDiff } from '../../components/definition-diff.tsx';
import { ImagePreview } from '../../components/image-preview.tsx';
import { XIcon } from '../../components/icons.tsx';
import { ArgumentsView } from '../../components/value-view.tsx';
import { formatDateTime, formatDuration } from '../../lib/format.ts';
import { detectImage } from '../../lib/images.ts';

function decidedByText(entry: HistoryEntry): string {
  const by = entry.decidedBy;
  if (!by) return entry.state === 'pending' ? 'Waiting for a person' : '—';
  const rule = by.rule ? ` (${by.rule})` : '';
  switch (by.kind) {
    case 'user':
      return by.detail ? `A person: ${by.detail}` : 'A person';
    case 'rule':
      return `The policy${rule}`;
    case 'timeout':
      return `Nobody answered in time${rule}`;
    case 'limit':
      return `A rate limit${rule}`;
    case 'grant':
      return `A remembered decision${by.detail ? `: ${by.detail}` : ''}`;
    case 'client':
      return 'The client (cancelled)';
  }
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A link to another entry of the timeline (the selection lives in the URL). */
function EntryLink({ id }: { id: string }) {
  return (
    <a className="mono" href={`#/history/${id}`}>
      {id}
    </a>
  );
}

export function HistoryDetail({ entry, onClose }: { entry: HistoryEntry; onClose(): void }) {
  const total = entry.completedAt !== undefined ? entry.completedAt - entry.receivedAt : undefined;
  const result = entry.result;
  return (
    <aside className="detail" aria-label="Call details">
      <header className="detail-head">
        <div>
          <div className="detail-title">
            <span className="server-chip">{entry.server}</span>
            <h2>{entry.tool}</h2>
          </div>
          <p className="muted">{formatDateTime(entry.receivedAt)}</p>
        </div>
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose} aria-label="Close details">
          <XIcon />
        </button>
      </header>

      <dl className="detail-grid">
        <dt>Decision</dt>
        <dd>
          <DecisionBadge decision={entry.decision} />
        </dd>
        <dt>Decided by</dt>
        <dd>{decidedByText(entry)}</dd>
        {entry.reason && (
          <>
            <dt>Reason</dt>
            <dd>{entry.reason}</dd>
          </>
        )}
        {entry.userMessage && (
          <>
            <dt>Message</dt>
            <dd className="user-message">“{entry.userMessage}”</dd>
          </>
        )}
        <dt>Client</dt>
        <dd>
          {entry.client}
          {entry.clientInfo && (entry.clientInfo.name !== entry.client || entry.clientInfo.version) && (
            <span className="muted">
              {' '}
              ({entry.clientInfo.name} {entry.clientInfo.version})
            </span>
          )}
        </dd>
        <dt>Session</dt>
        <dd className="mono">{entry.sessionId}</dd>
        {entry.protocolVersion && (
          <>
            <dt>Protocol</dt>
            <dd data-testid="call-protocol">
              MCP {entry.protocolVersion} <span className="muted">({entry.era === 'modern' ? 'modern era: no session' : 'legacy era: session'})</span>
            </dd>
          </>
        )}
        {entry.waitMs !== undefined && (
          <>
            <dt>Waited</dt>
            <dd>{formatDuration(entry.waitMs)}</dd>
          </>
        )}
        {entry.upstreamMs !== undefined && (
          <>
            <dt>Server took</dt>
            <dd>{formatDuration(entry.upstreamMs)}</dd>
          </>
        )}
        {total !== undefined && (
          <>
            <dt>Total</dt>
            <dd>{formatDuration(total)}</dd>
          </>
        )}
        {entry.retryOf && (
          <>
            <dt>Retry of</dt>
            <dd>
              <EntryLink id={entry.retryOf} /> <span className="muted">the same call, made earlier</span>
            </dd>
          </>
        )}
        {entry.retriedBy && (
          <>
            <dt>Retried as</dt>
            <dd>
              <EntryLink id={entry.retriedBy} />
              {entry.decision === 'approved_for_retry' && <span className="muted"> which ran it</span>}
            </dd>
          </>
        )}
        {entry.decision === 'approved_for_retry' && !entry.retriedBy && (
          <>
            <dt>Retry</dt>
            <dd className="muted">{OUTCOMES.approved_for_retry.description} No retry has come yet.</dd>
          </>
        )}
        <dt>Entry</dt>
        <dd className="mono">{entry.id}</dd>
      </dl>

      {entry.originalArguments && (
        <section className="edited-arguments" aria-label="Edited arguments">
          <div className="section-head">
            <h3>Arguments edited by a person</h3>
          </div>
          <DefinitionDiff before={pretty(entry.originalArguments)} after={pretty(entry.arguments)} beforeLabel="Sent by the agent" afterLabel="Approved and run" />
        </section>
      )}

      <ArgumentsView args={entry.arguments} />

      {(result || entry.error) && (
        <section className="result" aria-label="Result">
          <div className="section-head">
            <h3>Result</h3>
            {result && (
              <span className="badge-row">
                {result.isError && <span className="badge badge-bad">Error</span>}
                {result.contentTypes.map((t) => (
                  <span key={t} className="badge">
                    {t}
                  </span>
                ))}
              </span>
            )}
          </div>
          {entry.error && <p className="notice notice-error">{entry.error}</p>}
          {result?.thumbnails && result.thumbnails.length > 0 && (
            <div className="thumbnails">
              {result.thumbnails.map((src, i) => {
                const image = detectImage(src);
                return image ? <ImagePreview key={i} image={image} label={`Result image ${i + 1}`} /> : null;
              })}
            </div>
          )}
          {result?.textPreview && <pre className="code-block result-text">{result.textPreview}</pre>}
        </section>
      )}
    </aside>
  );
}
