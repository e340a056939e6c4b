/**
 * Moves SQLite's WAL checkpoints off the event loop. A checkpoint copies the log into the
 * database file and fsyncs it; run inside a commit (SQLite's automatic checkpoint) it
 * stalled the call that happened to trigger it for milliseconds. Here a worker thread
 * with its own connection checkpoints about a second after writes, and never while idle
 * (no timer runs when nothing was written).
 */
import { Worker } from 'node:worker_threads';

// Plain CommonJS source: a worker from a string needs no file of its own, so the same
// code runs from the sources and from the desktop app's single bundled file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path, { timeout: 5000 });
parentPort.on('message', (message) => {
  if (message !== 'checkpoint') return;
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch { /* busy: the next write schedules another */ }
});
`;

export class WalCheckpointer {
  private readonly path: string;
  private readonly delayMs: number;
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string, delayMs = 1000) {
    this.path = path;
    this.delayMs = delayMs;
  }

  /** Something was written: checkpoint soon (one pending checkpoint at a time). */
  noteWrite(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ensureWorker().postMessage('checkpoint');
    }, this.delayMs);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.path } });
      this.worker.unref();
      this.worker.on('error', () => (this.worker = undefined));
    }
    return this.worker;
  }
}
