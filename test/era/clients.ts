/**
 * The three client kinds of the era matrix, each a real SDK client behind one small surface:
 *
 * - `pinned`: SDK v2 `Client` pinned to 2026-07-28 (`versionNegotiation: { mode: { pin } }`),
 *   never falls back;
 * - `auto`: SDK v2 `Client` in `auto` mode (probes with `server/discover`, falls back to
 *   `initialize`);
 * - `legacy`: SDK 1.32.2 `Client`, the 2025-11-25 `initialize` handshake.
 *
 * Over HTTP with a bearer token (Airlock's `/mcp/<server>`), or over stdio by spawning a
 * command (`airlock connect …`). Each answers a server's elicitation with the answer it was
 * given and keeps the requests it saw. Note: an `auto` client over stdio probes in a short-lived
 * sibling process spawned from the same command, so the command runs twice.
 */
import {
  Client,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type CreateMessageRequestParams,
  type CreateMessageResult,
  type ElicitRequestParams,
  type ElicitResult,
  type GetPromptResult,
  type ListPromptsResult,
  type ListResourcesResult,
  type ListToolsResult,
  type ProgressCallback,
  type ReadResourceResult,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyStreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateMessageRequestSchema, ElicitRequestSchema, type CreateMessageResult as LegacyCreateMessageResult } from '@modelcontextprotocol/sdk/types.js';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';

export type ClientKind = 'pinned' | 'auto' | 'legacy';
export const CLIENT_KINDS: readonly ClientKind[] = ['pinned', 'auto', 'legacy'];

/** What the person answers: content for an accepted form, or a refusal. */
export type ElicitAnswer = ElicitResult;
export type Elicitor = ElicitAnswer | ((request: ElicitRequestParams) => ElicitAnswer | Promise<ElicitAnswer>);

/** Stands in for the model behind a client that offers sampling. */
export type Sampler = (request: CreateMessageRequestParams) => CreateMessageResult | Promise<CreateMessageResult>;

export interface EraClientOptions {
  /** The answer to every elicitation (default: decline). */
  elicitation?: Elicitor;
  /** Declares the sampling capability and answers sampling requests with it. */
  sampling?: Sampler;
  /** The client's own timeout for connecting and for each call, in ms (the SDKs' default is 60 s). */
  requestTimeoutMs?: number;
  name?: string;
}

export interface CallOptions {
  /** Called for each progress notification; passing it makes the SDK send a progress token. */
  onprogress?: ProgressCallback;
  /** Aborting it cancels the call (modern: closes the response stream; legacy: notifications/cancelled). */
  signal?: AbortSignal;
  timeout?: number;
  resetTimeoutOnProgress?: boolean;
}

export interface EraClient {
  kind: ClientKind;
  /** The era the connection landed on. */
  era: 'modern' | 'legacy';
  /** The protocol version negotiated with the server, when the SDK reports one. */
  protocolVersion: string | undefined;
  /** Every elicitation request the server sent, in order. */
  elicitations: ElicitRequestParams[];
  listTools(): Promise<ListToolsResult>;
  callTool(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  listResources(): Promise<ListResourcesResult>;
  readResource(uri: string): Promise<ReadResourceResult>;
  listPrompts(): Promise<ListPromptsResult>;
  getPrompt(name: string, args?: Record<string, string>): Promise<GetPromptResult>;
  close(): Promise<void>;
  /** The SDK client itself, for what this surface does not cover. */
  raw: Client | LegacyClient;
}

export interface StdioCommand {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Connects a client of `kind` to an HTTP endpoint, sending `Authorization: Bearer <token>` when given. */
export function connectHttp(kind: ClientKind, url: string, token?: string, options: EraClientOptions = {}): Promise<EraClient> {
  const requestInit: RequestInit = token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } };
  if (kind === 'legacy') return connectLegacy(new LegacyStreamableHTTPClientTransport(new URL(url), { requestInit }), options);
  return connectModern(kind, new StreamableHTTPClientTransport(new URL(url), { requestInit }), options);
}

/** Spawns `command` and connects a client of `kind` to it over stdio (stderr is discarded). */
export function connectStdio(kind: ClientKind, command: StdioCommand, options: EraClientOptions = {}): Promise<EraClient> {
  const env = { ...(process.env as Record<string, string>), ...command.env };
  const params = { command: command.command, args: command.args ?? [], env, ...(command.cwd !== undefined && { cwd: command.cwd }), stderr: 'ignore' as const };
  if (kind === 'legacy') return connectLegacy(new LegacyStdioClientTransport(params), options);
  return connectModern(kind, new StdioClientTransport(params), options);
}

async function answer(elicitor: Elicitor | undefined, request: ElicitRequestParams): Promise<ElicitAnswer> {
  if (elicitor === undefined) return { action: 'decline' };
  return typeof elicitor === 'function' ? elicitor(request) : elicitor;
}

/** A refused connection must not leave a spawned process behind. */
async function connectOrClose(connect: () => Promise<void>, transport: { close(): Promise<void> }): Promise<void> {
  try {
    await connect();
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
}

async function connectModern(kind: 'pinned' | 'auto', transport: StreamableHTTPClientTransport | StdioClientTransport, options: EraClientOptions): Promise<EraClient> {
  const client = new Client(
    { name: options.name ?? `era-${kind}`, version: '1.0.0' },
    {
      versionNegotiation: { mode: kind === 'pinned' ? { pin: MODERN_VERSION } : 'auto' },
      capabilities: { elicitation: { form: {}, url: {} }, ...(options.sampling !== undefined && { sampling: {} }) },
    },
  );
  const elicitations: ElicitRequestParams[] = [];
  // One handler serves both eras: a modern server's input_required is fulfilled through it
  // and the call retried by the SDK; a legacy server's elicitation/create arrives here directly.
  client.setRequestHandler('elicitation/create', async (request) => {
    elicitations.push(request.params);
    return answer(options.elicitation, request.params);
  });
  const sampler = options.sampling;
  if (sampler !== undefined) client.setRequestHandler('sampling/createMessage', async (request) => sampler(request.params));
  await connectOrClose(() => client.connect(transport, options.requestTimeoutMs === undefined ? undefined : { timeout: options.requestTimeoutMs }), transport);
  const timeout = (o: CallOptions | undefined): CallOptions => ({ ...(options.requestTimeoutMs !== undefined && { timeout: options.requestTimeoutMs }), ...o });
  return {
    kind,
    era: client.getProtocolEra() ?? 'legacy',
    protocolVersion: client.getNegotiatedProtocolVersion(),
    elicitations,
    listTools: () => client.listTools(),
    callTool: (name, args, o) => client.callTool({ name, arguments: args ?? {} }, timeout(o)),
    listResources: () => client.listResources(),
    readResource: (uri) => client.readResource({ uri }),
    listPrompts: () => client.listPrompts(),
    getPrompt: (name, args) => client.getPrompt({ name, arguments: args ?? {} }),
    close: () => client.close(),
    raw: client,
  };
}

async function connectLegacy(transport: LegacyStreamableHTTPClientTransport | LegacyStdioClientTransport, options: EraClientOptions): Promise<EraClient> {
  const client = new LegacyClient(
    { name: options.name ?? 'era-legacy', version: '1.0.0' },
    { capabilities: { elicitation: { form: {}, url: {} }, ...(options.sampling !== undefined && { sampling: {} }) } },
  );
  const elicitations: ElicitRequestParams[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const params = request.params as ElicitRequestParams;
    elicitations.push(params);
    return (await answer(options.elicitation, params)) as { action: 'accept' | 'decline' | 'cancel' };
  });
  const sampler = options.sampling;
  if (sampler !== undefined) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => (await sampler(request.params as CreateMessageRequestParams)) as LegacyCreateMessageResult);
  }
  // SDK 1.x hands the negotiated version to the transport; catch it there (stdio has no setter).
  let protocolVersion: string | undefined;
  const tap = transport as { setProtocolVersion?: (version: string) => void };
  const original = tap.setProtocolVersion?.bind(transport);
  tap.setProtocolVersion = (version) => {
    protocolVersion = version;
    original?.(version);
  };
  await connectOrClose(() => client.connect(transport, options.requestTimeoutMs === undefined ? undefined : { timeout: options.requestTimeoutMs }), transport);
  const requestOptions = (o: CallOptions | undefined): CallOptions => ({ ...(options.requestTimeoutMs !== undefined && { timeout: options.requestTimeoutMs }), ...o });
  return {
    kind: 'legacy',
    era: 'legacy',
    get protocolVersion() {
      return protocolVersion;
    },
    elicitations,
    listTools: async () => (await client.listTools()) as ListToolsResult,
    callTool: async (name, args, o) => (await client.callTool({ name, arguments: args ?? {} }, CallToolResultSchema, requestOptions(o))) as CallToolResult,
    listResources: async () => (await client.listResources()) as ListResourcesResult,
    readResource: async (uri) => (await client.readResource({ uri })) as ReadResourceResult,
    listPrompts: async () => (await client.listPrompts()) as ListPromptsResult,
    getPrompt: async (name, args) => (await client.getPrompt({ name, arguments: args ?? {} })) as GetPromptResult,
    close: () => client.close(),
    raw: client,
  };
}
