/** Pieces shared by both directions of forwarding: capability filters, errors, progress. */
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type ClientCapabilities,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';

/** setTimeout's ceiling; the client's own deadline governs a forwarded request, not ours. */
export const NO_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Capabilities Airlock forwards faithfully. Anything else (tasks, experimental, extensions)
 * is not advertised, so neither side relies on a feature that would break in the middle.
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

/**
 * What a session on the shared connection can be offered: no session-scoped state (log
 * level, resource subscriptions) and no notifications, which that connection receives for
 * every agent at once.
 */
export function sharedSessionCapabilities(caps: ServerCapabilities): ServerCapabilities {
  const out: ServerCapabilities = {};
  if (caps.tools) out.tools = {};
  if (caps.resources) out.resources = {};
  if (caps.prompts) out.prompts = {};
  if (caps.completions) out.completions = {};
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
export class UpstreamGoneError extends ProtocolError {
  constructor(message: string) {
    super(ProtocolErrorCode.InternalError, message);
    this.name = 'UpstreamGoneError';
  }
}

const SDK_PREFIX = /^MCP error -?\d+: /;

/**
 * Re-raises an error from one side on the other with its original code, message and data.
 * The far side going away becomes UpstreamGoneError with `context()` as its message.
 */
export function relayError(err: unknown, context: () => string): never {
  if (err instanceof ProtocolError) {
    throw new ProtocolError(err.code, err.message.replace(SDK_PREFIX, ''), err.data);
  }
  if (err instanceof SdkError) {
    if (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected || err.code === SdkErrorCode.SendFailed) {
      throw new UpstreamGoneError(context());
    }
    throw new ProtocolError(ProtocolErrorCode.InternalError, err.message, err.data);
  }
  if (err instanceof Error && err.name === 'AbortError') throw err;
  throw err instanceof Error ? err : new Error(String(err));
}

export type ProgressToken = string | number;

export function progressTokenOf(meta: unknown): ProgressToken | undefined {
  const token = (meta as { progressToken?: unknown } | undefined)?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/** `_meta` without the progress token: the upstream request gets one of Airlock's own. */
export function withoutProgressToken(meta: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!meta || !('progressToken' in meta)) return meta;
  const { progressToken: _dropped, ...rest } = meta;
  return Object.keys(rest).length ? rest : undefined;
}
