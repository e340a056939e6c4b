/**
 * Time left before a pending call expires. The bar shrinks by CSS animation (no timer per
 * frame); the text is updated once a second while the card is on screen.
 */
import { useEffect, useState } from 'react';
import { formatCountdown } from '../../lib/format.ts';

export function Countdown({ createdAt, expiresAt, frozen }: { createdAt: number; expiresAt: number; frozen: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (frozen) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [frozen]);
  const total = Math.max(expiresAt - createdAt, 1);
  const left = Math.max(expiresAt - now, 0);
  const urgent = left <= 10_000;
  const fraction = left / total;
  return (
    <div className={`countdown${urgent ? ' is-urgent' : ''}`}>
      <span className="countdown-text" role="timer" aria-live="off" aria-label={`Expires in ${formatCountdown(left)}`}>
        {left > 0 ? `Expires in ${formatCountdown(left)}` : 'Expired'}
      </span>
      <span className="countdown-track" aria-hidden="true">
        <CountdownBar key={frozen ? 'frozen' : String(expiresAt)} fraction={fraction} leftMs={frozen ? 0 : left} />
      </span>
    </div>
  );
}

/** Mounted once per call: starts at the current fraction and shrinks to zero on its own. */
function CountdownBar({ fraction, leftMs }: { fraction: number; leftMs: number }) {
  const [start] = useState(() => ({ fraction, leftMs }));
  return (
    <span
      className="countdown-bar"
      style={{
        ['--from' as string]: String(start.fraction),
        transform: `scaleX(${start.leftMs > 0 ? start.fraction : fraction})`,
        animation: start.leftMs > 0 ? `countdown-shrink ${start.leftMs}ms linear forwards` : 'none',
      }}
    />
  );
}
