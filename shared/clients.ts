/**
 * Client configs: what Airlock finds in the MCP configuration of the clients people already
 * use (Claude Desktop, Claude Code, Cursor, VS Code), and the inputs and results of
 * importing, protecting and unprotecting their servers. The control API exposes these
 * shapes; the CLI prints them. Secrets (env values, headers) never appear here.
 */
import { z } from 'zod';

export const ClientIdSchema = z.enum(['claude-desktop', 'claude-code', 'cursor', 'vscode']);
export type ClientId = z.infer<typeof ClientIdSchema>;

export const CLIENT_NAMES: Record<ClientId, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
};

/**
 * `user`: the client's own file for this user. `project`: a file inside a project or
 * workspace (often committed). `local`: Claude Code's per-project entries kept in the
 * user's ~/.claude.json under `projects.<path>.mcpServers`.
 */
export const ClientScopeSchema = z.enum(['user', 'project', 'local']);
export type ClientScope = z.infer<typeof ClientScopeSchema>;

/** How a protected entry reaches Airlock: the HTTP endpoint or the stdio bridge (`airlock connect`). */
export const ViaSchema = z.enum(['http', 'stdio']);
export type Via = z.infer<typeof ViaSchema>;

/** One server entry of a client file, summarised (no env values, no headers). */
export const ClientServerSchema = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http', 'sse']).optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  url: z.string().optional(),
  /** The entry routes through this Airlock. */
  protected: z.boolean(),
  /** When protected: the Airlock server it goes to, and how. */
  airlockServer: z.string().optional(),
  via: ViaSchema.optional(),
  /** Airlock recorded the original entry, so `unprotect` can restore it. */
  restorable: z.boolean(),
  /** Set when the entry cannot be imported or protected (not an object, no command or url...). */
  error: z.string().optional(),
});
export type ClientServer = z.infer<typeof ClientServerSchema>;

export const ClientFileStatusSchema = z.enum(['ok', 'missing', 'unreadable', 'malformed']);
export type ClientFileStatus = z.infer<typeof ClientFileStatusSchema>;

/** One place a client keeps MCP servers: a file, and the JSON path of its servers object. */
export const ClientConfigFileSchema = z.object({
  client: ClientIdSchema,
  scope: ClientScopeSchema,
  path: z.string(),
  /** The project or workspace folder, for `project` and `local` scopes. */
  project: z.string().optional(),
  /** JSON path of the servers object, e.g. ["mcpServers"] or ["servers"]. */
  location: z.array(z.string()),
  status: ClientFileStatusSchema,
  /** For `unreadable` and `malformed`: what is wrong, with line and column when known. */
  error: z.string().optional(),
  servers: z.array(ClientServerSchema),
});
export type ClientConfigFile = z.infer<typeof ClientConfigFileSchema>;

export const DiscoveredClientSchema = z.object({
  id: ClientIdSchema,
  name: z.string(),
  /** Only spawns commands: protected entries use the stdio bridge. */
  stdioOnly: z.boolean(),
  files: z.array(ClientConfigFileSchema),
});
export type DiscoveredClient = z.infer<typeof DiscoveredClientSchema>;

/** A server Airlock guards that an agent can also reach directly, through an unprotected client entry. */
export const BypassSchema = z.object({
  /** The Airlock server (config.json). */
  server: z.string(),
  client: ClientIdSchema,
  scope: ClientScopeSchema,
  path: z.string(),
  project: z.string().optional(),
  /** The entry's name in the client file. */
  entry: z.string(),
  /** What matched: the same command line, or the same URL. */
  match: z.enum(['command', 'url']),
});
export type Bypass = z.infer<typeof BypassSchema>;

/** Project or workspace folders whose project-scoped files are looked at too. */
const ProjectsSchema = z.array(z.string().min(1)).max(100);

const selection = {
  client: ClientIdSchema,
  projects: ProjectsSchema.optional(),
  /** Entry names in the client's files; all of them when absent or empty. */
  servers: z.array(z.string().min(1)).optional(),
  /** Restrict to these client files (paths as discovery reports them). */
  files: z.array(z.string().min(1)).optional(),
};

export const ImportInputSchema = z.strictObject(selection);
export type ImportInput = z.infer<typeof ImportInputSchema>;

export const ProtectInputSchema = z.strictObject({
  ...selection,
  /**
   * Force one way of reaching Airlock. By default: the HTTP endpoint for clients that
   * support it in user and local scope, the stdio bridge for Claude Desktop and for project
   * files (which are often committed, and must not carry the token).
   */
  via: ViaSchema.optional(),
});
export type ProtectInput = z.infer<typeof ProtectInputSchema>;

export const UnprotectInputSchema = z.strictObject(selection);
export type UnprotectInput = z.infer<typeof UnprotectInputSchema>;

/** What happened to one entry. */
export const ServerOutcomeSchema = z.object({
  /** Entry name in the client file. */
  name: z.string(),
  /** Airlock server name (differs from `name` when a clash was resolved by renaming). */
  server: z.string().optional(),
  status: z.enum([
    // import
    'added', // new in config.json
    'renamed', // new in config.json under another name: config.json has a different server by this name
    'reused', // config.json already has this server
    // protect
    'protected', // the entry now goes through Airlock
    // unprotect
    'restored', // the original entry is back
    // any
    'unchanged', // nothing to do (already protected, already restored, already an Airlock entry)
    'skipped', // left alone on purpose (see message)
    'error',
  ]),
  message: z.string().optional(),
});
export type ServerOutcome = z.infer<typeof ServerOutcomeSchema>;

export const FileOutcomeSchema = z.object({
  client: ClientIdSchema,
  scope: ClientScopeSchema,
  path: z.string(),
  project: z.string().optional(),
  /** `written`: the client file was rewritten; `unchanged`: it was not touched. */
  status: z.enum(['written', 'unchanged', 'error']),
  error: z.string().optional(),
  /** Copy of the file as it was before the rewrite. */
  backup: z.string().optional(),
  servers: z.array(ServerOutcomeSchema),
});
export type FileOutcome = z.infer<typeof FileOutcomeSchema>;

export const ClientsResultSchema = z.object({
  /** False when any file or any requested server failed. */
  ok: z.boolean(),
  files: z.array(FileOutcomeSchema),
  /** Requested entry names found in none of the client's files. */
  notFound: z.array(z.string()),
  /** config.json was changed (servers added); a running Airlock starts them on its next start. */
  configChanged: z.boolean(),
  /** Notes for the person (restart needed, variables Airlock does not expand, ...). */
  notes: z.array(z.string()),
});
export type ClientsResult = z.infer<typeof ClientsResultSchema>;

export const ClientsListInputSchema = z.strictObject({ projects: ProjectsSchema.optional() });
export type ClientsListInput = z.infer<typeof ClientsListInputSchema>;

export const ClientsListSchema = z.object({
  clients: z.array(DiscoveredClientSchema),
  /** Guarded servers an agent can reach around Airlock. */
  bypasses: z.array(BypassSchema),
  /** Set when bypasses could not be checked (config.json unreadable). */
  bypassError: z.string().optional(),
});
export type ClientsList = z.infer<typeof ClientsListSchema>;

/**
 * The control-API methods for a Clients view, in the shape of `methods` in
 * shared/api/contract.ts (name → input and output schema), ready to be merged into it.
 */
export const clientsMethods = {
  'clients.list': { input: ClientsListInputSchema.optional(), output: ClientsListSchema },
  'clients.import': { input: ImportInputSchema, output: ClientsResultSchema },
  'clients.protect': { input: ProtectInputSchema, output: ClientsResultSchema },
  'clients.unprotect': { input: UnprotectInputSchema, output: ClientsResultSchema },
} as const;
