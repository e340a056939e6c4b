/** The timeline as rows: a heading for each local day, then that day's entries, newest first. */
import type { HistoryEntry } from '../../../shared/history.ts';
import { dayStart, formatDay } from '../../lib/format.ts';

export type TimelineRow = { kind: 'day'; key: string; label: string; day: number } | { kind: 'entry'; key: string; entry: HistoryEntry; day: string };

export const DAY_ROW_HEIGHT = 34;
export const ENTRY_ROW_HEIGHT = 46;

export function timelineRows(entries: readonly HistoryEntry[], now = Date.now()): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let currentDay = -1;
  let label = '';
  for (const entry of entries) {
    const day = dayStart(entry.receivedAt);
    if (day !== currentDay) {
      currentDay = day;
      label = formatDay(entry.receivedAt, now);
      rows.push({ kind: 'day', key: `day-${day}`, label, day });
    }
    rows.push({ kind: 'entry', key: entry.id, entry, day: label });
  }
  return rows;
}

/** A one-line hint of what the call was about: its first short text argument. */
export function argumentsHint(args: Record<string, unknown>): string {
  for (const value of Object.values(args)) {
    if (typeof value === 'string' && value.length > 0 && !value.startsWith('data:') && value.length < 10_000) {
      return value.length > 120 ? `${value.slice(0, 117)}…` : value;
    }
  }
  const keys = Object.keys(args);
  return keys.length ? keys.join(', ') : '';
}
