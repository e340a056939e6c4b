/**
 * What the real-client hook tests share: an Airlock with a temp home and a temp user folder
 * beside a stand-in for the client's model API, the `airlock` command run as a person would
 * (`protect <client> --hooks` included), and the queue and history read through the
 * control API.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Airlock } from '../../main/core/airlock.ts';
import type { HookClientId } from '../../main/core/hooks/hook-adapter.ts';
import { HOOK_STARTER_POLICY } from '../../main/core/hooks/starter-policy.ts';
import type { PendingCall } from '../../shared/api/contract.ts';
import type { HistoryEntry } from '../../shared/history.ts';
import { api, cliPath, freePort, startAirlock, tempHome, TEST_ADMIN_TOKEN, waitFor } from '../helpers/harness.ts';

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

/** A stand-in for a client's model API: the tool calls it answers with, turn by turn. */
interface ModelStandIn {
  script(turns: never[]): void;
  close(): Promise<void>;
}

export interface HookRig<S extends ModelStandIn> {
  home: ReturnType<typeof tempHome>;
  /** The client's HOME (its config folders). */
  user: ReturnType<typeof tempHome>;
  airlock: Airlock;
  standIn: S;
  /** The client's environment (HOME and config folders in `user`, its model API on the stand-in). */
  env: NodeJS.ProcessEnv;
  /** The folder the client runs in. */
  project: string;
}

/**
 * The describe block's rig, built before its tests and torn down after them; the stand-in's
 * script is cleared after each test. `prepare` installs what the block needs (the hooks,
 * through the real `airlock protect`). Airlock gets a fixed port (hook entries may name it)
 * and reads the MCP token from auth.json, as the hook command does.
 */
export function hookRig<S extends ModelStandIn>(options: {
  name: string;
  standIn: () => Promise<S>;
  env: (user: string, standIn: S) => NodeJS.ProcessEnv;
  servers?: Record<string, unknown>;
  policy?: unknown;
  prepare: (rig: HookRig<S>) => Promise<void>;
}): HookRig<S> {
  const rig = {} as HookRig<S>;
  beforeAll(async () => {
    rig.home = tempHome(`airlock-${options.name}-home-`);
    rig.user = tempHome(`airlock-${options.name}-user-`);
    rig.standIn = await options.standIn();
    rig.env = options.env(rig.user.dir, rig.standIn);
    rig.project = join(rig.user.dir, 'project');
    mkdirSync(rig.project, { recursive: true });
    rig.airlock = await startAirlock(rig.home.dir, options.servers ?? {}, {
      port: await freePort(),
      policy: options.policy ?? HOOK_STARTER_POLICY,
      env: { AIRLOCK_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    await options.prepare(rig);
  }, 90_000);
  afterEach(() => rig.standIn?.script([]));
  afterAll(async () => {
    await rig.airlock?.stop();
    await rig.standIn?.close();
    rig.home?.cleanup();
    rig.user?.cleanup();
  });
  return rig;
}
