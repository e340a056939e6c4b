/**
 * The core side of a pre-tool hook: one tool call a client is about to run, decided by the
 * same guard as a proxied MCP call (policy, limits, remembered decisions, the approval
 * queue, history). The call is one of server `<client>` (e.g. `claude-code`), tool = the
 * client's tool name, arguments = the tool's input. Nothing is forwarded: "forwarding" is
 * telling the client to run it, with the arguments the person approved.
 */
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ApprovalOutcome, ApprovalQueue } from '../approvals/approval-queue.ts';
import type { PendingCall } from '../../../shared/api/contract.ts';
import type { ForwardCall, ProxyHooks, ToolCall } from '../proxy/tool-call.ts';
import { HOOK_CLIENT_NAMES, type HookAdapter, type HookEvent, type HookVerdict } from './hook-adapter.ts';

export type OnTimeout = 'ask' | 'deny';

export interface HookRequest {
  adapter: HookAdapter;
  event: HookEvent;
  /** The named token's name, when the hook authenticated with one. */
  tokenName?: string;
  /** How long a person may take: under the client's hook timeout. */
  maxWaitMs: number;
  /** Nobody answered in time: hand back to the client's prompt (where it has one) or refuse. */
  onTimeout: OnTimeout;
  /** Aborted when the hook gives up (its process ended, the HTTP request closed). */
  signal: AbortSignal;
}

export interface HookDeskDeps {
  guard: Pick<ProxyHooks, 'onToolCall'>;
  queue: Pick<ApprovalQueue, 'on' | 'off'>;
  /**
   * The client's names of MCP servers whose entries go through Airlock's proxy: their calls
   * are decided there, once, so the hook lets them through.
   */
  proxiedServers(client: HookRequest['adapter']['client']): Set<string>;
  /** The port Airlock listens on (an MCP server URL there goes through the proxy). */
  port?: () => number;
}

/** `http://127.0.0.1:<Airlock's port>/mcp/<server>`: a call the proxy decides. */
export function goesThroughAirlock(url: string, port: number | undefined): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && Number(u.port) === port && /^\/mcp\/[^/]+\/?$/.test(u.pathname);
  } catch {
    return false;
  }
}

/** Claude Code writes server names in tool names with anything but [A-Za-z0-9_-] replaced by `_`. */
export function mcpNameKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

const ALLOWED_TEXT = '[Airlock] Allowed: the client runs the tool itself (its output does not pass through Airlock).';

export class HookDesk {
  private readonly deps: HookDeskDeps;

  constructor(deps: HookDeskDeps) {
    this.deps = deps;
  }

  async decide(request: HookRequest): Promise<HookVerdict> {
    const { adapter, event } = request;
    const name = HOOK_CLIENT_NAMES[adapter.client];
    if (event.mcp?.url && goesThroughAirlock(event.mcp.url, this.deps.port?.())) {
      return { kind: 'allow', reason: `the server's URL is Airlock's proxy, which decides this call` };
    }
    if (event.mcp) {
      const proxied = this.deps.proxiedServers(adapter.client);
      if ([...proxied].some((server) => mcpNameKey(server) === mcpNameKey(event.mcp!.server))) {
        return { kind: 'allow', reason: `"${event.mcp.server}" goes through Airlock's proxy, which decides this call` };
      }
    }
    const card: NonNullable<PendingCall['hook']> = {
      client: adapter.client,
      event: event.event,
      ...(event.cwd && { cwd: event.cwd }),
      ...(event.session && { session: event.session }),
    };
    let ran: Record<string, unknown> | undefined;
    let outcome: ApprovalOutcome['kind'] | undefined;
    const onResolved = (_resolution: unknown, resolved: ApprovalOutcome, pending: PendingCall) => {
      if (pending.hook === card) outcome = resolved.kind;
    };
    this.deps.queue.on('resolved', onResolved);
    const call: ToolCall = {
      server: adapter.client,
      tool: event.tool,
      arguments: event.input,
      client: { id: request.tokenName ?? adapter.client, ...(request.tokenName && { tokenName: request.tokenName }) },
      sessionId: `${adapter.client}:${event.session ?? 'no-session'}`,
      requestId: randomUUID(),
      receivedAt: Date.now(),
      era: 'legacy',
      protocolVersion: '',
      signal: request.signal,
      // The hook waits as long as the person (capped below its own timeout): no early answer.
      wantsProgress: true,
      sendProgress: async () => undefined,
      hook: { card, maxWaitMs: request.maxWaitMs, editable: adapter.canEdit },
    };
    const forward: ForwardCall = async (args) => {
      ran = args;
      return { content: [{ type: 'text', text: ALLOWED_TEXT }] } satisfies CallToolResult;
    };
    let result: CallToolResult;
    try {
      result = await this.deps.guard.onToolCall(call, forward);
    } finally {
      this.deps.queue.off('resolved', onResolved);
    }
    if (ran) {
      if (ran === event.input) return { kind: 'allow', reason: 'allowed by Airlock' };
      // The card offers no editing for such clients; should edited arguments come anyway, refuse.
      if (!adapter.canEdit) return { kind: 'deny', reason: `[Airlock] Denied: the arguments were edited, and ${name} cannot run edited arguments` };
      return { kind: 'allow', reason: 'approved in Airlock with edited arguments', updatedInput: ran };
    }
    const text = textOf(result) || '[Airlock] Denied.';
    if (outcome === 'timed_out' && request.onTimeout === 'ask' && adapter.canHandBack) {
      return { kind: 'ask', reason: `Nobody answered in Airlock in time; ${name} asks you instead. (${text})` };
    }
    return { kind: 'deny', reason: text };
  }
}

function textOf(result: CallToolResult): string {
  return result.content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}
