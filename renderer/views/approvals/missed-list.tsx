/**
 * Calls that timed out while nobody answered. Each can be let through once: the agent's
 * next identical call (same caller, server, tool, arguments) then runs without asking,
 * until the pass expires. Arguments are summarised, never shown in full here (images).
 */
import { useEffect, useState } from 'react';
import type { MissedCall } from '../../../shared/api/contract.ts';
import { formatTime } from '../../lib/format.ts';
import { useMissedStore } from '../../state/missed-store.ts';

function summary(args: Record<string, unknown>): string {
  const text = Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? (v.length > 60 ? `${v.slice(0, 40)}…` : v) : Array.isArray(v) ? `${v.length} items` : JSON.stringify(v)}`)
    .join(' · ');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function MissedRow({ call }: { call: MissedCall }) {
  const allowRetry = useMissedStore((s) => s.allowRetry);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const allowed = call.retryAllowedUntil !== undefined && call.retryAllowedUntil > Date.now();
  const allow = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await allowRetry(call.id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="missed-row">
      <div className="missed-main">
        <span className="server-chip">{call.server}</span>
        <span className="queue-tool">{call.toolTitle ?? call.tool}</span>
        {call.toolTitle && <code className="tool-name">{call.tool}</code>}
        <span className="muted">{call.client.name ?? call.client.id}</span>
        <span className="muted queue-time">expired {formatTime(call.expiredAt)}</span>
      </div>
      <p className="missed-args mono">{summary(call.arguments)}</p>
      <div className="missed-actions">
        {allowed ? (
          <span className="hint" role="status">
            The next identical call passes once, until {formatTime(call.retryAllowedUntil!)}. Tell the agent to retry.
          </span>
        ) : (
          <>
            <span className="hint">{call.answeredEarly ? 'The agent was told to retry, then the call timed out.' : 'The agent was told nobody answered.'}</span>
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => void allow()}>
              Let the next retry through
            </button>
          </>
        )}
        {error && (
          <span className="notice notice-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </li>
  );
}

export function MissedList() {
  const calls = useMissedStore((s) => s.calls);
  const loaded = useMissedStore((s) => s.loaded);
  useEffect(() => {
    if (!loaded) void useMissedStore.getState().load();
  }, [loaded]);
  if (calls.length === 0) return null;
  return (
    <section className="missed" aria-label="Missed calls">
      <h2>Missed</h2>
      <p className="hint">Timed out while nobody answered. Kept until Airlock restarts.</p>
      <ul>
        {calls.map((call) => (
          <MissedRow key={call.id} call={call} />
        ))}
      </ul>
    </section>
  );
}
