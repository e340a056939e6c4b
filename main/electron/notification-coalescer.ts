/**
 * Native notifications for waiting calls when the person does not already have the popup
 * in front of them. The first call of a burst is announced at once; the ones that follow
 * within `windowMs` are merged into one "N calls are waiting", so an agent firing twenty
 * calls does not fire twenty notifications. Notifications name the tool and client but
 * never the arguments: they can appear on a locked screen.
 */
import type { PendingCall } from '../../shared/api/contract.ts';
import { singleNotification, summaryNotification, type NotificationContent } from '../../shared/pending-notification.ts';
import type { PendingTracker } from './pending-tracker.ts';
import type { AlertMode } from './settings.ts';

// The wording is shared with the web UI's notifications.
export { singleNotification, summaryNotification, type NotificationContent };

export interface NotifierEnvironment {
  /** Shows a native notification; `onClick` when the person clicks it. */
  show(content: NotificationContent, onClick: () => void): void;
  popupVisible(): boolean;
  mode(): AlertMode;
  openPopup(): void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export const COALESCE_WINDOW_MS = 4000;

export class NotificationCoalescer {
  private readonly tracker: PendingTracker;
  private readonly env: NotifierEnvironment;
  private readonly windowMs: number;
  private burst: { timer: unknown; later: Set<string> } | undefined;
  private readonly onAdded = (call: PendingCall) => this.added(call);
  private readonly onChanged = () => this.pruneResolved();

  constructor(options: { tracker: PendingTracker; env: NotifierEnvironment; windowMs?: number }) {
    this.tracker = options.tracker;
    this.env = options.env;
    this.windowMs = options.windowMs ?? COALESCE_WINDOW_MS;
  }

  /** Register before the popup controller: "popup visible" must mean visible before this call. */
  start(): void {
    this.tracker.on('added', this.onAdded);
    this.tracker.on('changed', this.onChanged);
  }

  stop(): void {
    this.tracker.off('added', this.onAdded);
    this.tracker.off('changed', this.onChanged);
    if (this.burst) (this.env.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.burst.timer);
    this.burst = undefined;
  }

  private wanted(): boolean {
    return this.env.mode() !== 'popup' && !this.env.popupVisible();
  }

  private added(call: PendingCall): void {
    if (!this.wanted()) return;
    if (this.burst) {
      this.burst.later.add(call.id);
      return;
    }
    this.notify(singleNotification(call));
    this.openWindow();
  }

  private openWindow(): void {
    const schedule = this.env.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.burst = { timer: schedule(() => this.flush(), this.windowMs), later: new Set() };
  }

  /** A call decided before the window closed needs no announcement. */
  private pruneResolved(): void {
    if (this.burst) this.pruneResolvedFrom(this.burst.later);
  }

  private flush(): void {
    const burst = this.burst;
    this.burst = undefined;
    if (!burst) return;
    this.pruneResolvedFrom(burst.later);
    if (burst.later.size === 0 || !this.wanted()) return;
    // Everything still waiting, not only the late ones: that is what the person will review.
    this.notify(summaryNotification(this.tracker.list()));
    // A steady stream keeps being merged: at most one notification per window.
    this.openWindow();
  }

  private pruneResolvedFrom(ids: Set<string>): void {
    const waiting = new Set(this.tracker.list().map((c) => c.id));
    for (const id of ids) if (!waiting.has(id)) ids.delete(id);
  }

  private notify(content: NotificationContent): void {
    this.env.show(content, () => this.env.openPopup());
  }
}
