/**
 * What a notification about waiting calls says, the same in the desktop app and the web
 * UI: the tool and the caller, never the arguments (notifications can appear on a locked
 * screen and in a notification history).
 */
import type { PendingCall } from './api/contract.ts';

export interface NotificationContent {
  title: string;
  body: string;
}

export function singleNotification(call: PendingCall): NotificationContent {
  const who = call.client.name ?? call.client.id;
  return {
    title: `Approve ${call.server} › ${call.tool}?`,
    body: `${who} is waiting for your decision${call.reason ? `: ${call.reason}` : '.'}`,
  };
}

export function summaryNotification(waiting: PendingCall[]): NotificationContent {
  const names = [...new Set(waiting.map((c) => `${c.server} › ${c.tool}`))];
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return { title: `${waiting.length} calls are waiting`, body: `${shown}. Click to review.` };
}
