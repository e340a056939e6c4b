/**
 * The waiting calls, oldest first: server, tool, caller and time left. The person picks
 * any of them to decide it; the one on screen is marked. Calls identical to another one
 * (same server, tool, caller, arguments) carry a "×N" mark, decided together on the card.
 */
import { useEffect, useState } from 'react';
import type { PendingCall } from '../../../shared/api/contract.ts';
import { formatCountdown } from '../../lib/format.ts';
import { isIdentical, toolTitle } from '../../lib/pending-queue.ts';

export function QueueList({ calls, shownId, onPick }: { calls: PendingCall[]; shownId: string; onPick(call: PendingCall): void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <section className="queue" aria-label="Waiting calls">
      <h3 className="visually-hidden">Waiting calls</h3>
      <ul>
        {calls.map((call) => {
          const left = Math.max(call.expiresAt - now, 0);
          const same = calls.filter((c) => isIdentical(c, call)).length;
          const caller = call.client.name ?? call.client.id;
          const title = toolTitle(call);
          return (
            <li key={call.id}>
              <button
                type="button"
                className="queue-item"
                aria-current={call.id === shownId ? 'true' : undefined}
                aria-label={`${title} on ${call.server} from ${caller}, ${left > 0 ? `${formatCountdown(left)} left` : 'expired'}${call.id === shownId ? ', on screen' : ''}`}
                onClick={() => onPick(call)}
              >
                <span className="server-chip">{call.server}</span>
                <span className="queue-tool">{title}</span>
                {same > 1 && <span className="queue-same" title="Identical calls waiting">×{same}</span>}
                <span className="muted queue-caller">{caller}</span>
                <span className={`queue-time${left <= 10_000 ? ' is-urgent' : ''}`}>{left > 0 ? formatCountdown(left) : 'expired'}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
