/**
 * The control API: the one contract between the core and every UI or script. The HTTP
 * adapter (`/api/...`), the Electron IPC adapter and the renderer's bridges all derive
 * from this table, and every input is parsed with these schemas at the edge, once.
 */
import { z } from 'zod';
import { clientsMethods } from '../clients.ts';
import { HistoryEntrySchema, HistoryIdSchema, HistoryPageSchema, HistoryQuerySchema } from '../history.ts';

// ---------------------------------------------------------------------------------------
// Shared shapes

export const JsonObjectSchema = z.record(z.string(), z.unknown());

export const ToolAnnotationsSchema = z.looseObject({
  title: z.string().optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});
export type ToolAnnotations = z.infer<typeof ToolAnnotationsSchema>;

/** A tool as an upstream server describes it (MCP `Tool`, the fields Airlock uses). */
export const ToolDefinitionSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: JsonObjectSchema.optional(),
  annotations: ToolAnnotationsSchema.optional(),
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

export const ClientRefSchema = z.object({
  /** The identity policy and history use. */
  id: z.string(),
  name: z.string().optional(),
  version: z.string().optional(),
});
export type ClientRef = z.infer<typeof ClientRefSchema>;

/**
 * What a decision is remembered for (see shared/remember-scope.ts for the words):
 * once: this call only; session: this caller's session; always: this caller and tool;
 * always_arguments: this caller, tool and these exact arguments; always_everyone: this
 * tool for every caller. `always` meant the same before the others existed.
 */
export const RememberSchema = z.enum(['once', 'session', 'always', 'always_arguments', 'always_everyone']);
export type Remember = z.infer<typeof RememberSchema>;

/** A call waiting for a person. */
export const PendingCallSchema = z.object({
  id: z.string(),
  /** The history entry of this call ('' for a resource read or a prompt: history records tool calls). */
  historyId: z.string(),
  /** What waits: a tool call (when absent), a resource read or a prompt. */
  kind: z.enum(['tool', 'resource', 'prompt']).optional(),
  server: z.string(),
  /** The tool's name; for a resource, its URI; for a prompt, its name. */
  tool: z.string(),
  toolDefinition: ToolDefinitionSchema.optional(),
  arguments: JsonObjectSchema,
  client: ClientRefSchema,
  sessionId: z.string(),
  /** JSON pointer of the policy rule that asked, and its reason. */
  rule: z.string(),
  reason: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
  /**
   * When the agent was answered "approval pending, retry" (it got no progress heartbeats):
   * the call has not run, and an approval now lets its identical retry through once.
   */
  answeredEarlyAt: z.number().optional(),
  /**
   * Asked through a client's pre-tool hook (not through the proxy): which client, and its
   * context for the card (the session's working folder, the client's session id).
   */
  hook: z
    .object({
      client: z.string(),
      event: z.string().optional(),
      cwd: z.string().optional(),
      session: z.string().optional(),
    })
    .optional(),
  /** false: the caller cannot take edited arguments (a hook client without updatedInput), so the card offers no editing. */
  editable: z.boolean().optional(),
});
export type PendingCall = z.infer<typeof PendingCallSchema>;

/** A call that timed out while nobody answered it (kept in memory, newest first). */
export const MissedCallSchema = z.object({
  /** The pending call's id. */
  id: z.string(),
  historyId: z.string(),
  server: z.string(),
  tool: z.string(),
  toolTitle: z.string().optional(),
  arguments: JsonObjectSchema,
  client: ClientRefSchema,
  createdAt: z.number(),
  expiredAt: z.number(),
  answeredEarly: z.boolean(),
  /** Set once a person let the next identical retry through: until then it passes once. */
  retryAllowedUntil: z.number().optional(),
});
export type MissedCall = z.infer<typeof MissedCallSchema>;

export const DecisionInputSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  remember: RememberSchema.optional(),
  /** For a denial: told to the agent. For an approval: kept in history. */
  message: z.string().max(2000).optional(),
  /** Approve with these arguments instead (validated against the tool's inputSchema). */
  arguments: JsonObjectSchema.optional(),
});
export type DecisionInput = z.infer<typeof DecisionInputSchema>;

export const PendingResolutionSchema = z.object({
  id: z.string(),
  outcome: z.enum(['approved', 'denied', 'timed_out', 'cancelled']),
  by: z.enum(['user', 'timeout', 'client', 'grant', 'policy']),
});
export type PendingResolution = z.infer<typeof PendingResolutionSchema>;

export const ServerStateSchema = z.enum(['starting', 'ready', 'failed', 'stopped']);

export const PinStateSchema = z.enum(['pinned', 'changed']);

export const ServerToolSchema = ToolDefinitionSchema.extend({
  /** `changed`: the server now describes this tool differently; calls are refused until accepted. */
  pin: PinStateSchema.optional(),
});

export const SignInStateSchema = z.enum(['needs_sign_in', 'signing_in', 'ready', 'sign_in_failed']);

export const SignInStatusSchema = z.object({
  state: SignInStateSchema,
  /** The authorization server's issuer, once discovered. */
  issuer: z.string().optional(),
  /** The scopes the server asked for (its WWW-Authenticate challenge) or that were granted. */
  scopes: z.array(z.string()).optional(),
  /** Why sign-in is needed, in words (e.g. "the server answered 401 to tools/list"). */
  reason: z.string().optional(),
  /** `sign_in_failed`: the authorization server's error text. */
  error: z.string().optional(),
  /** Where secrets are kept (`keyring`, `safe-storage`, `file`, `memory`) and any warning about it. */
  secrets: z.object({ kind: z.enum(['keyring', 'safe-storage', 'file', 'memory']), warning: z.string().optional() }).optional(),
});
export type SignInStatus = z.infer<typeof SignInStatusSchema>;

export const ServerStatusSchema = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http', 'sse']),
  state: ServerStateSchema,
  error: z.string().optional(),
  since: z.number(),
  restarts: z.number(),
  serverInfo: z.looseObject({ name: z.string(), version: z.string() }).optional(),
  /** The protocol era and revision Airlock negotiated with the server. */
  era: z.enum(['legacy', 'modern']).optional(),
  protocolVersion: z.string().optional(),
  /** Present for servers that use OAuth sign-in (remote servers with `oauth` or a 401 challenge). */
  signIn: SignInStatusSchema.optional(),
  tools: z.array(ServerToolSchema),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

export const ToolChangeSchema = z.object({
  server: z.string(),
  tool: z.string(),
  pinned: ToolDefinitionSchema,
  current: ToolDefinitionSchema,
});
export type ToolChange = z.infer<typeof ToolChangeSchema>;

/** A problem in a policy text, located by JSON pointer and (when known) line and column. */
export const PolicyProblemSchema = z.object({
  path: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  message: z.string(),
});
export type PolicyProblem = z.infer<typeof PolicyProblemSchema>;

export const PolicyStateSchema = z.object({
  /** The text of policy.json (or of the built-in default when there is none). */
  text: z.string(),
  source: z.enum(['file', 'default']),
  path: z.string(),
  /** Hash of the policy in force. */
  version: z.string(),
  /** Set when policy.json is invalid: the last good policy stays in force. */
  problems: z.array(PolicyProblemSchema),
});
export type PolicyState = z.infer<typeof PolicyStateSchema>;

export const GrantSchema = z.object({
  id: z.string(),
  server: z.string(),
  tool: z.string(),
  effect: z.enum(['allow', 'deny']),
  scope: z.enum(['session', 'always']),
  /** Only this caller; absent: every caller. */
  client: z.string().optional(),
  /** Only calls with these exact arguments (sha256 of their canonical JSON). */
  argsHash: z.string().optional(),
  /** The session a session grant belongs to. */
  sessionId: z.string().optional(),
  policyVersion: z.string(),
  createdAt: z.number(),
});
export type Grant = z.infer<typeof GrantSchema>;

export const SimulationChangeSchema = z.object({
  historyId: z.string(),
  server: z.string(),
  tool: z.string(),
  receivedAt: z.number(),
  before: z.string(),
  after: z.string(),
  rule: z.string(),
});

export const StatusSchema = z.object({
  version: z.string(),
  home: z.string(),
  url: z.string(),
  pid: z.number(),
  /** True while everything that would ask is denied at once (the tray's "pause all"). */
  paused: z.boolean(),
});
export type Status = z.infer<typeof StatusSchema>;

/** What a person needs to point an agent at this Airlock (the Connect view). No token: see `connect.token`. */
export const ConnectInfoSchema = z.object({
  /** Where agents reach this Airlock now: `http://127.0.0.1:<port>`; `/mcp/<server>` follows. */
  url: z.string(),
  port: z.number(),
  /** config.json `airlock.port` (0: any free port). Entries written with another port break at the next start. */
  configuredPort: z.number(),
  home: z.string(),
  /** How a client spawns this Airlock's stdio bridge: the program and the arguments before `connect <server>`. */
  bridge: z.object({ command: z.string(), args: z.array(z.string()) }),
});
export type ConnectInfo = z.infer<typeof ConnectInfoSchema>;

// ---------------------------------------------------------------------------------------
// Methods: name → input and output schema.

const none = z.strictObject({}).optional();
const ok = z.object({ ok: z.literal(true) });

export const methods = {
  'status.get': { input: none, output: StatusSchema },
  'pending.list': { input: none, output: z.array(PendingCallSchema) },
  'pending.decide': { input: DecisionInputSchema.extend({ id: z.string().min(1) }), output: PendingResolutionSchema },
  'history.query': { input: HistoryQuerySchema, output: HistoryPageSchema },
  'history.get': { input: z.strictObject({ id: HistoryIdSchema }), output: HistoryEntrySchema },
  'policy.get': { input: none, output: PolicyStateSchema },
  'policy.put': { input: z.strictObject({ text: z.string().max(1_000_000) }), output: PolicyStateSchema },
  'policy.validate': {
    input: z.strictObject({ text: z.string().max(1_000_000) }),
    output: z.object({ ok: z.boolean(), problems: z.array(PolicyProblemSchema), summary: z.string().optional() }),
  },
  'policy.simulate': {
    input: z.strictObject({ text: z.string().max(1_000_000), limit: z.number().int().min(1).max(10_000).default(500) }),
    output: z.object({
      checked: z.number(),
      changes: z.array(SimulationChangeSchema),
      problems: z.array(PolicyProblemSchema),
      /**
       * JSON pointers of the limits lists the draft adds, removes or changes. Limits are not
       * replayed (the counters each past call met are not known); the review says so.
       */
      limitChanges: z.array(z.string()).default([]),
    }),
  },
  'servers.list': { input: none, output: z.array(ServerStatusSchema) },
  /** Starts sign-in to a server: the URL a person opens in a browser; the redirect comes back to /oauth/callback. */
  'servers.login': { input: z.strictObject({ server: z.string().min(1) }), output: z.object({ authorizationUrl: z.string() }) },
  /** Forgets the server's tokens (revoking them where the server offers it). */
  'servers.logout': { input: z.strictObject({ server: z.string().min(1) }), output: ok },
  'tools.changes': { input: none, output: z.array(ToolChangeSchema) },
  'tools.accept': { input: z.strictObject({ server: z.string(), tool: z.string() }), output: ok },
  'grants.list': { input: none, output: z.array(GrantSchema) },
  'grants.revoke': { input: z.strictObject({ id: z.string() }), output: ok },
  'approvals.pause': { input: z.strictObject({ paused: z.boolean() }), output: StatusSchema },
  'connect.info': { input: none, output: ConnectInfoSchema },
  /** The MCP token agents send; asked for only when a person reveals or copies it. */
  'connect.token': { input: none, output: z.object({ token: z.string() }) },
  'missed.list': { input: none, output: z.array(MissedCallSchema) },
  /** The next identical call (same client, server, tool, arguments) passes once, without asking. */
  'missed.allowRetry': { input: z.strictObject({ id: z.string().min(1) }), output: MissedCallSchema },
  ...clientsMethods,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

// ---------------------------------------------------------------------------------------
// Events the core pushes to every connected UI.

export const EventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pending.added'), pending: PendingCallSchema }),
  z.object({ type: z.literal('pending.resolved'), resolution: PendingResolutionSchema }),
  /** A waiting call changed (e.g. the agent was answered early); same id, new fields. */
  z.object({ type: z.literal('pending.updated'), pending: PendingCallSchema }),
  z.object({ type: z.literal('missed.changed') }),
  z.object({ type: z.literal('history.changed'), id: z.string().optional() }),
  z.object({ type: z.literal('servers.changed'), server: ServerStatusSchema }),
  z.object({ type: z.literal('policy.changed'), policy: PolicyStateSchema }),
  z.object({ type: z.literal('status.changed'), status: StatusSchema }),
]);
export type AirlockEvent = z.infer<typeof EventSchema>;

/** What the renderer sees: the same API whether it runs in Electron (IPC) or a browser (HTTP). */
export interface AirlockBridge {
  call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Receives every event; returns an unsubscribe function. */
  subscribe(listener: (event: AirlockEvent) => void): () => void;
  /**
   * Saves a history export (`filter`: the query parameters of /api/history/export): a save
   * dialog in the desktop app, a file download in a browser. A plain link cannot do it, as
   * the HTTP API wants the token in a header. Resolves when saved or cancelled.
   */
  download?(format: 'jsonl' | 'csv', filter?: Record<string, string>): Promise<void>;
  /**
   * Starts sign-in to a server (`servers.login`) and opens its authorization page in the
   * system browser: the desktop app. Without it the UI shows the page as a link to open in a
   * new tab (a browser blocks a tab a page opens after waiting for a request).
   */
  openSignIn?(server: string): Promise<MethodOutput<'servers.login'>>;
}

/** Errors returned by the API: a stable code and a readable message. */
export const ApiErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  problems: z.array(PolicyProblemSchema).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
