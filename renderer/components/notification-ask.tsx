/** The one-time offer to announce waiting calls with browser notifications (web mode only). */
import { useState } from 'react';
import { askPermission, rememberAsked, shouldAsk } from '../state/web-notifications.ts';

export function NotificationAsk() {
  // Decided once per page load: the offer never reappears after an answer.
  const [open, setOpen] = useState(() => !window.airlock && shouldAsk());
  if (!open) return null;
  return (
    <section className="notification-ask banner" aria-label="Notifications">
      <span>Get a browser notification when a call waits for you? It names the tool and the caller, never the arguments.</span>
      <span className="notification-ask-actions">
        <button
          type="button"
          className="btn btn-small btn-primary"
          onClick={() => {
            setOpen(false);
            void askPermission();
          }}
        >
          Turn on notifications
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => {
            rememberAsked();
            setOpen(false);
          }}
        >
          Not now
        </button>
      </span>
    </section>
  );
}
