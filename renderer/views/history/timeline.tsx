/**
 * The virtualised timeline: only the rows in view exist in the DOM, so 100,000 entries
 * scroll like 100. Rows have fixed heights (no measuring while scrolling). Arrow keys,
 * Page Up/Down, Home and End move the selection; the list loads the next page as its end
 * comes into view. When new calls arrive while the person has scrolled down, the row they
 * are looking at stays put.
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { HistoryEntry } from '../../../shared/history.ts';
import { DecisionBadge } from '../../components/badges.tsx';
import { outcomeLabel } from '../../../shared/outcomes.ts';
import { formatDuration, formatTime } from '../../lib/format.ts';
import { argumentsHint, DAY_ROW_HEIGHT, ENTRY_ROW_HEIGHT, timelineRows, type TimelineRow } from './timeline-rows.ts';

export interface TimelineProps {
  entries: HistoryEntry[];
  selectedId: string | undefined;
  onSelect(id: string): void;
  onNearEnd(): void;
  loadingMore: boolean;
  hasMore: boolean;
}

function entryLabel(row: Extract<TimelineRow, { kind: 'entry' }>): string {
  const e = row.entry;
  const decision = outcomeLabel(e.decision, 'waiting for a decision');
  return `${row.day} ${formatTime(e.receivedAt)}: ${e.tool} on ${e.server}, ${decision}, from ${e.client}`;
}

export function Timeline({ entries, selectedId, onSelect, onNearEnd, loadingMore, hasMore }: TimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => timelineRows(entries), [entries]);
  const entryIndexes = useMemo(() => rows.flatMap((row, i) => (row.kind === 'entry' ? [i] : [])), [rows]);
  const dayIndexes = useMemo(() => rows.flatMap((row, i) => (row.kind === 'day' ? [i] : [])), [rows]);
  // The heading of the day at the top of the view stays pinned there (rendered even when
  // its own row has scrolled away).
  const stickyIndex = useRef(0);
  const rangeExtractor = useCallback(
    (range: Range) => {
      let active = 0;
      for (const index of dayIndexes) {
        if (index > range.startIndex) break;
        active = index;
      }
      stickyIndex.current = active;
      return [...new Set([active, ...defaultRangeExtractor(range)])].sort((a, b) => a - b);
    },
    [dayIndexes],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (rows[i]?.kind === 'day' ? DAY_ROW_HEIGHT : ENTRY_ROW_HEIGHT),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 12,
    rangeExtractor,
    // Scrolled down: keep the row in view where it is when new calls are added on top.
    anchorTo: (scroller.current?.scrollTop ?? 0) > 4 ? 'end' : 'start',
  });

  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && hasMore && !loadingMore && last.index >= rows.length - 30) onNearEnd();
  }, [last, hasMore, loadingMore, rows.length, onNearEnd]);

  const selectedRow = selectedId ? rows.findIndex((r) => r.kind === 'entry' && r.entry.id === selectedId) : -1;

  const move = (to: number) => {
    const position = Math.max(0, Math.min(entryIndexes.length - 1, to));
    const rowIndex = entryIndexes[position];
    if (rowIndex === undefined) return;
    const row = rows[rowIndex];
    if (row?.kind !== 'entry') return;
    onSelect(row.entry.id);
    virtualizer.scrollToIndex(rowIndex, { align: 'auto' });
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const current = selectedRow >= 0 ? entryIndexes.indexOf(selectedRow) : -1;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ENTRY_ROW_HEIGHT) - 1);
    const keys: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current < 0 ? 0 : current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: entryIndexes.length - 1,
    };
    const target = keys[event.key];
    if (target === undefined) return;
    event.preventDefault();
    move(target);
  };

  return (
    <div
      ref={scroller}
      className="timeline"
      role="listbox"
      aria-label="Calls, newest first"
      tabIndex={0}
      aria-activedescendant={selectedRow >= 0 ? `entry-${selectedId}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="timeline-inner" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index]!;
          const style = { transform: `translateY(${item.start}px)`, height: item.size };
          if (row.kind === 'day') {
            const sticky = item.index === stickyIndex.current;
            return (
              <div key={item.key} className={`timeline-day${sticky ? ' is-sticky' : ''}`} style={sticky ? { height: item.size } : style} role="presentation">
                {row.label}
              </div>
            );
          }
          const e = row.entry;
          const selected = e.id === selectedId;
          const duration = e.completedAt !== undefined ? e.completedAt - e.receivedAt : undefined;
          return (
            <div
              key={item.key}
              id={`entry-${e.id}`}
              className={`timeline-row${selected ? ' is-selected' : ''}`}
              style={style}
              role="option"
              aria-selected={selected}
              aria-label={entryLabel(row)}
              data-decision={e.decision ?? 'pending'}
              onClick={() => onSelect(e.id)}
            >
              <span className="t-time">{formatTime(e.receivedAt)}</span>
              <span className="t-decision">
                <DecisionBadge decision={e.decision} />
              </span>
              <span className="t-main">
                <span className="t-tool">
                  <span className="t-server">{e.server}</span>
                  <span className="t-sep">/</span>
                  {e.tool}
                </span>
                <span className="t-hint">{argumentsHint(e.arguments)}</span>
              </span>
              <span className="t-client">{e.client}</span>
              <span className="t-duration">{duration !== undefined ? formatDuration(duration) : ''}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
