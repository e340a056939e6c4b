/**
 * Before `airlock connect` sends its token anywhere: checks that the port named in
 * runtime.json is this home's running Airlock (see home/instance-proof.ts), not whatever
 * process took the port after a crash. Fails closed: no proof, no connection.
 */
import { timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { z } from 'zod';
import { IDENTITY_PATH, instanceProof, newNonce } from '../home/instance-proof.ts';
import { isProcessAlive } from '../home/instance-lock.ts';
import type { RuntimeInfo } from '../home/runtime-file.ts';

const AnswerSchema = z.object({ proofs: z.array(z.string()).max(1000) });

/** Resolves when the Airlock proved itself; rejects with a message a person can act on. */
export async function verifyAirlock(runtime: RuntimeInfo, token: string, timeoutMs = 5000): Promise<void> {
  const notOurs = (why: string) =>
    new Error(`the process listening at ${runtime.url} is not this home's Airlock (${why}); runtime.json may be stale: start Airlock again`);
  if (!runtime.instanceId) throw notOurs('runtime.json names no instance to check');
  const nonce = newNonce();
  let answer: unknown;
  try {
    const res = await fetch(new URL(`${IDENTITY_PATH}?nonce=${nonce}`, runtime.url), { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw notOurs(`it answered ${res.status}`);
    answer = await res.json();
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('the process listening')) throw err;
    throw notOurs(`no proof of identity: ${(err as Error).message}`);
  }
  const parsed = AnswerSchema.safeParse(answer);
  const expected = Buffer.from(instanceProof(token, runtime.instanceId, nonce));
  const proven = parsed.success && parsed.data.proofs.some((proof) => proof.length === expected.length && timingSafeEqual(Buffer.from(proof), expected));
  if (!proven) throw notOurs('it could not prove it holds this home\'s token');
}

/** What ties a proof to one run of Airlock: its process is alive and runtime.json is the file it wrote. */
function runStamp(runtime: RuntimeInfo, runtimeFile: string | undefined): string | undefined {
  if (!isProcessAlive(runtime.pid)) return undefined;
  if (runtimeFile === undefined) return 'alive';
  const stat = statSync(runtimeFile, { throwIfNoEntry: false, bigint: true });
  return stat ? `${stat.ino}:${stat.mtimeNs}:${stat.size}` : undefined;
}

export interface VerifiedFetchOptions {
  /** runtime.json: Airlock removes it before it lets go of its port, so a proof ends with it. */
  runtimeFile?: string;
  /** A proof older than this is made again before the next request (default 2 s). */
  maxAgeMs?: number;
  base?: typeof fetch;
}

/**
 * A fetch that sends the token only to the Airlock that proved itself. Proving the port
 * costs a round trip, so a proof is kept while the cheap checks say the same Airlock still
 * holds the port: the pid that runtime.json names is alive (the proven listener knew the
 * instance id written beside that pid, so it is that process, and a process keeps its
 * listening port until it stops), runtime.json is the very file it wrote (Airlock removes
 * it before closing its port, so a clean stop ends the proof too), and the proof is younger
 * than `maxAgeMs` (which bounds how long a reused pid could pass the first check). Once the
 * proven Airlock is gone the bridge sends nothing more: a new run has a new instance id
 * that this bridge cannot know. A failed request drops the proof, so the next one proves
 * the port again. Proofs run one after another and requests wait behind a proof in flight,
 * so requests still start in the order they were made (a cancellation never overtakes its
 * request).
 */
export function verifiedFetch(runtime: RuntimeInfo, token: string, options: VerifiedFetchOptions = {}): typeof fetch {
  const base = options.base ?? fetch;
  const maxAgeMs = options.maxAgeMs ?? 2000;
  let proven: { at: number; stamp: string } | undefined;
  let gone: Error | undefined;
  let order: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  const fresh = (): boolean => {
    if (!proven) return false;
    const stamp = runStamp(runtime, options.runtimeFile);
    if (stamp !== proven.stamp) {
      proven = undefined;
      gone = new Error(`the Airlock at ${runtime.url} stopped; start Airlock again and reconnect`);
      return false;
    }
    return Date.now() - proven.at < maxAgeMs;
  };
  const prove = async (): Promise<void> => {
    if (gone) throw gone;
    if (fresh()) return;
    if (gone) throw gone;
    const stamp = runStamp(runtime, options.runtimeFile);
    if (stamp === undefined) throw (gone = new Error(`the Airlock at ${runtime.url} stopped; start Airlock again and reconnect`));
    await verifyAirlock(runtime, token);
    // Checked after the proof as well: the proof must belong to the run the stamp names.
    if (runStamp(runtime, options.runtimeFile) !== stamp) throw new Error(`the Airlock at ${runtime.url} stopped; start Airlock again and reconnect`);
    proven = { at: Date.now(), stamp };
  };
  const send = (input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]) =>
    base(input, init).catch((err: unknown) => {
      proven = undefined;
      throw err;
    });
  return async (input, init) => {
    if (gone) throw gone;
    if (waiting === 0 && fresh()) return send(input, init);
    waiting++;
    const ready = order.then(prove);
    order = ready.catch(() => undefined);
    try {
      await ready;
    } finally {
      waiting--;
    }
    return send(input, init);
  };
}
