/**
 * What the real-client hook tests share: the `airlock` command run as a person would
 * (`protect <client> --hooks` included), and the queue and history read through the
 * control API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { HookClientId } from '../../main/core/hooks/hook-adapter.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import { api, cliPath, waitFor } from '../helpers/harness.ts';

const run = promisify(execFile);

/** `airlock <args> --home <home>` with the client's environment; its stdout. */
export async function airlockCli(args: string[], home: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [cliPath, ...args, '--home', home], { env: { ...env, AIRLOCK_HOME: home } });
  return stdout;
}

/** `airlock protect <client> --hooks` (with extra options such as `--hook-timeout 12`). */
export function protectHooks(client: HookClientId, home: string, env: NodeJS.ProcessEnv, ...extra: string[]): Promise<string> {
  return airlockCli(['protect', client, '--hooks', ...extra], home, env);
}

/** The card for `tool`, once it is in the queue (the client's start is slow: up to 60 s). */
export function pendingOf(airlock: Airlock, tool: string): Promise<PendingCall> {
  return waitFor(async () => (await api<PendingCall[]>(airlock, 'GET', '/pending')).body.find((p) => p.tool === tool), 60_000, `a card for ${tool}`);
}

export async function historyOf(airlock: Airlock): Promise<HistoryEntry[]> {
  return (await api<{ entries: HistoryEntry[] }>(airlock, 'GET', '/history?limit=50')).body.entries;
}

export interface ClientRun {
  kill(): void;
  done: Promise<unknown>;
}

/** Wraps a client's starter so that every run a test starts is killed after it, whatever happened. */
export function killedAfterEach<A extends unknown[], R extends ClientRun>(start: (...args: A) => R): (...args: A) => R {
  const runs: R[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      run.kill();
      await run.done;
    }
  });
  return (...args) => {
    const run = start(...args);
    runs.push(run);
    return run;
  };
}
