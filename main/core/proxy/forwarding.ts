/** Pieces shared by both directions of forwarding: capability filters, errors, progress. */
import { McpError, ErrorCode, type ClientCapabilities, type ServerCapabilities, type Progress } from '@modelcontextprotocol/sdk/types.js';

/** setTimeout's ceiling; the client's own deadline governs a forwarded request, not ours. */
export const NO_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Capabilities Airlock forwards faithfully. Anything else (tasks, experimental) is not
 * advertised, so neither side relies on a feature that would break in the middle.
 */
export function forwardableServerCapabilities(caps: ServerCapabilities | undefined): ServerCapabilities {
  const out: ServerCapabilities = {};
  if (!caps) return out;
  if (caps.tools) out.tools = { ...(caps.tools.listChanged !== undefined && { listChanged: caps.tools.listChanged }) };
  if (caps.resources) {
    out.resources = {
      ...(caps.resources.subscribe !== undefined && { subscribe: caps.resources.subscribe }),
      ...(caps.resources.listChanged !== undefined && { listChanged: caps.resources.listChanged }),
    };
  }
  if (caps.prompts) out.prompts = { ...(caps.prompts.listChanged !== undefined && { listChanged: caps.prompts.listChanged }) };
  if (caps.completions) out.completions = {};
  if (caps.logging) out.logging = {};
  return out;
}

export function forwardableClientCapabilities(caps: ClientCapabilities | undefined): ClientCapabilities {
  const out: ClientCapabilities = {};
  if (!caps) return out;
  if (caps.sampling) out.sampling = caps.sampling;
  if (caps.elicitation) out.elicitation = caps.elicitation;
  if (caps.roots) out.roots = caps.roots;
  return out;
}

/** The far side went away before answering: the request was not (fully) handled. */
export class UpstreamGoneError extends Error {
  readonly code = ErrorCode.InternalError;
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamGoneError';
  }
}

const SDK_PREFIX = /^MCP error -?\d+: /;

/**
 * Re-raises an error from one side on the other with its original code, message and data.
 * McpError prefixes its message with "MCP error <code>: "; strip it so it is not doubled.
 */
export function relayError(err: unknown, context: () => string): never {
  if (err instanceof McpError) {
    if (err.code === ErrorCode.ConnectionClosed) throw new UpstreamGoneError(context());
    throw Object.assign(new Error(err.message.replace(SDK_PREFIX, '')), { code: err.code, data: err.data });
  }
  if (err instanceof Error && err.name === 'AbortError') throw err;
  throw err instanceof Error ? err : new Error(String(err));
}

export type ProgressToken = string | number;

export function progressTokenOf(params: unknown): ProgressToken | undefined {
  const meta = (params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/** Progress from the far side, re-addressed with the requester's own progress token. */
export function progressNotification(token: ProgressToken, progress: Progress) {
  return { method: 'notifications/progress' as const, params: { ...progress, progressToken: token } };
}
