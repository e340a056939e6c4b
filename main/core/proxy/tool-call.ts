/**
 * The interception points: every tools/call of every session passes through one hook, and
 * every resources/read and prompts/get through the access hooks when they are set.
 */
import type { CallToolResult, ElicitRequestFormParams, ElicitResult, Implementation, Result, Tool } from '@modelcontextprotocol/server';
import type { ProtocolEra } from '../../../shared/config.ts';
import type { PendingCall } from '../../../shared/api/contract.ts';

/**
 * The caller of every request made with the shared MCP token (`mcpToken` in auth.json):
 * all of them are one caller, whatever they call themselves. A client with a named token
 * (`clients` in auth.json) is the caller of that name.
 */
export const DEFAULT_CALLER = 'airlock-mcp-token';

export interface ClientIdentity {
  /**
   * The caller identity policy, limits, grants and history use: the token's name, or
   * DEFAULT_CALLER for the shared MCP token. Never taken from what the client declares.
   */
  id: string;
  /** What the client declares (`clientInfo`): shown beside the caller, never trusted for policy. */
  info?: Implementation;
  /** Set when the client authenticated with a named client token. */
  tokenName?: string;
}

/** The caller a token stands for (its name; the shared MCP token's one caller otherwise). */
export function callerOf(tokenName: string | undefined, info?: Implementation): ClientIdentity {
  return { id: tokenName ?? DEFAULT_CALLER, ...(info && { info }), ...(tokenName !== undefined && { tokenName }) };
}

export interface ToolCall {
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  client: ClientIdentity;
  sessionId: string;
  requestId: string | number;
  receivedAt: number;
  /** The protocol era and revision the agent speaks to Airlock. */
  era: ProtocolEra;
  protocolVersion: string;
  /** Aborted when the client cancels, disconnects or the session ends. */
  signal: AbortSignal;
  /** Whether the client asked for progress (it sent a progressToken). */
  wantsProgress: boolean;
  /** Sends a progress notification with the client's own token (no-op without one). */
  sendProgress(progress: number, total?: number, message?: string): Promise<void>;
  /** Asks the person in the agent's own client; present only if the client supports elicitation. */
  elicit?: (message: string, requestedSchema: ElicitRequestFormParams['requestedSchema']) => Promise<ElicitResult>;
  /**
   * Present for modern calls: the call tells its endpoint while it waits for a person, and
   * the endpoint answers a long wait with `input_required` (Airlock's signed requestState)
   * that the client's retry re-attaches to, instead of the legacy "approval pending" text.
   */
  waitingForPerson?: (waiting: boolean) => void;
  /**
   * Set when the forward function calls its `sending` callback at the moment the request
   * goes upstream (a modern call first waits for its agent to re-attach). Without it the
   * call counts as sent when the forward function is called.
   */
  reportsSend?: boolean;
  /** Set for a call asked through a client's pre-tool hook (main/core/hooks/): nothing is forwarded upstream. */
  hook?: HookCallContext;
}

export interface HookCallContext {
  /** Shown on the card (PendingCall.hook); the same object, so the hook desk can recognise its card. */
  card: NonNullable<PendingCall['hook']>;
  /** The client's hook gives up after its timeout: a person's wait ends before it. */
  maxWaitMs: number;
  /** Whether the client takes edited arguments (updatedInput). */
  editable: boolean;
}

/**
 * Calls the upstream tool with the given arguments (the original ones unless edited);
 * `sending` is called right before the request goes upstream (see ToolCall.reportsSend).
 */
export type ForwardCall = (args: Record<string, unknown>, sending?: () => void) => Promise<CallToolResult>;

/** A resources/read or prompts/get request, as the access hooks see it. */
export interface AccessRequest {
  kind: 'resource' | 'prompt';
  server: string;
  /** The resource URI or the prompt name. */
  target: string;
  /** A prompt's arguments (a resource read has none). */
  arguments: Record<string, string>;
  client: ClientIdentity;
  sessionId: string;
  receivedAt: number;
  /** Aborted when the client cancels, disconnects or the session ends. */
  signal: AbortSignal;
}

/** Sends the request upstream unchanged. */
export type ForwardAccess = () => Promise<Result>;

export interface ProxyHooks {
  onToolCall(call: ToolCall, forward: ForwardCall): Promise<CallToolResult>;
  /** Decides a resources/read; without it every read is forwarded. */
  onResourceRead?(request: AccessRequest, forward: ForwardAccess): Promise<Result>;
  /** Decides a prompts/get; without it every prompt is forwarded. */
  onPromptGet?(request: AccessRequest, forward: ForwardAccess): Promise<Result>;
  /** Filters a tools/list result before it reaches the client (hidden, always-denied tools). */
  filterTools(server: string, tools: Tool[], client: ClientIdentity): Tool[];
  /** A downstream session opened or closed. */
  onSession?(event: 'open' | 'close', server: string, sessionId: string, client: ClientIdentity): void;
}

/** The hooks of an Airlock that lets everything through (used before a policy is wired). */
export const passThroughHooks: ProxyHooks = {
  onToolCall: (call, forward) => forward(call.arguments),
  filterTools: (_server, tools) => tools,
};
