/**
 * The guard at the interception point: every tools/call of every session is decided here.
 *
 *   history.begin → quarantine? → policy.evaluate → limits.reserve
 *     → ask? (remembered grant | a person | timeout | cancelled) → forward → history.complete
 *
 * Fail closed: nothing here turns an ask or a deny into an allow by accident. A refusal is
 * answered as a tool result with isError and an `[Airlock] ...` text that says who refused
 * and why, because models read tool results and clients often hide protocol errors.
 */
import { randomUUID } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { Settings } from '../../../shared/config.ts';
import type { PendingCall } from '../../../shared/api/contract.ts';
import type { DecidedBy, Decision } from '../../../shared/history.ts';
import { grantScopeText } from '../../../shared/remember-scope.ts';
import type { ApprovalOutcome, ApprovalQueue } from '../approvals/approval-queue.ts';
import type { Logger } from '../logger.ts';
import { evaluate, isListed, NO_COUNTERS, type PolicyDecision } from '../policy/index.ts';
import { UpstreamGoneError } from '../proxy/forwarding.ts';
import type { ClientIdentity, ForwardCall, ProxyHooks, ToolCall } from '../proxy/tool-call.ts';
import type { GrantStore } from '../store/grant-store.ts';
import type { BeginInput, DecideInput, HistoryStore } from '../store/history-store.ts';
import { hashJson } from '../store/canonical-json.ts';
import { withEditNotice } from './edit-notice.ts';
import type { Limiter } from './limiter.ts';
import type { PolicyManager } from './policy-manager.ts';
import { grantForChoice, grantLookup, type RememberedCall } from './remember-grant.ts';
import type { ToolCatalog } from './tool-catalog.ts';

export function refusal(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}


/** The part of the history store the guard writes to. */
export type CallHistory = Pick<HistoryStore, 'begin' | 'decide' | 'complete' | 'completeSoon' | 'linkRetry'>;

/** For `"history": false`: calls are decided as usual and nothing about them is kept. */
export function noHistory(): CallHistory {
  let next = 0;
  return {
    begin: (input) => ({
      id: `nohistory-${++next}`,
      receivedAt: input.receivedAt,
      server: input.server,
      tool: input.tool,
      client: input.client,
      sessionId: input.sessionId,
      arguments: {},
      state: 'pending',
      decision: null,
      decidedBy: null,
    }),
    decide: () => true,
    complete: () => true,
    completeSoon: () => undefined,
    linkRetry: () => true,
  };
}

export interface CallGuardDeps {
  policy: PolicyManager;
  limiter: Limiter;
  history: CallHistory;
  grants: GrantStore;
  catalog: ToolCatalog;
  queue: ApprovalQueue;
  settings: () => Settings;
  /**
   * Runs writes in one transaction (the entry and the limit slots together), shared with
   * the other calls of this moment: `committed` resolves when they are durable.
   */
  transaction: <T>(fn: () => T) => { result: T; committed: Promise<void> };
  /** How many UIs follow the core right now (0: nobody can answer an approval). */
  uiCount: () => number;
  logger: Logger;
}

/** An approval given after the agent was told to retry: the identical retry passes once. */
interface RetryPass {
  expiresAt: number;
  historyId: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class CallGuard implements ProxyHooks {
  private readonly deps: CallGuardDeps;
  private paused = false;
  private readonly retryPasses = new Map<string, RetryPass>();
  /** Approvals kept open after an early answer, by the identity of the call, for retries. */
  private readonly keptApprovals = new Map<string, string>();

  constructor(deps: CallGuardDeps) {
    this.deps = deps;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** "Pause all": every call that would ask is denied at once, and waiting ones are denied. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.deps.queue.cancelAll('approvals paused');
  }

  onSession(event: 'open' | 'close', _server: string, sessionId: string): void {
    if (event === 'close') this.deps.grants.revokeSession(sessionId);
  }

  filterTools(server: string, tools: Tool[], client: ClientIdentity): Tool[] {
    this.deps.catalog.observe(server, tools);
    const policy = this.deps.policy.current;
    return tools.filter((t) => isListed(policy, server, t.name, t.annotations, client.id));
  }

  async onToolCall(call: ToolCall, forward: ForwardCall): Promise<CallToolResult> {
    const { history } = this.deps;
    const arrival: BeginInput = {
      receivedAt: call.receivedAt,
      server: call.server,
      tool: call.tool,
      client: call.client.id,
      ...(call.client.info && { clientInfo: { name: call.client.info.name, version: call.client.info.version } }),
      sessionId: call.sessionId,
      protocolVersion: call.protocolVersion,
      arguments: call.arguments,
    };
    // A call decided on arrival is written once, already decided; only a call that waits
    // for a person is written as pending first. Either way the entry is durable before
    // anything is forwarded.
    const record = (decided: DecideInput, retryOf?: string) => history.begin({ ...arrival, decided, ...(retryOf && { retryOf }) });

    if (this.deps.catalog.isQuarantined(call.server, call.tool)) {
      record({ decision: 'quarantined', decidedBy: { kind: 'rule', detail: 'tool definition changed' }, reason: 'tool definition changed' });
      return refusal(
        `[Airlock] Refused: the definition of tool "${call.tool}" on server "${call.server}" changed since it was approved. It stays blocked until a person reviews and accepts the new definition in Airlock (Servers).`,
      );
    }

    const toolDef = this.deps.catalog.tool(call.server, call.tool);
    const now = Date.now();
    const decision = evaluate(
      this.deps.policy.current,
      { server: call.server, tool: call.tool, args: call.arguments, client: call.client.id, sessionId: call.sessionId, annotations: toolDef?.annotations },
      this.deps.limiter,
      now,
    );
    if (decision.action === 'deny') return this.refuse(record, decision);

    let decided: Decision = 'allowed';
    let decidedBy: DecidedBy = { kind: 'rule', rule: decision.rule };
    let needsPerson = false;
    let retryOf: string | undefined;
    if (decision.action === 'ask') {
      const remembered = this.remembered(call);
      retryOf = remembered?.retryOf;
      if (remembered?.effect === 'deny') {
        record({ decision: 'rejected_by_user', decidedBy: { kind: 'grant', detail: remembered.detail }, reason: 'denied earlier by a remembered decision' });
        return refusal(`[Airlock] Denied: a person chose to ${remembered.kind === 'session' ? 'deny for this session' : 'always deny'} "${call.tool}" on "${call.server}".`);
      }
      if (remembered?.effect === 'allow') {
        decided = remembered.kind === 'retry' ? 'approved' : 'allowed';
        decidedBy = { kind: remembered.kind === 'retry' ? 'user' : 'grant', detail: remembered.detail };
      } else if (this.paused) {
        record({ decision: 'denied', decidedBy: { kind: 'rule', rule: decision.rule, detail: 'approvals paused' }, reason: 'approvals are paused' });
        return refusal(`[Airlock] Denied: approvals are paused in Airlock, so every call that needs approval is refused. Reason the policy asks: ${decision.reason}`);
      } else {
        needsPerson = true;
      }
    }

    // Slots are taken now, in the same tick as the check and in the same transaction as
    // the entry, and given back if the call is never forwarded, so concurrent calls can
    // never overrun a cap.
    const {
      result: { id, slots },
      committed,
    } = this.deps.transaction(() => ({
      slots: this.deps.limiter.reserve(decision.reservations, now),
      id: needsPerson
        ? history.begin(arrival).id
        : record({ decision: decided, decidedBy, ...(decision.action === 'ask' && { reason: decision.reason }) }, retryOf).id,
    }));
    let forwarded = false;
    try {
      let args = call.arguments;
      if (needsPerson) {
        const asked = await this.ask(call, decision, id, toolDef);
        if (asked.result) return asked.result;
        const outcome = asked.outcome!;
        const waitMs = outcome.decidedAt - call.receivedAt;
        if (outcome.kind !== 'approved') return this.notApproved(id, call, outcome, waitMs);
        this.rememberDecision(call, outcome, 'allow');
        if (outcome.arguments) {
          // Edited arguments are a new call as far as the policy is concerned; the person
          // already approved them, so only a refusal can change the outcome.
          const again = evaluate(
            this.deps.policy.current,
            { server: call.server, tool: call.tool, args: outcome.arguments, client: call.client.id, sessionId: call.sessionId, annotations: toolDef?.annotations },
            NO_COUNTERS,
            Date.now(),
          );
          if (again.action === 'deny') return this.refuse((d) => (history.decide(id, d), { id }), again, { waitMs, arguments: outcome.arguments });
          args = outcome.arguments;
        }
        history.decide(id, {
          decision: 'approved',
          decidedBy: { kind: 'user' },
          waitMs,
          reason: decision.reason,
          ...(outcome.message && { userMessage: outcome.message }),
          ...(args !== call.arguments && { arguments: args }),
        });
      }

      // Nothing is forwarded before its record is durable (fails closed if the commit fails).
      await committed;
      forwarded = true;
      const started = performance.now();
      try {
        const result = await forward(args);
        history.completeSoon(id, { upstreamMs: performance.now() - started, result });
        const settings = this.deps.settings();
        return args !== call.arguments && settings.editNotice ? withEditNotice(result, call.arguments, args, settings.redactKeys) : result;
      } catch (err) {
        const cancelled = call.signal.aborted;
        if (err instanceof UpstreamGoneError) forwarded = false;
        history.completeSoon(id, {
          upstreamMs: performance.now() - started,
          error: (err as Error).message,
          decision: cancelled ? 'cancelled' : 'upstream_error',
          ...(cancelled && { decidedBy: { kind: 'client' } }),
        });
        throw err;
      }
    } finally {
      if (!forwarded) this.deps.limiter.release(slots);
    }
  }

  /** Records a refusal by the policy (with `record`: on arrival, or on the pending entry). */
  private refuse(
    record: (decided: DecideInput) => unknown,
    decision: PolicyDecision,
    extra: { waitMs?: number; arguments?: Record<string, unknown> } = {},
  ): CallToolResult {
    const limited = decision.kind === 'limit';
    record({
      decision: limited ? 'rate_limited' : 'denied',
      decidedBy: { kind: limited ? 'limit' : 'rule', rule: decision.rule },
      reason: decision.reason,
      ...extra,
    });
    return refusal(decision.message ?? `[Airlock] Denied by policy: ${decision.reason}`);
  }

  /** Lets the next identical call (client, server, tool, arguments) through once, until `expiresAt`. */
  allowRetry(call: Pick<ToolCall, 'server' | 'tool' | 'arguments'> & { client: { id: string } }, expiresAt: number, historyId: string): void {
    this.retryPasses.set(this.callKey(call), { expiresAt, historyId });
  }

  private callKey(call: Pick<ToolCall, 'server' | 'tool' | 'arguments'> & { client: { id: string } }): string {
    return [call.client.id, call.server, call.tool, hashJson(call.arguments)].join('\u0000');
  }

  private remembered(call: ToolCall): { effect: 'allow' | 'deny'; kind: 'session' | 'always' | 'retry'; detail: string; retryOf?: string } | undefined {
    const key = this.callKey(call);
    const pass = this.retryPasses.get(key);
    if (pass) {
      this.retryPasses.delete(key);
      if (pass.expiresAt >= Date.now()) return { effect: 'allow', kind: 'retry', detail: `approved earlier (history ${pass.historyId})`, retryOf: pass.historyId };
    }
    const grant = this.deps.grants.findMatching(grantLookup(rememberedCall(call), this.deps.policy.version));
    if (grant) return { effect: grant.effect, kind: grant.scope, detail: `${grantScopeText(grant)} (grant ${grant.id})` };
    return undefined;
  }

  /** Puts the call in front of a person and waits; or answers early and keeps it open. */
  private async ask(call: ToolCall, decision: PolicyDecision, historyId: string, toolDef: Tool | undefined): Promise<{ outcome?: ApprovalOutcome; result?: CallToolResult }> {
    const { queue } = this.deps;
    const settings = this.deps.settings();
    const key = this.callKey(call);
    const existing = this.keptApprovals.get(key);
    let pendingId: string;
    let pending: PendingCall | undefined = existing ? queue.get(existing) : undefined;
    const sharing = pending !== undefined;
    if (pending) {
      // The agent retried a call that is still waiting: wait on the same approval, no second prompt.
      // Its own entry stays open and is decided by that approval: it is the call that runs.
      pendingId = pending.id;
      this.deps.history.linkRetry(pending.historyId, historyId);
    } else {
      const now = Date.now();
      const timeoutMs = (decision.timeout ?? settings.approvalTimeout) * 1000;
      pending = {
        id: randomUUID(),
        historyId,
        server: call.server,
        tool: call.tool,
        ...(toolDef && {
          toolDefinition: {
            name: toolDef.name,
            ...(toolDef.title && { title: toolDef.title }),
            ...(toolDef.description && { description: toolDef.description }),
            inputSchema: toolDef.inputSchema as Record<string, unknown>,
            ...(toolDef.annotations && { annotations: toolDef.annotations }),
          },
        }),
        arguments: call.arguments,
        client: { id: call.client.id, ...(call.client.info && { name: call.client.info.name, version: call.client.info.version }) },
        sessionId: call.sessionId,
        rule: decision.rule,
        reason: decision.reason,
        createdAt: now,
        expiresAt: now + timeoutMs,
      };
      pendingId = pending.id;
      queue.add(pending);
      this.deps.logger.info(`waiting for approval: ${call.server}/${call.tool} from ${call.client.id} (${decision.rule})`);
      if (settings.elicitationFallback && call.elicit && this.deps.uiCount() === 0) void this.askInClient(call, pending);
    }

    const stopHeartbeat = this.heartbeat(call, settings.heartbeatSeconds * 1000);
    try {
      const waiting = queue.wait(pendingId, call.signal).then((outcome) => {
        // A retry that waited on the approval itself runs the call: the pass the first
        // call's early answer left for it must not let one more identical call through.
        if (sharing && outcome.kind === 'approved') {
          this.retryPasses.delete(key);
          if (outcome.arguments) this.retryPasses.delete(this.callKey({ ...call, arguments: outcome.arguments }));
        }
        return outcome;
      });
      if (call.waitingForPerson) {
        // Modern: the endpoint answers a long wait with input_required and the client's retry
        // re-attaches to this same wait (call-rounds.ts); no "retry later" text, no second card.
        call.waitingForPerson(true);
        try {
          return { outcome: await waiting };
        } finally {
          call.waitingForPerson(false);
        }
      }
      const earlyMs = settings.earlyAnswerSeconds * 1000;
      if (call.wantsProgress || earlyMs <= 0 || earlyMs >= pending.expiresAt - Date.now()) return { outcome: await waiting };
      let timer: NodeJS.Timeout | undefined;
      const early = new Promise<'early'>((resolve) => (timer = setTimeout(() => resolve('early'), earlyMs)));
      const first = await Promise.race([waiting, early]);
      clearTimeout(timer);
      if (first !== 'early') return { outcome: first };
      return { result: this.answerEarly(call, pending, key, historyId) };
    } finally {
      stopHeartbeat();
    }
  }

  /** Progress notifications keep clients with a request timeout from giving up meanwhile. */
  private heartbeat(call: ToolCall, everyMs: number): () => void {
    // A modern call's later rounds may bring a progress token the first one lacked.
    if (!call.wantsProgress && !call.waitingForPerson) return () => undefined;
    let beat = 0;
    const timer = setInterval(() => void call.sendProgress(++beat, undefined, 'Waiting for approval in Airlock'), everyMs);
    return () => clearInterval(timer);
  }

  /**
   * The agent is told the call is pending and to retry it; the approval stays open. When
   * a person approves, the identical retry from the same client passes without a prompt.
   */
  private answerEarly(call: ToolCall, pending: PendingCall, key: string, historyId: string): CallToolResult {
    const { queue, history } = this.deps;
    queue.keep(pending.id);
    this.keptApprovals.set(key, pending.id);
    void queue.wait(pending.id).then((outcome) => {
      this.keptApprovals.delete(key);
      const waitMs = outcome.decidedAt - call.receivedAt;
      // "Remember" holds for a decision taken after the early answer too.
      if (outcome.kind === 'approved' || outcome.kind === 'denied') this.rememberDecision(call, outcome, outcome.kind === 'approved' ? 'allow' : 'deny');
      if (outcome.kind === 'approved') {
        const grace = this.deps.settings().retryGraceSeconds * 1000;
        const retryKey = outcome.arguments ? this.callKey({ ...call, arguments: outcome.arguments }) : key;
        // Not 'approved': this call never ran, the retry (linked to it when it comes) does.
        history.decide(historyId, {
          decision: 'approved_for_retry',
          decidedBy: { kind: 'user' },
          waitMs,
          reason: 'approved after the agent was told to retry; the retry runs the call',
          ...(outcome.message && { userMessage: outcome.message }),
        });
        // Only once the approval is recorded: a failed write grants nothing.
        this.retryPasses.set(retryKey, { expiresAt: Date.now() + grace, historyId: pending.historyId });
      } else {
        this.recordNotApproved(historyId, outcome, waitMs);
      }
    }).catch((err: Error) => this.deps.logger.error(`recording the decision on ${call.server}/${call.tool} failed; a retry asks again: ${err.message}`));
    const waited = seconds(Date.now() - call.receivedAt);
    return refusal(
      `[Airlock] approval pending: this call of "${call.tool}" is waiting for a person to approve it in Airlock (waited ${waited}). ` +
        `It has not run. Retry the same call with the same arguments in a little while; once approved, the retry goes through without asking again.`,
    );
  }

  private async askInClient(call: ToolCall, pending: PendingCall): Promise<void> {
    try {
      const answer = await call.elicit!(
        `Airlock: allow "${pending.tool}" on "${pending.server}"? ${pending.reason ?? ''}\nArguments: ${JSON.stringify(pending.arguments).slice(0, 500)}`,
        { type: 'object', properties: { approve: { type: 'boolean', title: 'Approve this call' } }, required: ['approve'] },
      );
      if (!this.deps.queue.get(pending.id)) return;
      const approve = answer.action === 'accept' && answer.content?.approve === true;
      this.deps.queue.decide(pending.id, approve ? { decision: 'approve' } : { decision: 'deny', message: 'declined in the client' });
    } catch {
      // The person can still answer in Airlock itself; the approval stays pending.
    }
  }

  private notApproved(id: string, call: ToolCall, outcome: ApprovalOutcome, waitMs: number): CallToolResult {
    this.recordNotApproved(id, outcome, waitMs);
    if (outcome.kind === 'denied') {
      this.rememberDecision(call, outcome, 'deny');
      return refusal(`[Airlock] Denied by the user${outcome.message ? `: ${outcome.message}` : '.'}`);
    }
    if (outcome.kind === 'refused_by_policy') return refusal(outcome.message);
    if (outcome.kind === 'timed_out') {
      return refusal(
        `[Airlock] Approval timed out after ${seconds(waitMs)}: nobody approved this call of "${call.tool}", so it was not run. This is not a denial; you may try again later.`,
      );
    }
    return refusal(`[Airlock] Cancelled: ${outcome.kind === 'cancelled' ? outcome.reason : 'no decision'}. The call was not run.`);
  }

  private recordNotApproved(id: string, outcome: ApprovalOutcome, waitMs: number): void {
    const history = this.deps.history;
    if (outcome.kind === 'denied') {
      history.decide(id, { decision: 'rejected_by_user', decidedBy: { kind: 'user' }, waitMs, ...(outcome.message && { userMessage: outcome.message }) });
    } else if (outcome.kind === 'refused_by_policy') {
      history.decide(id, { decision: 'denied', decidedBy: { kind: 'rule', rule: outcome.rule, detail: 'the policy changed while the call waited' }, waitMs, reason: outcome.reason });
    } else if (outcome.kind === 'timed_out') {
      history.decide(id, { decision: 'timed_out', decidedBy: { kind: 'timeout' }, waitMs });
    } else if (outcome.kind === 'cancelled') {
      const paused = outcome.reason === 'approvals paused';
      history.decide(id, {
        decision: paused ? 'denied' : 'cancelled',
        decidedBy: paused ? { kind: 'rule', detail: 'approvals paused' } : { kind: 'client' },
        waitMs,
        reason: outcome.reason,
      });
    }
  }

  /**
   * The policy changed: a call still waiting for a person is decided again, and refused at
   * once when the new policy denies or hides its tool (a person must not approve what the
   * policy now forbids).
   */
  redecidePending(): void {
    const policy = this.deps.policy.current;
    for (const pending of this.deps.queue.list()) {
      if (pending.kind && pending.kind !== 'tool') continue;
      const decision = evaluate(
        policy,
        { server: pending.server, tool: pending.tool, args: pending.arguments, client: pending.client.id, sessionId: pending.sessionId, annotations: pending.toolDefinition?.annotations },
        NO_COUNTERS,
        Date.now(),
      );
      if (decision.action !== 'deny') continue;
      this.deps.queue.refuse(pending.id, {
        rule: decision.rule,
        reason: decision.reason,
        message: decision.message ?? `[Airlock] Denied by policy: ${decision.reason} (the policy changed while the call waited)`,
      });
    }
  }

  /** Applies "remember" of an approval or denial as a grant of the chosen scope. */
  rememberDecision(call: ToolCall, outcome: ApprovalOutcome, effect: 'allow' | 'deny'): void {
    if (outcome.kind !== 'approved' && outcome.kind !== 'denied') return;
    const about = outcome.kind === 'approved' && outcome.arguments ? { ...call, arguments: outcome.arguments } : call;
    const grant = grantForChoice(rememberedCall(about), outcome.remember, effect, this.deps.policy.version);
    if (grant) this.deps.grants.addOnce(grant);
  }
}

function rememberedCall(call: ToolCall): RememberedCall {
  return { server: call.server, tool: call.tool, arguments: call.arguments, client: call.client.id, sessionId: call.sessionId };
}
