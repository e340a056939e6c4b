/**
 * Sign-ins waiting for their redirect, by OAuth `state`: each is single use (taken once,
 * whatever the outcome), lives ten minutes, and belongs to the server it was started for.
 * A `state` Airlock did not issue, or one already used, finds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/client';

export const FLOW_TTL_MS = 10 * 60_000;

export interface PendingFlow {
  state: string;
  server: string;
  expiresAt: number;
  codeVerifier?: string;
  discovery?: OAuthDiscoveryState;
  authorizationUrl?: URL;
  /** The scope asked for (the union after an insufficient_scope step-up). */
  scope?: string;
}

export type TakenFlow = { kind: 'ok'; flow: PendingFlow } | { kind: 'expired'; flow: PendingFlow } | { kind: 'unknown' };

export class SignInFlows {
  private readonly pending = new Map<string, PendingFlow>();
  private readonly ttlMs: number;

  constructor(ttlMs = FLOW_TTL_MS) {
    this.ttlMs = ttlMs;
  }

  /** A new flow for a server; an earlier one of the same server stops being valid. */
  start(server: string, now = Date.now()): PendingFlow {
    this.forget(server);
    const flow: PendingFlow = { state: randomBytes(24).toString('base64url'), server, expiresAt: now + this.ttlMs };
    this.pending.set(flow.state, flow);
    return flow;
  }

  take(state: string | null, now = Date.now()): TakenFlow {
    const flow = state ? this.pending.get(state) : undefined;
    if (!flow) return { kind: 'unknown' };
    this.pending.delete(flow.state);
    return flow.expiresAt < now ? { kind: 'expired', flow } : { kind: 'ok', flow };
  }

  forget(server: string): void {
    for (const [state, flow] of this.pending) if (flow.server === server) this.pending.delete(state);
  }
}
