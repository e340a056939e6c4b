/**
 * The guard for resources/read and prompts/get: the policy's `resources` and `prompts`
 * rules (policy/access.ts) decide, and an `ask` waits in the same approval queue as tool
 * calls, on a card that says it is a resource or a prompt. A refusal is a JSON-RPC error
 * (these results have no isError) whose message says who refused and why. Fails closed:
 * a paused queue, a timeout, a cancelled wait or a denial never forward the request.
 */
import { randomUUID } from 'node:crypto';
import type { Result } from '@modelcontextprotocol/server';
import type { Settings } from '../../../shared/config.ts';
import type { PendingCall } from '../../../shared/api/contract.ts';
import type { ApprovalQueue } from '../approvals/approval-queue.ts';
import type { Logger } from '../logger.ts';
import { evaluateAccess } from '../policy/index.ts';
import type { AccessRequest, ForwardAccess, ProxyHooks } from '../proxy/tool-call.ts';
import type { PolicyManager } from './policy-manager.ts';

/** Implementation-defined server error (JSON-RPC reserves -32000..-32099): refused by Airlock. */
export const ACCESS_REFUSED = -32003;

const CANCELLED = { client: 'client cancelled', shutdown: 'Airlock is shutting down', withdrawn: 'the approval was withdrawn' } as const;

export function accessRefused(message: string): Error {
  return Object.assign(new Error(message), { code: ACCESS_REFUSED });
}

export interface AccessGuardDeps {
  policy: PolicyManager;
  queue: ApprovalQueue;
  settings: () => Settings;
  /** "Pause all": a request that would ask is refused at once. */
  isPaused: () => boolean;
  logger: Logger;
}

export class AccessGuard {
  private readonly deps: AccessGuardDeps;

  constructor(deps: AccessGuardDeps) {
    this.deps = deps;
  }

  async decide(request: AccessRequest, forward: ForwardAccess): Promise<Result> {
    const decision = evaluateAccess(this.deps.policy.current, { kind: request.kind, server: request.server, target: request.target });
    if (decision.action === 'allow') return forward();
    if (decision.action === 'deny') throw accessRefused(decision.message ?? `[Airlock] Denied by policy: ${decision.reason}`);
    const what = request.kind === 'resource' ? `reading resource "${request.target}"` : `getting prompt "${request.target}"`;
    if (this.deps.isPaused()) throw accessRefused(`[Airlock] Denied: approvals are paused in Airlock, so ${what} is refused. Reason the policy asks: ${decision.reason}`);

    const now = Date.now();
    const pending: PendingCall = {
      id: randomUUID(),
      historyId: '',
      kind: request.kind,
      server: request.server,
      tool: request.target,
      arguments: request.kind === 'resource' ? { uri: request.target } : request.arguments,
      client: { id: request.client.id, ...(request.client.info && { name: request.client.info.name, version: request.client.info.version }) },
      sessionId: request.sessionId,
      rule: decision.rule,
      reason: decision.reason,
      createdAt: now,
      expiresAt: now + (decision.timeout ?? this.deps.settings().approvalTimeout) * 1000,
    };
    this.deps.queue.add(pending);
    this.deps.logger.info(`waiting for approval: ${what} on ${request.server} from ${request.client.id} (${decision.rule})`);
    const outcome = await this.deps.queue.wait(pending.id, request.signal);
    if (outcome.kind === 'approved') return forward();
    if (outcome.kind === 'denied') throw accessRefused(`[Airlock] Denied by the user${outcome.message ? `: ${outcome.message}` : '.'}`);
    if (outcome.kind === 'timed_out') throw accessRefused(`[Airlock] Approval timed out: nobody approved ${what}, so it was not sent. This is not a denial; you may try again later.`);
    if (outcome.kind === 'paused' || outcome.kind === 'refused_by_policy') {
      throw accessRefused(outcome.kind === 'paused' ? `[Airlock] Denied: approvals are paused in Airlock, so ${what} is refused.` : outcome.message);
    }
    throw accessRefused(`[Airlock] Cancelled: ${CANCELLED[outcome.cause]}. ${what[0]!.toUpperCase()}${what.slice(1)} was not sent.`);
  }
}

/** The proxy hooks of `hooks` with resource reads and prompts decided by `access`. */
export function withAccessGuard(hooks: ProxyHooks, access: AccessGuard): ProxyHooks {
  return {
    onToolCall: (call, forward) => hooks.onToolCall(call, forward),
    filterTools: (server, tools, client) => hooks.filterTools(server, tools, client),
    onSession: (event, server, sessionId, client) => hooks.onSession?.(event, server, sessionId, client),
    onResourceRead: (request, forward) => access.decide(request, forward),
    onPromptGet: (request, forward) => access.decide(request, forward),
  };
}
