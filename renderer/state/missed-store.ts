/**
 * Calls that timed out while nobody answered (the core keeps the last few in memory).
 * Loaded when the Approvals page first shows them, then reloaded on `missed.changed`.
 */
import { create } from 'zustand';
import type { MissedCall } from '../../shared/api/contract.ts';
import { bridge } from '../bridge/bridge.ts';

interface MissedStore {
  calls: MissedCall[];
  loaded: boolean;
  load(): Promise<void>;
  allowRetry(id: string): Promise<void>;
}

export const useMissedStore = create<MissedStore>()((set) => ({
  calls: [],
  loaded: false,
  load: async () => {
    const calls = await bridge().call('missed.list');
    set({ calls, loaded: true });
  },
  allowRetry: async (id) => {
    const updated = await bridge().call('missed.allowRetry', { id });
    set((s) => ({ calls: s.calls.map((c) => (c.id === id ? updated : c)) }));
  },
}));
