/**
 * Before `airlock connect` sends its token anywhere: checks that the port named in
 * runtime.json is this home's running Airlock (see home/instance-proof.ts), not whatever
 * process took the port after a crash. Fails closed: no proof, no connection.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { IDENTITY_PATH, instanceProof, newNonce } from '../home/instance-proof.ts';
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

/**
 * A fetch that proves the port again before every request that carries the token: if
 * Airlock stops while the bridge runs and another process takes its port, the next
 * request goes nowhere. Proofs run one after another, so requests still start in the
 * order they were made (a cancellation never overtakes its request).
 */
export function verifiedFetch(runtime: RuntimeInfo, token: string, base: typeof fetch = fetch): typeof fetch {
  let order: Promise<unknown> = Promise.resolve();
  return async (input, init) => {
    const proven = order.then(() => verifyAirlock(runtime, token));
    order = proven.catch(() => undefined);
    await proven;
    return base(input, init);
  };
}
