/**
 * The policy in force (text, version, problems of policy.json), the editor's draft, and the
 * remembered grants. The draft lives here, not in the editor, so switching views keeps
 * unsaved edits; an external edit of policy.json is followed at once when there are none,
 * and reported (never merged silently) when there are.
 */
import { create } from 'zustand';
import type { Grant, PolicyState } from '../../shared/api/contract.ts';
import { bridge } from '../bridge/bridge.ts';

interface PolicyStore {
  policy: PolicyState | undefined;
  /** The editor's text while it differs from the policy in force; undefined when there are no edits. */
  draft: string | undefined;
  /** True when policy.json changed on disk while the draft had unsaved edits. */
  externalChange: boolean;
  grants: Grant[];
  grantsLoaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
  set(policy: PolicyState): void;
  setDraft(text: string): void;
  discardDraft(): void;
  dismissExternalChange(): void;
  loadGrants(): Promise<void>;
  revoke(id: string): Promise<void>;
}

export const usePolicyStore = create<PolicyStore>()((set, get) => ({
  policy: undefined,
  draft: undefined,
  externalChange: false,
  grants: [],
  grantsLoaded: false,
  error: undefined,
  async load() {
    try {
      get().set(await bridge().call('policy.get'));
      set({ error: undefined });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  set(policy) {
    const { draft, policy: before } = get();
    const changedOnDisk = before !== undefined && before.text !== policy.text;
    if (draft === undefined || draft === policy.text) set({ policy, draft: undefined, externalChange: false });
    else set({ policy, externalChange: get().externalChange || changedOnDisk });
  },
  setDraft(text) {
    const current = get().policy?.text;
    set({ draft: text === current ? undefined : text });
  },
  discardDraft: () => set({ draft: undefined, externalChange: false }),
  dismissExternalChange: () => set({ externalChange: false }),
  async loadGrants() {
    try {
      set({ grants: await bridge().call('grants.list'), grantsLoaded: true });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  async revoke(id) {
    await bridge().call('grants.revoke', { id });
    set({ grants: get().grants.filter((g) => g.id !== id) });
  },
}));
