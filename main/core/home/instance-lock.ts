/**
 * One Airlock per home. The lock file holds the owner's pid; a lock whose process is gone
 * (a crash, a SIGKILL) is taken over, so a crash never locks the user out.
 */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';

export class AlreadyRunningError extends Error {
  readonly pid: number;
  constructor(home: string, pid: number) {
    super(`Airlock is already running for home ${home} (pid ${pid}). Stop it first, or use another --home.`);
    this.name = 'AlreadyRunningError';
    this.pid = pid;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface InstanceLock {
  release(): void;
}

/** Locks this process holds, so a second Airlock in the same process is refused too. */
const heldHere = new Set<string>();

export function acquireInstanceLock(file: string, home: string): InstanceLock {
  if (heldHere.has(file)) throw new AlreadyRunningError(home, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(file);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
        throw new AlreadyRunningError(home, pid);
      }
      unlinkSync(file); // stale: its owner is gone
    }
  }
  throw new Error(`could not take the instance lock ${file}`);
}
