/**
 * The guard at the interception point: every tools/call of every session passes here.
 * It decides nothing itself: `decideCall` (decide-call.ts) gives the verdict, and this
 * executor carries it out, top to bottom:
 *
 *   context → verdict → refuse (record, answer)
 *                     | admit (record, reserve slots [, use up the retry pass]) → ask and wait? → forward → complete
 *
 * What history records and what the agent is told for each way a call ends comes from one
 * table (call-outcomes.ts). Fail closed: a failed write, a lost approval or an internal
 * error never turns an ask or a deny into an allow.
 */
import { randomUUID } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type { Settings } from '../../../shared/config.ts';
import type { PendingCall } from '../../../shared/api/contract.ts';
import type { ApprovalOutcome, ApprovalQueue } from '../approvals/approval-queue.ts';
import type { Logger } from '../logger.ts';
import { isListed, type PolicyDecision } from '../policy/index.ts';
import { UpstreamGoneError } from '../proxy/forwarding.ts';
import type { ClientIdentity, ForwardCall, ProxyHooks, ToolCall } from '../proxy/tool-call.ts';
import { hashJson } from '../store/canonical-json.ts';
import type { GrantStore } from '../store/grant-store.ts';
import type { HistoryStore } from '../store/history-store.ts';
import { callContext, historyArrival, pendingCard, withArguments, type CallContext } from './call-context.ts';
import { recordOf, refusalOf, type CallEnd } from './call-outcomes.ts';
import { decideCall, decideEdit, decideWaiting, type GuardSnapshot, type RememberedReader, type Verdict } from './decide-call.ts';
import { withEditNotice } from './edit-notice.ts';
import type { Limiter } from './limiter.ts';
import type { PolicyManager } from './policy-manager.ts';
import { grantForChoice } from './remember-grant.ts';
import type { ToolCatalog } from './tool-catalog.ts';

/** The part of the history store the guard writes to. */
export type CallHistory = Pick<HistoryStore, 'begin' | 'decide' | 'markSent' | 'complete' | 'completeSoon' | 'linkRetry'>;

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
    markSent: () => true,
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
   * the other calls of this moment: `committed` resolves when they are durable. `alone`: no
   * other call is in flight, so there is no one to share the commit with and waiting for
   * the end of the turn would only add to this call's latency: commit at once.
   */
  transaction: <T>(fn: () => T, options?: { alone?: boolean }) => { result: T; committed: Promise<void> };
  /** How many UIs follow the core right now (0: nobody can answer an approval). */
  uiCount: () => number;
  logger: Logger;
}

/** How a wait for a person came out: the call runs (with these arguments), or it is answered. */
type Asked = { kind: 'run'; arguments: Record<string, unknown> } | { kind: 'answered'; result: CallToolResult };

/** One identical call: same caller, server, tool and arguments. */
const callKey = (context: CallContext) => [context.caller, context.server, context.tool, context.argsDigest].join('\u0000');

export class CallGuard implements ProxyHooks {
  private readonly deps: CallGuardDeps;
  /** Calls between arrival and their end (waiting for a person included). */
  private inFlight = 0;
  private paused = false;
  /** Approvals kept open after an early answer, by call key: an identical retry waits on the same one. */
  private readonly keptApprovals = new Map<string, string>();
  private readonly remembered: RememberedReader;

  constructor(deps: CallGuardDeps) {
    this.deps = deps;
    this.remembered = {
      retryPass: (c) => deps.grants.findRetryPass({ server: c.server, tool: c.tool, client: c.caller, argsHash: c.argsDigest }),
      grant: (c) =>
        deps.grants.findMatching({ server: c.server, tool: c.tool, client: c.caller, sessionId: c.sessionId, argsHash: c.argsDigest, policyVersion: deps.policy.version }),
    };
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** "Pause all": every call that would ask is refused at once, and waiting ones are refused. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) this.deps.queue.pauseAll();
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
    this.inFlight++;
    try {
      return await this.guardCall(call, forward);
    } finally {
      this.inFlight--;
    }
  }

  private async guardCall(call: ToolCall, forward: ForwardCall): Promise<CallToolResult> {
    const context = callContext(call, this.deps.catalog.tool(call.server, call.tool));
    const verdict = decideCall(context, this.snapshot(context));
    if (verdict.kind === 'refuse') {
      this.deps.history.begin({ ...historyArrival(context), decided: recordOf(verdict.end, context) });
      return refusalOf(verdict.end, context);
    }
    const { id, slots, committed } = this.admit(context, verdict);
    let sent = false;
    try {
      let args = context.arguments;
      if (verdict.kind === 'ask') {
        const asked = await this.ask(call, context, verdict.decision, id);
        if (asked.kind === 'answered') return asked.result;
        args = asked.arguments;
      }
      // Nothing is forwarded before its record is durable (fails closed if the commit fails).
      await committed;
      sent = true;
      return await this.forward(call, context, id, args, forward, verdict.kind === 'ask');
    } catch (err) {
      // The upstream went away before the call reached it: it never ran, its slots go back.
      if (err instanceof UpstreamGoneError) sent = false;
      throw err;
    } finally {
      if (!sent) this.deps.limiter.release(slots);
    }
  }

  private snapshot(context: CallContext): GuardSnapshot {
    return {
      policy: this.deps.policy.current,
      counters: this.deps.limiter,
      now: Date.now(),
      quarantined: this.deps.catalog.isQuarantined(context.server, context.tool),
      paused: this.paused,
      remembered: this.remembered,
    };
  }

  /**
   * Writes the entry and takes the slots in one transaction, in the same tick as the
   * decision, so concurrent calls can never overrun a cap and a retry pass is used once.
   * A call decided on arrival is written once, already decided; a call that waits for a
   * person is written as pending. Either way the entry is durable before anything runs.
   */
  private admit(context: CallContext, verdict: Exclude<Verdict, { kind: 'refuse' }>): { id: string; slots: number[]; committed: Promise<void> } {
    const alone = this.inFlight === 1;
    const { result, committed } = this.deps.transaction(() => {
      const slots = this.deps.limiter.reserve(verdict.reservations, Date.now());
      if (verdict.kind === 'ask') return { slots, id: this.deps.history.begin(historyArrival(context)).id };
      const pass = verdict.consumes;
      if (pass && !this.deps.grants.consume(pass.id)) throw new Error('[Airlock] the retry pass for this call was already used');
      const arrival = { ...historyArrival(context), decided: recordOf(verdict.end, context), ...(pass?.historyId && { retryOf: pass.historyId }) };
      return { slots, id: this.deps.history.begin(arrival).id };
    }, { alone });
    return { ...result, committed };
  }

  private async forward(call: ToolCall, context: CallContext, id: string, args: Record<string, unknown>, forward: ForwardCall, held: boolean): Promise<CallToolResult> {
    const { history } = this.deps;
    // An approved entry is held at its decision until the request really leaves.
    const sending = held ? () => void history.markSent(id) : undefined;
    if (sending && !call.reportsSend) sending();
    const started = performance.now();
    try {
      const result = await forward(args, call.reportsSend ? sending : undefined);
      history.completeSoon(id, { upstreamMs: performance.now() - started, result });
      const settings = this.deps.settings();
      return args !== context.arguments && settings.editNotice ? withEditNotice(result, context.arguments, args, settings.redactKeys) : result;
    } catch (err) {
      const cancelled = call.signal.aborted;
      history.completeSoon(id, {
        upstreamMs: performance.now() - started,
        error: (err as Error).message,
        decision: cancelled ? 'cancelled' : 'upstream_error',
        ...(cancelled && { decidedBy: { kind: 'client' } }),
      });
      throw err;
    }
  }

  /**
   * Puts the call in front of a person and waits; or answers early and keeps it open. The
   * person's decision is recorded by the claim, inside the decision itself (approval-queue.ts).
   */
  private async ask(call: ToolCall, context: CallContext, decision: PolicyDecision, historyId: string): Promise<Asked> {
    const { queue } = this.deps;
    const settings = this.deps.settings();
    const key = callKey(context);
    const kept = this.keptApprovals.get(key);
    let pending: PendingCall | undefined = kept ? queue.get(kept) : undefined;
    const shared = pending !== undefined;
    if (pending) {
      // The agent retried a call that is still waiting: wait on the same approval, no second
      // card. Its own entry stays open and is decided by that approval: it is the call that runs.
      this.deps.history.linkRetry(pending.historyId, historyId);
    } else {
      const now = Date.now();
      // A hook client stops waiting after its own timeout: the person's wait ends first.
      const timeoutMs = Math.min((decision.timeout ?? settings.approvalTimeout) * 1000, call.hook?.maxWaitMs ?? Infinity);
      pending = pendingCard(context, {
        id: randomUUID(),
        historyId,
        rule: decision.rule,
        reason: decision.reason,
        createdAt: now,
        expiresAt: now + timeoutMs,
      });
      // The hook's own card object, not a copy: the hook desk recognises its card by it.
      if (call.hook) {
        pending.hook = call.hook.card;
        if (!call.hook.editable) pending.editable = false;
      }
      queue.add(pending);
      this.deps.logger.info(`waiting for approval: ${context.server}/${context.tool} from ${context.caller} (${decision.rule})`);
      if (settings.elicitationFallback && call.elicit && this.deps.uiCount() === 0) void this.askInClient(call, pending);
    }

    // Set by the claim, synchronously inside the decision, before the wait resumes.
    const wait: { ended?: CallEnd; answeredEarly: boolean } = { answeredEarly: false };
    const pendingId = pending.id;
    const unclaim = queue.claim(pendingId, (outcome) => {
      wait.ended = this.settle(context, historyId, decision, outcome, { answeredEarly: wait.answeredEarly, shared, key, pendingId });
    });
    const stopHeartbeat = this.heartbeat(call, settings.heartbeatSeconds * 1000);
    try {
      const waiting = queue.wait(pendingId, call.signal);
      if (call.waitingForPerson) {
        // Modern: the endpoint answers a long wait with input_required and the client's retry
        // re-attaches to this same wait (call-rounds.ts); no "retry later" text, no second card.
        call.waitingForPerson(true);
        try {
          await waiting;
        } finally {
          call.waitingForPerson(false);
        }
      } else {
        const earlyMs = settings.earlyAnswerSeconds * 1000;
        if (call.wantsProgress || earlyMs <= 0 || earlyMs >= pending.expiresAt - Date.now()) await waiting;
        else if ((await this.orEarly(waiting, earlyMs)) === 'early') {
          // The agent is told the call is pending and to retry it; the approval stays open,
          // and the claim records its outcome when it comes.
          wait.answeredEarly = true;
          queue.keep(pendingId);
          this.keptApprovals.set(key, pendingId);
          return { kind: 'answered', result: refusalOf({ kind: 'answered_early', waitedMs: Date.now() - context.receivedAt }, context) };
        }
      }
      let ended = wait.ended;
      if (!ended) {
        // This caller stopped waiting while the approval goes on for others (or it was gone).
        unclaim();
        ended = { kind: 'cancelled', cause: call.signal.aborted ? 'client' : 'withdrawn', waitMs: Date.now() - context.receivedAt };
        this.deps.history.decide(historyId, recordOf(ended, context)!);
      }
      if (ended.kind === 'approved') return { kind: 'run', arguments: ended.arguments ?? context.arguments };
      return { kind: 'answered', result: refusalOf(ended, context) };
    } finally {
      stopHeartbeat();
    }
  }

  private async orEarly(waiting: Promise<ApprovalOutcome>, earlyMs: number): Promise<ApprovalOutcome | 'early'> {
    let timer: NodeJS.Timeout | undefined;
    const early = new Promise<'early'>((resolve) => (timer = setTimeout(() => resolve('early'), earlyMs)));
    try {
      return await Promise.race([waiting, early]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The approval resolved: record how this call ends, as one transition with the decision
   * (it runs synchronously inside it). A failed write on a person's decision fails the
   * decision, and nothing is approved.
   */
  private settle(
    context: CallContext,
    historyId: string,
    decision: PolicyDecision,
    outcome: ApprovalOutcome,
    wait: { answeredEarly: boolean; shared: boolean; key: string; pendingId: string },
  ): CallEnd {
    const waitMs = outcome.decidedAt - context.receivedAt;
    const message = 'message' in outcome && outcome.message !== undefined ? { message: outcome.message } : {};
    let end: CallEnd;
    switch (outcome.kind) {
      case 'approved': {
        const edited = outcome.arguments ? withArguments(context, outcome.arguments) : undefined;
        const refused = edited && decideEdit(edited, this.deps.policy.current, Date.now());
        if (wait.answeredEarly) end = { kind: 'approved_for_retry', waitMs, ...message };
        else if (refused) end = { kind: 'denied_by_policy', decision: refused, waitMs, arguments: outcome.arguments };
        else end = { kind: 'approved', decision, waitMs, ...message, ...(outcome.arguments && { arguments: outcome.arguments }) };
        break;
      }
      case 'denied':
        end = { kind: 'denied_by_person', waitMs, ...message };
        break;
      case 'refused_by_policy':
        end = { kind: 'denied_by_policy', decision: outcome, waitMs, policyChanged: true };
        break;
      case 'paused':
        end = { kind: 'paused', rule: decision.rule, reason: decision.reason, waitMs };
        break;
      case 'timed_out':
        end = { kind: 'timed_out', waitMs };
        break;
      case 'cancelled':
        end = { kind: 'cancelled', cause: outcome.cause, waitMs };
        break;
    }
    const write = () => {
      const record = recordOf(end, context)!;
      this.deps.history.decide(historyId, end.kind === 'approved' ? { ...record, held: true } : record);
      if (outcome.kind === 'approved' || outcome.kind === 'denied') this.remember(context, outcome);
      if (end.kind === 'approved_for_retry') {
        // The agent's identical retry (of the arguments as approved) runs the call, once.
        const argsHash = outcome.kind === 'approved' && outcome.arguments ? hashJson(outcome.arguments) : context.argsDigest;
        const pass = { server: context.server, tool: context.tool, client: context.caller, argsHash };
        this.deps.grants.revokeRetryPasses(pass);
        this.deps.grants.addRetryPass({ ...pass, historyId, expiresAt: Date.now() + this.deps.settings().retryGraceSeconds * 1000 });
      } else if (end.kind === 'approved' && wait.shared) {
        // A retry that waited on the approval itself runs the call: the pass the first call's
        // early answer left must not let one more identical call through.
        this.deps.grants.revokeRetryPasses({ server: context.server, tool: context.tool, client: context.caller, argsHash: context.argsDigest });
        if (outcome.kind === 'approved' && outcome.arguments) {
          this.deps.grants.revokeRetryPasses({ server: context.server, tool: context.tool, client: context.caller, argsHash: hashJson(outcome.arguments) });
        }
      }
    };
    try {
      this.deps.transaction(write);
    } catch (err) {
      this.deps.logger.error(`recording the decision on ${context.server}/${context.tool} failed; nothing was approved: ${(err as Error).message}`);
      throw err;
    } finally {
      if (this.keptApprovals.get(wait.key) === wait.pendingId) this.keptApprovals.delete(wait.key);
    }
    return end;
  }

  /** Lets the next identical call (caller, server, tool, arguments) through once, until `expiresAt`. */
  allowRetry(call: Pick<ToolCall, 'server' | 'tool' | 'arguments'> & { client: { id: string } }, expiresAt: number, historyId: string): void {
    const pass = { server: call.server, tool: call.tool, client: call.client.id, argsHash: hashJson(call.arguments) };
    this.deps.transaction(() => {
      this.deps.grants.revokeRetryPasses(pass);
      this.deps.grants.addRetryPass({ ...pass, expiresAt, historyId });
    });
  }

  /** Progress notifications keep clients with a request timeout from giving up meanwhile. */
  private heartbeat(call: ToolCall, everyMs: number): () => void {
    // A modern call's later rounds may bring a progress token the first one lacked.
    if (!call.wantsProgress && !call.waitingForPerson) return () => undefined;
    let beat = 0;
    const timer = setInterval(() => void call.sendProgress(++beat, undefined, 'Waiting for approval in Airlock'), everyMs);
    return () => clearInterval(timer);
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

  /**
   * The policy changed: a call still waiting for a person is decided again, and refused at
   * once when the new policy denies or hides its tool (a person must not approve what the
   * policy now forbids).
   */
  redecidePending(): void {
    const policy = this.deps.policy.current;
    for (const pending of this.deps.queue.list()) {
      if (pending.kind && pending.kind !== 'tool') continue;
      const refused = decideWaiting(pending, policy, Date.now());
      if (!refused) continue;
      this.deps.queue.refuse(pending.id, {
        rule: refused.rule,
        reason: refused.reason,
        message: refused.message ?? `[Airlock] Denied by policy: ${refused.reason} (the policy changed while the call waited)`,
      });
    }
  }

  /** Applies "remember" of an approval or denial as a grant of the chosen scope. */
  private remember(context: CallContext, outcome: Extract<ApprovalOutcome, { kind: 'approved' | 'denied' }>): void {
    const args = outcome.kind === 'approved' && outcome.arguments ? outcome.arguments : context.arguments;
    const about = { server: context.server, tool: context.tool, arguments: args, client: context.caller, sessionId: context.sessionId };
    const grant = grantForChoice(about, outcome.remember, outcome.kind === 'approved' ? 'allow' : 'deny', this.deps.policy.version);
    if (grant) this.deps.grants.addOnce(grant);
  }
}
