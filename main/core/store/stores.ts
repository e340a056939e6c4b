/** Opens history.db once and the four stores over it: what the core holds for its lifetime. */
import { CounterStore } from './counter-store.ts';
import { Database, type DatabaseOptions } from './database.ts';
import { GrantStore } from './grant-store.ts';
import { HistoryStore, type HistoryStoreOptions } from './history-store.ts';
import { PinStore } from './pin-store.ts';

export interface Stores {
  db: Database;
  history: HistoryStore;
  counters: CounterStore;
  grants: GrantStore;
  pins: PinStore;
  close(): void;
}

export function openStores(path: string, options: DatabaseOptions & HistoryStoreOptions = {}): Stores {
  const db = Database.open(path, options);
  const history = new HistoryStore(db, options);
  return {
    db,
    history,
    counters: new CounterStore(db),
    grants: new GrantStore(db),
    pins: new PinStore(db),
    close: () => {
      history.close();
      db.close();
    },
  };
}
