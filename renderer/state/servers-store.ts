/** Upstream servers with their tools and pin states, and the pending tool-definition changes. */
import { create } from 'zustand';
import type { ServerStatus, ToolChange } from '../../shared/api/contract.ts';
import { bridge } from '../bridge/bridge.ts';

interface ServersStore {
  servers: ServerStatus[];
  changes: ToolChange[];
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
  update(server: ServerStatus): void;
  loadChanges(): Promise<void>;
  accept(server: string, tool: string): Promise<void>;
}

const hasChangedTools = (servers: ServerStatus[]) => servers.some((s) => s.tools.some((t) => t.pin === 'changed'));

export const useServersStore = create<ServersStore>()((set, get) => ({
  servers: [],
  changes: [],
  loaded: false,
  error: undefined,
  async load() {
    try {
      const servers = await bridge().call('servers.list');
      set({ servers, loaded: true, error: undefined });
      if (hasChangedTools(servers) || get().changes.length > 0) await get().loadChanges();
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  update(server) {
    const before = get().servers.find((s) => s.name === server.name);
    set((s) => {
      const index = s.servers.findIndex((x) => x.name === server.name);
      const servers = index < 0 ? [...s.servers, server] : s.servers.map((x, i) => (i === index ? server : x));
      return { servers };
    });
    const pinsBefore = JSON.stringify(before?.tools.map((t) => [t.name, t.pin]) ?? []);
    const pinsNow = JSON.stringify(server.tools.map((t) => [t.name, t.pin]));
    if (pinsBefore !== pinsNow) void get().loadChanges();
  },
  async loadChanges() {
    try {
      set({ changes: await bridge().call('tools.changes') });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  async accept(server, tool) {
    await bridge().call('tools.accept', { server, tool });
    set((s) => ({ changes: s.changes.filter((c) => !(c.server === server && c.tool === tool)) }));
  },
}));
