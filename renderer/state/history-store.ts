/**
 * History pages as the timeline shows them: newest first, loaded a page at a time, kept
 * live by `history.changed` (the head page is fetched again, a known entry that changed
 * further down is fetched alone). Nothing polls.
 */
import { create } from 'zustand';
import type { Decision, HistoryEntry, HistoryQueryInput } from '../../shared/history.ts';
import { bridge } from '../bridge/bridge.ts';

export interface HistoryFilterState {
  server?: string;
  tool?: string;
  decision?: Decision[];
  client?: string;
  /** Arrival time bounds, ms epoch, inclusive. */
  from?: number;
  to?: number;
  q?: string;
}

const PAGE = 200;
/** Changes arriving within this window are handled together (a call changes 2–3 times). */
const COALESCE_MS = 120;

interface HistoryStore {
  filter: HistoryFilterState;
  entries: HistoryEntry[];
  nextCursor: string | null;
  /** True once the first page for the current filter has arrived. */
  loaded: boolean;
  /** The timeline has been opened at least once; before that, changes are ignored. */
  active: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: string | undefined;
  selectedId: string | undefined;
  setFilter(filter: HistoryFilterState): void;
  ensureLoaded(): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  changed(id: string | undefined): void;
  select(id: string | undefined): void;
}

export function toQuery(filter: HistoryFilterState): HistoryQueryInput {
  const query: HistoryQueryInput = {};
  if (filter.server) query.server = filter.server;
  if (filter.tool) query.tool = filter.tool;
  if (filter.decision && filter.decision.length > 0) query.decision = filter.decision;
  if (filter.client) query.client = filter.client;
  if (filter.from !== undefined) query.from = filter.from;
  if (filter.to !== undefined) query.to = filter.to;
  if (filter.q?.trim()) query.q = filter.q.trim();
  return query;
}

/** Filters the server applies, checked again on an entry fetched alone (text search excepted). */
export function matchesFilter(entry: HistoryEntry, filter: HistoryFilterState): boolean {
  if (filter.server && entry.server !== filter.server) return false;
  if (filter.tool && entry.tool !== filter.tool) return false;
  if (filter.client && entry.client !== filter.client) return false;
  if (filter.decision?.length && (entry.decision === null || !filter.decision.includes(entry.decision))) return false;
  if (filter.from !== undefined && entry.receivedAt < filter.from) return false;
  if (filter.to !== undefined && entry.receivedAt > filter.to) return false;
  return true;
}

/**
 * Puts a fresh head page in front of the entries already loaded. When the head does not
 * reach the loaded entries (more new calls than one page), the older ones are dropped
 * rather than leaving a silent gap.
 */
export function mergeHead(
  loaded: HistoryEntry[],
  loadedCursor: string | null,
  head: HistoryEntry[],
  headCursor: string | null,
): { entries: HistoryEntry[]; nextCursor: string | null } {
  if (headCursor === null || head.length === 0) return { entries: head, nextCursor: headCursor };
  const oldestHead = head[head.length - 1]!.id;
  const older = loaded.filter((e) => e.id < oldestHead);
  const newestLoaded = loaded[0]?.id;
  const gap = newestLoaded !== undefined && newestLoaded < oldestHead && older.length === loaded.length;
  if (older.length === 0 || gap) return { entries: head, nextCursor: headCursor };
  return { entries: [...head, ...older], nextCursor: loadedCursor };
}

let generation = 0;
let pendingIds = new Set<string>();
let pendingHead = false;
let coalesceTimer: ReturnType<typeof setTimeout> | undefined;

export const useHistoryStore = create<HistoryStore>()((set, get) => {
  async function flush(): Promise<void> {
    coalesceTimer = undefined;
    const ids = pendingIds;
    const head = pendingHead;
    pendingIds = new Set();
    pendingHead = false;
    const { filter, entries, loaded } = get();
    if (!loaded) return;
    const gen = generation;
    const known = new Set(entries.map((e) => e.id));
    const needHead = head || [...ids].some((id) => !known.has(id)) || ids.size > 20;
    try {
      let fresh: Map<string, HistoryEntry> | undefined;
      if (needHead) {
        const page = await bridge().call('history.query', { ...toQuery(filter), limit: PAGE });
        if (gen !== generation) return;
        const current = get();
        const merged = mergeHead(current.entries, current.nextCursor, page.entries, page.nextCursor);
        fresh = new Map(page.entries.map((e) => [e.id, e]));
        set({ entries: merged.entries, nextCursor: merged.nextCursor });
      }
      const rest = [...ids].filter((id) => known.has(id) && !fresh?.has(id));
      for (const id of rest) {
        const entry = await bridge().call('history.get', { id });
        if (gen !== generation) return;
        set((s) => ({
          entries: matchesFilter(entry, s.filter) ? s.entries.map((e) => (e.id === id ? entry : e)) : s.entries.filter((e) => e.id !== id),
        }));
      }
    } catch (err) {
      if (gen === generation) set({ error: (err as Error).message });
    }
  }

  return {
    filter: {},
    entries: [],
    nextCursor: null,
    loaded: false,
    active: false,
    loading: false,
    loadingMore: false,
    error: undefined,
    selectedId: undefined,

    setFilter(filter) {
      set({ filter });
      void get().reload();
    },

    ensureLoaded() {
      if (get().active) return;
      set({ active: true });
      void get().reload();
    },

    async reload() {
      const gen = ++generation;
      set({ loading: true, error: undefined });
      try {
        const page = await bridge().call('history.query', { ...toQuery(get().filter), limit: PAGE });
        if (gen !== generation) return;
        set({ entries: page.entries, nextCursor: page.nextCursor, loaded: true, loading: false });
      } catch (err) {
        if (gen === generation) set({ loading: false, error: (err as Error).message });
      }
    },

    async loadMore() {
      const { nextCursor, loadingMore, loaded, filter } = get();
      if (!loaded || loadingMore || nextCursor === null) return;
      const gen = generation;
      set({ loadingMore: true });
      try {
        const page = await bridge().call('history.query', { ...toQuery(filter), limit: PAGE, cursor: nextCursor });
        if (gen !== generation) return;
        set((s) => {
          const seen = new Set(s.entries.map((e) => e.id));
          return { entries: [...s.entries, ...page.entries.filter((e) => !seen.has(e.id))], nextCursor: page.nextCursor, loadingMore: false };
        });
      } catch (err) {
        if (gen === generation) set({ loadingMore: false, error: (err as Error).message });
      }
    },

    changed(id) {
      if (!get().active) return;
      if (id === undefined) pendingHead = true;
      else pendingIds.add(id);
      coalesceTimer ??= setTimeout(() => void flush(), COALESCE_MS);
    },

    select: (selectedId) => set({ selectedId }),
  };
});
