/** Whether the UI is following the core, and the core's status (version, home, paused). */
import { create } from 'zustand';
import type { Status } from '../../shared/api/contract.ts';
import type { ConnectionState } from '../bridge/bridge.ts';

interface ConnectionStore {
  state: ConnectionState;
  status: Status | undefined;
  setState(state: ConnectionState): void;
  setStatus(status: Status): void;
}

export const useConnectionStore = create<ConnectionStore>()((set) => ({
  state: 'connecting',
  status: undefined,
  setState: (state) => set({ state }),
  setStatus: (status) => set({ status }),
}));
