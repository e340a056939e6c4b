/**
 * The Clients page's state: what `clients.list` last reported, the project folders the
 * person added, and the result of the last import / protect / unprotect. Client files
 * change outside Airlock and the core sends no event for them, so the page reloads when
 * it is opened, when the window regains focus, and after each operation.
 */
import { create } from 'zustand';
import type { ClientId, ClientsList, ClientsResult, DiscoveredClient } from '../../shared/clients.ts';
import { bridge } from '../bridge/bridge.ts';

export type ClientAction = 'import' | 'protect' | 'unprotect';

/**
 * Project folders to send with every request: those the core looks at by default (learnt
 * from a listing made without any), plus those the person added. The core scans only the
 * folders it is given, so sending the added ones alone would drop the default.
 */
export function projectsToSend(defaults: readonly string[], added: readonly string[]): string[] | undefined {
  if (added.length === 0) return undefined;
  return [...new Set([...defaults, ...added])];
}

/** The project folders a listing looked at, from its project-scope files. */
export function projectsOf(clients: readonly DiscoveredClient[]): string[] {
  const out = new Set<string>();
  for (const client of clients) for (const file of client.files) if (file.scope === 'project' && file.project) out.add(file.project);
  return [...out];
}

export interface ActionTarget {
  client: ClientId;
  /** One file (a path as the listing reports it); all of the client's files when absent. */
  file?: string;
  /** One entry; every entry when absent. */
  server?: string;
}

export interface LastResult {
  action: ClientAction;
  target: ActionTarget;
  result: ClientsResult;
  /** Increases with each result, so the page can announce a repeated one. */
  seq: number;
}

interface ClientsStore {
  list: ClientsList | undefined;
  /** The project folders the core looks at when given none (learnt from the first listing). */
  defaultProjects: string[] | undefined;
  /** Project folders the person added. */
  projects: string[];
  busy: boolean;
  /** Why the last listing failed. */
  error: string | undefined;
  /** Why the last operation failed as a whole (one file's problem is in its result instead). */
  actionError: string | undefined;
  last: LastResult | undefined;
  load(): Promise<void>;
  run(action: ClientAction, target: ActionTarget): Promise<void>;
  addProject(folder: string): void;
  removeProject(folder: string): void;
  dismissResult(): void;
}

let loads = 0;

export const useClientsStore = create<ClientsStore>()((set, get) => ({
  list: undefined,
  defaultProjects: undefined,
  projects: [],
  busy: false,
  error: undefined,
  actionError: undefined,
  last: undefined,
  async load() {
    const seq = ++loads;
    const { defaultProjects, projects } = get();
    try {
      const sent = projectsToSend(defaultProjects ?? [], projects);
      const list = await bridge().call('clients.list', sent ? { projects: sent } : {});
      // A slower, older listing must not replace a newer one.
      if (seq !== loads) return;
      set({ list, error: undefined, ...(defaultProjects === undefined && !sent && { defaultProjects: projectsOf(list.clients) }) });
    } catch (err) {
      if (seq === loads) set({ error: (err as Error).message });
    }
  },
  async run(action, target) {
    if (get().busy) return;
    set({ busy: true, actionError: undefined });
    try {
      const sent = projectsToSend(get().defaultProjects ?? [], get().projects);
      const input = {
        client: target.client,
        ...(sent && { projects: sent }),
        ...(target.file !== undefined && { files: [target.file] }),
        ...(target.server !== undefined && { servers: [target.server] }),
      };
      const result = await bridge().call(`clients.${action}`, input);
      set({ last: { action, target, result, seq: (get().last?.seq ?? 0) + 1 } });
    } catch (err) {
      set({ actionError: (err as Error).message });
    } finally {
      set({ busy: false });
    }
    await get().load();
  },
  addProject(folder) {
    const trimmed = folder.trim();
    if (!trimmed || get().projects.includes(trimmed)) return;
    set({ projects: [...get().projects, trimmed] });
    void get().load();
  },
  removeProject(folder) {
    set({ projects: get().projects.filter((p) => p !== folder) });
    void get().load();
  },
  dismissResult() {
    set({ last: undefined, actionError: undefined });
  },
}));
