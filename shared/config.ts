/**
 * config.json: the upstream MCP servers (Claude Desktop's `mcpServers` format) and
 * Airlock's own settings. Parsed at the edge with these schemas; everything inside the
 * core works with the parsed types only.
 */
import { z } from 'zod';

/** Server names become URL path segments (/mcp/<name>) and file names (logs/<name>.log). */
export const ServerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, ".", "_" or "-" (at most 64 characters)');

/** The MCP revisions Airlock speaks, newest first: 2026-07-28 opens the "modern" era. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';

/**
 * Which protocol revision to speak to a server: `auto` probes with `server/discover` and
 * falls back to `initialize` (the verdict is cached per server); a version pins that era.
 */
export const UpstreamProtocolSchema = z.enum(['auto', MODERN_PROTOCOL_VERSION, LEGACY_PROTOCOL_VERSION]);

/** legacy: 2024-10-07 … 2025-11-25 (initialize, sessions); modern: 2026-07-28 and later. */
export type ProtocolEra = 'legacy' | 'modern';

/**
 * What a 2025-era session gets upstream: `own` (default) a connection of its own (for stdio,
 * its own process), so the server keeps its state per agent; `shared` the connection every
 * session and modern request shares, for servers that keep no per-connection state an agent
 * relies on (log level, subscriptions, switches): one process however many agents.
 */
export const SessionConnectionsSchema = z.enum(['own', 'shared']);

const common = {
  /** Kept in the file but not started. */
  disabled: z.boolean().optional(),
  description: z.string().optional(),
  protocol: UpstreamProtocolSchema.optional(),
  sessions: SessionConnectionsSchema.optional(),
};

export const StdioServerSchema = z.strictObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  ...common,
});

/**
 * Sign-in to a remote server (the MCP authorization flow, OAuth 2.1). `{}` means: discover
 * the authorization server from the server's 401, register dynamically. `clientId` (and
 * for a confidential client `clientSecret`) names a client registered beforehand; a
 * `clientSecret` written here is moved into Airlock's secret store at the next start and
 * removed from config.json. `clientMetadataUrl` is a Client ID Metadata Document used where
 * the authorization server supports it. `resource` overrides the resource indicator.
 */
export const OAuthConfigSchema = z.strictObject({
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  resource: z.url().optional(),
  clientMetadataUrl: z.url({ protocol: /^https$/ }).optional(),
});

export const RemoteServerSchema = z.strictObject({
  // Claude Code and Cursor write `type`; Airlock's own docs use `transport`. Both are accepted.
  type: z.enum(['http', 'streamable-http', 'sse']).optional(),
  transport: z.enum(['http', 'sse']).optional(),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  oauth: OAuthConfigSchema.optional(),
  ...common,
});

export const ServerConfigSchema = z.union([StdioServerSchema, RemoteServerSchema]);

export const SettingsSchema = z.strictObject({
  /** Port of the local endpoint; 0 picks any free port (written to runtime.json). */
  port: z.number().int().min(0).max(65535).default(7323),
  /** Largest accepted MCP request body, in bytes (images travel as base64). */
  maxBodyBytes: z.number().int().positive().default(32 * 1024 * 1024),
  /** Seconds an approval waits when the rule does not say. */
  approvalTimeout: z.number().positive().default(120),
  /**
   * Many clients give up on a call after about 60 s without progress. A client that sent
   * no progress token gets an "approval pending, retry" answer after this many seconds
   * (0 = never); the approval stays open and the identical retry passes once approved.
   */
  earlyAnswerSeconds: z.number().min(0).default(45),
  /** How long an approval given after an early answer waits for the agent's retry. */
  retryGraceSeconds: z.number().positive().default(600),
  /**
   * A 2025-era session nobody used for this many minutes (fractions allowed) is ended with its
   * upstream process; a session with a call in flight or waiting for a person is not idle.
   */
  sessionIdleMinutes: z.number().positive().default(30),
  /** Seconds between progress heartbeats to a waiting client that sent a progress token. */
  heartbeatSeconds: z.number().positive().default(2.5),
  /** With no UI connected, ask in the agent's own client (elicitation/create) when it supports it. */
  elicitationFallback: z.boolean().default(false),
  /** Record calls in history.db. Off: nothing about calls is kept; policy, limits and approvals work the same. */
  history: z.boolean().default(true),
  /** History retention; entries beyond either bound are removed (daily and at start). */
  historyMaxAgeDays: z.number().positive().optional(),
  historyMaxEntries: z.number().int().positive().optional(),
  /**
   * When a person edits a call's arguments before approving, the result the agent gets
   * starts with a text naming the arguments that were changed. Off: the result alone.
   */
  editNotice: z.boolean().default(true),
  /** Extra argument keys to redact in history, besides token/secret/password/api_key/... */
  redactKeys: z.array(z.string()).default([]),
});

export const ConfigSchema = z.looseObject({
  mcpServers: z.record(ServerNameSchema, ServerConfigSchema).default({}),
  airlock: SettingsSchema.default(SettingsSchema.parse({})),
});

export type StdioServerConfig = z.infer<typeof StdioServerSchema>;
export type OAuthConfig = z.infer<typeof OAuthConfigSchema>;
export type RemoteServerConfig = z.infer<typeof RemoteServerSchema>;
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type Settings = z.infer<typeof SettingsSchema>;
export type Config = z.infer<typeof ConfigSchema>;

export function isStdioServer(config: ServerConfig): config is StdioServerConfig {
  return 'command' in config;
}

/** Which client transport a remote entry asks for; Streamable HTTP unless it says SSE. */
export function remoteTransport(config: RemoteServerConfig): 'http' | 'sse' {
  return config.transport === 'sse' || config.type === 'sse' ? 'sse' : 'http';
}

export type UpstreamState = 'starting' | 'ready' | 'failed' | 'stopped';
