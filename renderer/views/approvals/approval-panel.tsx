/**
 * Which pending call is on screen, and when that changes. The rule: the card on screen
 * changes only when its call is finished (decided here or ended elsewhere) or when the
 * person picks another call in the queue, never because another call arrived, and only
 * after a short pause, so a click or key press meant for one call never lands on the next.
 */
import { useEffect, useRef, useState } from 'react';
import type { DecisionInput, PendingCall } from '../../../shared/api/contract.ts';
import { bridge } from '../../bridge/bridge.ts';
import { plural } from '../../lib/format.ts';
import { identicalCalls } from '../../lib/pending-queue.ts';
import { href } from '../../lib/router.ts';
import { useConnectionStore } from '../../state/connection-store.ts';
import { usePendingStore } from '../../state/pending-store.ts';
import { ApprovalCard, type CardPhase } from './approval-card.tsx';
import { QueueList } from './queue-list.tsx';

/** Pause after a decision here before the next call is shown. */
export const AFTER_DECISION_MS = 400;
/** Pause after the call on screen ended elsewhere (timeout, cancel), long enough to read why. */
export const AFTER_EXTERNAL_MS = 1600;

export function ApprovalPanel({ variant }: { variant: 'popup' | 'main' }) {
  const calls = usePendingStore((s) => s.calls);
  const resolved = usePendingStore((s) => s.resolved);
  const loaded = usePendingStore((s) => s.loaded);
  const [shown, setShown] = useState<PendingCall | undefined>();
  const [phase, setPhase] = useState<CardPhase>({ kind: 'open' });
  const [error, setError] = useState<string | undefined>();
  const leaving = useRef(false);
  // Calls decided here, in case the core's "resolved" event comes later than its answer.
  const decidedHere = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const show = (call: PendingCall | undefined) => {
    leaving.current = false;
    setShown(call);
    setPhase({ kind: 'open' });
    setError(undefined);
  };

  // Nothing on screen: take the oldest waiting call.
  const next = calls.find((c) => !decidedHere.current.has(c.id));
  useEffect(() => {
    if (!shown && next) show(next);
  }, [shown, next]);

  // The call on screen ended without us (timeout, the agent cancelled, another window).
  const ended = shown ? resolved[shown.id] : undefined;
  useEffect(() => {
    if (!ended || phase.kind !== 'open' || leaving.current) return;
    leaving.current = true;
    setPhase({ kind: 'resolved', resolution: ended });
    timer.current = setTimeout(() => show(undefined), AFTER_EXTERNAL_MS);
  }, [ended, phase.kind]);

  const others = calls.filter((c) => c.id !== shown?.id && !decidedHere.current.has(c.id));
  // The call as the core holds it now (e.g. marked "answered early" since it was shown).
  const current = shown ? (calls.find((c) => c.id === shown.id) ?? shown) : undefined;
  const identical = current ? identicalCalls(current, others) : [];

  const pick = (call: PendingCall) => {
    if (phase.kind !== 'open' || leaving.current || call.id === shown?.id) return;
    show(call);
  };

  const decide = async (input: DecisionInput, all: boolean) => {
    if (!shown || phase.kind !== 'open') return;
    const id = shown.id;
    // The identical calls as they were when the person chose: a call arriving meanwhile is not included.
    const alike = all ? identical.map((c) => c.id) : [];
    setPhase({ kind: 'deciding', decision: input.decision });
    setError(undefined);
    try {
      await bridge().call('pending.decide', { id, ...input });
      for (const other of alike) decidedHere.current.add(other);
      // Each one goes through the same API and checks; one that ended meanwhile is skipped.
      // An "always" is remembered once, by the first decision, not as one grant per call.
      const rest = { ...input, ...(input.remember === 'always' && { remember: 'once' as const }) };
      await Promise.allSettled(alike.map((other) => bridge().call('pending.decide', { id: other, ...rest })));
    } catch (err) {
      const already = usePendingStore.getState().resolved[id];
      if (already) {
        setPhase({ kind: 'resolved', resolution: already });
      } else {
        setPhase({ kind: 'open' });
        setError((err as Error).message);
        return;
      }
    }
    leaving.current = true;
    decidedHere.current.add(id);
    setPhase((p) => (p.kind === 'deciding' ? { kind: 'done', decision: input.decision } : p));
    timer.current = setTimeout(() => show(undefined), AFTER_DECISION_MS);
  };

  const connection = useConnectionStore((s) => s.state);
  const offline =
    connection === 'closed' ? (
      <p className="banner banner-warn" role="status">
        Lost the connection to Airlock; reconnecting. Decisions cannot be sent until it is back.
      </p>
    ) : null;

  if (!shown || !current) {
    return (
      <>
        {offline}
        <div className={`approval-empty${variant === 'popup' ? ' is-popup' : ''}`} role="status">
          <p className="empty-title">{loaded ? 'Nothing waiting' : 'Loading…'}</p>
          {loaded && <p className="muted">Calls that need your decision appear here.</p>}
          {loaded && variant === 'main' && (
            <p className="muted">
              No agent connected yet? <a href={href('connect')}>Connect an agent</a>
            </p>
          )}
        </div>
      </>
    );
  }

  const waiting = [current, ...others].sort((a, b) => a.createdAt - b.createdAt);
  return (
    <div className={`approval-panel is-${variant}`}>
      {offline}
      <div className="panel-bar">
        <span className="panel-title">{variant === 'popup' ? 'Decision needed' : 'Waiting for you'}</span>
        <span className={`queue-count${others.length > 0 ? ' has-more' : ''}`} role="status" aria-live="polite">
          {others.length > 0 ? `${plural(others.length, 'more call')} waiting` : 'No other calls waiting'}
        </span>
      </div>
      {others.length > 0 && <QueueList calls={waiting} shownId={current.id} onPick={pick} />}
      <ApprovalCard key={current.id} call={current} phase={phase} error={error} identical={identical.length} onDecide={(input, all) => void decide(input, all)} />
    </div>
  );
}
