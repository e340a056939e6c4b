/**
 * The approval queue as the core holds it: calls waiting for a person, oldest first, and
 * how recently resolved ones ended (so a card can say "timed out" instead of vanishing).
 */
import { create } from 'zustand';
import type { PendingCall, PendingResolution } from '../../shared/api/contract.ts';

/** How many resolutions to remember; only the card on screen ever asks. */
const RESOLVED_KEEP = 100;

interface PendingStore {
  calls: PendingCall[];
  resolved: Record<string, PendingResolution>;
  loaded: boolean;
  replace(calls: PendingCall[]): void;
  add(call: PendingCall): void;
  /** The same call with new fields (e.g. the agent was answered early). */
  update(call: PendingCall): void;
  resolve(resolution: PendingResolution): void;
}

const byAge = (a: PendingCall, b: PendingCall) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const usePendingStore = create<PendingStore>()((set) => ({
  calls: [],
  resolved: {},
  loaded: false,
  replace: (calls) =>
    set((s) => ({
      // A resolution that overtook the list response must not bring the call back.
      calls: calls.filter((c) => !s.resolved[c.id]).sort(byAge),
      loaded: true,
    })),
  add: (call) =>
    set((s) => {
      if (s.resolved[call.id] || s.calls.some((c) => c.id === call.id)) return s;
      return { calls: [...s.calls, call].sort(byAge) };
    }),
  update: (call) =>
    set((s) => (s.calls.some((c) => c.id === call.id) ? { calls: s.calls.map((c) => (c.id === call.id ? call : c)) } : s)),
  resolve: (resolution) =>
    set((s) => {
      const ids = Object.keys(s.resolved);
      const kept = ids.length >= RESOLVED_KEEP ? Object.fromEntries(ids.slice(-RESOLVED_KEEP / 2).map((id) => [id, s.resolved[id]!])) : s.resolved;
      return {
        calls: s.calls.filter((c) => c.id !== resolution.id),
        resolved: { ...kept, [resolution.id]: resolution },
      };
    }),
}));
