/**
 * One tools/call as the guard sees it, built once when the call arrives: what is called,
 * with what, by whom (the token's caller; clientInfo only for display), in which session
 * and era. The policy input, the history entry and the approval card are projections of it,
 * each written here once, so no two places can disagree about what a call is.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { PendingCall } from '../../../shared/api/contract.ts';
import type { ProtocolEra } from '../../../shared/config.ts';
import type { ClientInfo, HistoryEntry } from '../../../shared/history.ts';
import type { PolicyCall, ToolAnnotationsLike } from '../policy/index.ts';
import type { ToolCall } from '../proxy/tool-call.ts';
import { hashJson } from '../store/canonical-json.ts';
import type { BeginInput } from '../store/history-store.ts';

export interface CallContext {
  readonly server: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  /** hashJson of the arguments (computed on first use: most calls never need it). */
  readonly argsDigest: string;
  /** The caller identity: the token's name (ClientIdentity.id). */
  readonly caller: string;
  /** What the client calls itself; shown beside the caller, never used to decide. */
  readonly clientInfo?: ClientInfo;
  readonly sessionId: string;
  readonly era: ProtocolEra;
  readonly protocolVersion: string;
  /** The tool as the server listed it (absent when it was never listed). */
  readonly toolDefinition?: Tool;
  readonly annotations?: ToolAnnotationsLike;
  readonly receivedAt: number;
}

type ContextFields = Omit<CallContext, 'argsDigest'>;

// A class, not a frozen literal with a defined getter: that took microseconds per call. The
// digest getter lives on the prototype, so copying a context (`{ ...context }`) does not hash.
class Context implements CallContext {
  readonly server: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly caller: string;
  readonly clientInfo?: ClientInfo;
  readonly sessionId: string;
  readonly era: ProtocolEra;
  readonly protocolVersion: string;
  readonly toolDefinition?: Tool;
  readonly annotations?: ToolAnnotationsLike;
  readonly receivedAt: number;
  #digest: string | undefined;

  constructor(fields: ContextFields) {
    this.server = fields.server;
    this.tool = fields.tool;
    this.arguments = fields.arguments;
    this.caller = fields.caller;
    if (fields.clientInfo) this.clientInfo = fields.clientInfo;
    this.sessionId = fields.sessionId;
    this.era = fields.era;
    this.protocolVersion = fields.protocolVersion;
    if (fields.toolDefinition) this.toolDefinition = fields.toolDefinition;
    if (fields.annotations) this.annotations = fields.annotations;
    this.receivedAt = fields.receivedAt;
  }

  get argsDigest(): string {
    return (this.#digest ??= hashJson(this.arguments));
  }
}

/** The context of an arriving call; `tool` is the catalog's definition of the called tool. */
export function callContext(call: ToolCall, tool: Tool | undefined): CallContext {
  const info = call.client.info;
  return new Context({
    server: call.server,
    tool: call.tool,
    arguments: call.arguments,
    caller: call.client.id,
    ...(info && { clientInfo: { name: info.name, version: info.version } }),
    sessionId: call.sessionId,
    era: call.era,
    protocolVersion: call.protocolVersion,
    ...(tool && { toolDefinition: tool }),
    ...(tool?.annotations && { annotations: tool.annotations }),
    receivedAt: call.receivedAt,
  });
}

/** The same call with the arguments a person edited (a new digest). */
export function withArguments(context: CallContext, args: Record<string, unknown>): CallContext {
  return new Context({ ...context, arguments: args });
}

/** What the policy engine reads. */
export function policyInput(context: CallContext): PolicyCall {
  return {
    server: context.server,
    tool: context.tool,
    args: context.arguments,
    client: context.caller,
    sessionId: context.sessionId,
    annotations: context.annotations,
  };
}

/** The history entry written on arrival. */
export function historyArrival(context: CallContext): BeginInput {
  return {
    receivedAt: context.receivedAt,
    server: context.server,
    tool: context.tool,
    client: context.caller,
    ...(context.clientInfo && { clientInfo: context.clientInfo }),
    sessionId: context.sessionId,
    protocolVersion: context.protocolVersion,
    arguments: context.arguments,
  };
}

/** The approval card of a call waiting for a person. */
export function pendingCard(
  context: CallContext,
  card: Pick<PendingCall, 'id' | 'historyId' | 'rule' | 'reason' | 'createdAt' | 'expiresAt'>,
): PendingCall {
  const tool = context.toolDefinition;
  return {
    id: card.id,
    historyId: card.historyId,
    server: context.server,
    tool: context.tool,
    ...(tool && {
      toolDefinition: {
        name: tool.name,
        ...(tool.title && { title: tool.title }),
        ...(tool.description && { description: tool.description }),
        inputSchema: tool.inputSchema as Record<string, unknown>,
        ...(tool.annotations && { annotations: tool.annotations }),
      },
    }),
    arguments: context.arguments,
    client: { id: context.caller, ...(context.clientInfo && { name: context.clientInfo.name, version: context.clientInfo.version }) },
    sessionId: context.sessionId,
    rule: card.rule,
    reason: card.reason,
    createdAt: card.createdAt,
    expiresAt: card.expiresAt,
  };
}

/** The policy input of a card still waiting (the policy changed: decide it again). */
export function policyInputOfCard(pending: PendingCall): PolicyCall {
  return {
    server: pending.server,
    tool: pending.tool,
    args: pending.arguments,
    client: pending.client.id,
    sessionId: pending.sessionId,
    annotations: pending.toolDefinition?.annotations,
  };
}

/** The policy input of a recorded call (a draft policy replayed against history). */
export function policyInputOfEntry(entry: HistoryEntry, annotations: ToolAnnotationsLike | undefined): PolicyCall {
  return { server: entry.server, tool: entry.tool, args: entry.arguments, client: entry.client, sessionId: entry.sessionId, annotations };
}
