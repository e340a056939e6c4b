/**
 * Proof that a port is this home's Airlock, before a bridge sends it a token. runtime.json
 * may be stale (Airlock crashed and another process took the port), so the bridge sends a
 * fresh nonce and Airlock answers with an HMAC of it keyed by each token it accepts, bound
 * to the instance id it wrote in runtime.json. Only a process that holds the token can
 * answer, and an answer seen once is no use for another nonce or another run.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuthTokens } from './auth.ts';

/** Unauthenticated on purpose: it is asked before any token is sent. */
export const IDENTITY_PATH = '/airlock/identity';

export function newInstanceId(): string {
  return randomBytes(32).toString('hex');
}

export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

export function instanceProof(token: string, instanceId: string, nonce: string): string {
  return createHmac('sha256', token).update(`airlock-instance\n${instanceId}\n${nonce}`).digest('hex');
}

/** One proof per token this Airlock accepts; each reveals nothing about its token. */
export function identityProofs(tokens: AuthTokens, instanceId: string, nonce: string): string[] {
  // A client's token `airlock protect` just added must prove this Airlock too.
  tokens.refresh?.();
  const all = [tokens.mcpToken, tokens.adminToken, ...Object.values(tokens.clients)];
  return all.map((token) => instanceProof(token, instanceId, nonce));
}
