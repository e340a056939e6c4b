/**
 * Keeps the stores in step with the core: one subscription to the event stream, and a
 * full reload of each store whenever the stream (re)opens, since events may have been
 * missed while it was down. Subscribing comes first, so nothing falls between the reload
 * and the first event.
 */
import type { AirlockEvent } from '../../shared/api/contract.ts';
import type { UiBridge } from '../bridge/bridge.ts';
import { useConnectionStore } from './connection-store.ts';
import { useHistoryStore } from './history-store.ts';
import { useMissedStore } from './missed-store.ts';
import { usePendingStore } from './pending-store.ts';
import { usePolicyStore } from './policy-store.ts';
import { useServersStore } from './servers-store.ts';

export function handleEvent(event: AirlockEvent): void {
  switch (event.type) {
    case 'pending.added':
      usePendingStore.getState().add(event.pending);
      break;
    case 'pending.updated':
      usePendingStore.getState().update(event.pending);
      break;
    case 'pending.resolved':
      usePendingStore.getState().resolve(event.resolution);
      // A remembered decision may have created a grant.
      if (usePolicyStore.getState().grantsLoaded) void usePolicyStore.getState().loadGrants();
      break;
    case 'missed.changed':
      if (useMissedStore.getState().loaded) void useMissedStore.getState().load();
      break;
    case 'history.changed':
      useHistoryStore.getState().changed(event.id);
      break;
    case 'servers.changed':
      useServersStore.getState().update(event.server);
      break;
    case 'policy.changed':
      usePolicyStore.getState().set(event.policy);
      if (usePolicyStore.getState().grantsLoaded) void usePolicyStore.getState().loadGrants();
      break;
    case 'status.changed':
      useConnectionStore.getState().setStatus(event.status);
      break;
  }
}

async function reloadAll(bridge: UiBridge): Promise<void> {
  const pending = bridge.call('pending.list').then((calls) => usePendingStore.getState().replace(calls));
  const status = bridge.call('status.get').then((s) => useConnectionStore.getState().setStatus(s));
  const history = useHistoryStore.getState();
  if (history.active) void history.reload();
  if (usePolicyStore.getState().grantsLoaded) void usePolicyStore.getState().loadGrants();
  if (useMissedStore.getState().loaded) void useMissedStore.getState().load();
  await Promise.allSettled([pending, status, useServersStore.getState().load(), usePolicyStore.getState().load()]);
}

export function startSync(bridge: UiBridge): () => void {
  const unsubscribe = bridge.subscribe(handleEvent);
  let unwatch = () => {};
  if (bridge.onConnection) {
    unwatch = bridge.onConnection((state) => {
      useConnectionStore.getState().setState(state);
      if (state === 'open') void reloadAll(bridge);
    });
  } else {
    // A bridge without a connection (Electron IPC) is always connected.
    useConnectionStore.getState().setState('open');
    void reloadAll(bridge);
  }
  return () => {
    unwatch();
    unsubscribe();
  };
}
