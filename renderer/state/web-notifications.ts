/**
 * Browser notifications for waiting calls in web mode (the desktop app has its own, from
 * the main process). Like the desktop app: only when the approval card is not in front of
 * the person (the tab is hidden or unfocused, or shows another view), the first call of a
 * burst at once and the rest merged into one "N calls are waiting", and the text names the
 * tool and the caller, never the arguments. The permission is asked for once, from a
 * button (browsers ignore or penalise unprompted requests); the answer is remembered.
 */
import type { AirlockEvent } from '../../shared/api/contract.ts';
import { singleNotification, summaryNotification } from '../../shared/pending-notification.ts';
import type { UiBridge } from '../bridge/bridge.ts';
import { parseHash } from '../lib/router.ts';
import { usePendingStore } from './pending-store.ts';

const ASKED_KEY = 'airlock.notificationsAsked';
const TAG = 'airlock-waiting';
export const COALESCE_MS = 4000;

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

/** Whether to offer "Turn on notifications": supported, undecided, and not asked before. */
export function shouldAsk(): boolean {
  if (!notificationsSupported() || Notification.permission !== 'default') return false;
  try {
    return localStorage.getItem(ASKED_KEY) === null;
  } catch {
    return false;
  }
}

export function rememberAsked(): void {
  try {
    localStorage.setItem(ASKED_KEY, String(Date.now()));
  } catch {
    // Private mode without storage: the offer comes back next time, which is harmless.
  }
}

export async function askPermission(): Promise<NotificationPermission> {
  rememberAsked();
  return Notification.requestPermission();
}

function cardInFront(): boolean {
  const route = parseHash(location.hash).route;
  return document.visibilityState === 'visible' && document.hasFocus() && (route === 'approvals' || route === 'popup');
}

export function startWebNotifications(bridge: UiBridge): () => void {
  let burstUntil = 0;
  let later = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Notification | undefined;

  const show = (content: { title: string; body: string }) => {
    current?.close();
    const notification = new Notification(content.title, { body: content.body, tag: TAG });
    notification.onclick = () => {
      window.focus();
      if (parseHash(location.hash).route !== 'popup') location.hash = '#/approvals';
      notification.close();
    };
    current = notification;
  };

  const flush = () => {
    timer = undefined;
    const waiting = usePendingStore.getState().calls;
    if (later === 0 || waiting.length === 0 || cardInFront()) return;
    later = 0;
    show(waiting.length === 1 ? singleNotification(waiting[0]!) : summaryNotification(waiting));
    burstUntil = Date.now() + COALESCE_MS;
    timer = setTimeout(flush, COALESCE_MS);
  };

  const onEvent = (event: AirlockEvent) => {
    if (event.type !== 'pending.added') return;
    if (!notificationsSupported() || Notification.permission !== 'granted' || cardInFront()) return;
    if (Date.now() < burstUntil) {
      later++;
      timer ??= setTimeout(flush, burstUntil - Date.now());
      return;
    }
    show(singleNotification(event.pending));
    burstUntil = Date.now() + COALESCE_MS;
  };

  const unsubscribe = bridge.subscribe(onEvent);
  // Nothing left to decide: the notification has nothing to point at any more.
  const unwatch = usePendingStore.subscribe((s) => {
    if (s.calls.length === 0) current?.close();
  });
  return () => {
    unsubscribe();
    unwatch();
    clearTimeout(timer);
  };
}
