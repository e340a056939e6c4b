/**
 * Calls recorded in the same moment share one commit (groupTransaction), and a call is only
 * forwarded once `committed` resolves: until then another connection (a crash, a reader)
 * sees none of the group's rows; after it, all of them. A plain transaction in between is
 * still durable when it returns.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../main/core/store/database.ts';
import { tempDbPath } from './temp-db.ts';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function setup(): { db: Database; reader: DatabaseSync; count(): number } {
  const path = tempDbPath();
  const db = Database.open(path);
  db.sqlite.exec('CREATE TABLE t (v TEXT)');
  const reader = new DatabaseSync(path, { readOnly: true });
  open.push(reader, db);
  return { db, reader, count: () => Number(reader.prepare('SELECT count(*) AS n FROM t').get()!.n) };
}

describe('group transactions', () => {
  it('rows of one moment become durable together, when committed resolves', async () => {
    const { db, count } = setup();
    const insert = (v: string) => db.groupTransaction(() => db.statement('INSERT INTO t (v) VALUES (?)').run(v));
    const first = insert('a');
    const second = insert('b');
    expect(first.committed).toBe(second.committed);
    expect(count()).toBe(0);
    await first.committed;
    expect(count()).toBe(2);
    const later = insert('c');
    expect(later.committed).not.toBe(first.committed);
    await later.committed;
    expect(count()).toBe(3);
  });

  it('a failing part is undone alone; the rest of the group commits', async () => {
    const { db, count } = setup();
    const ok = db.groupTransaction(() => db.statement('INSERT INTO t (v) VALUES (?)').run('kept'));
    expect(() =>
      db.groupTransaction(() => {
        db.statement('INSERT INTO t (v) VALUES (?)').run('undone');
        throw new Error('refused');
      }),
    ).toThrow('refused');
    await ok.committed;
    expect(count()).toBe(1);
  });

  it('a plain transaction meanwhile commits the group first and is durable when it returns', async () => {
    const { db, count } = setup();
    const grouped = db.groupTransaction(() => db.statement('INSERT INTO t (v) VALUES (?)').run('grouped'));
    db.transaction(() => db.statement('INSERT INTO t (v) VALUES (?)').run('plain'));
    expect(count()).toBe(2);
    await grouped.committed;
  });

  it('committed rejects when the commit fails, and nothing of the group is kept', async () => {
    const { db, count } = setup();
    db.sqlite.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    db.groupTransaction(() => db.statement('INSERT INTO t (v) VALUES (?)').run('lost'));
    // A deferred foreign key fails only at COMMIT.
    const broken = db.groupTransaction(() => db.statement('INSERT INTO child (p) VALUES (?)').run(42));
    await expect(broken.committed).rejects.toThrow(/FOREIGN KEY/);
    expect(count()).toBe(0);
    expect(db.sqlite.isTransaction).toBe(false);
  });
});
