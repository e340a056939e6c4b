/**
 * One upstream MCP server from config.json.
 *
 * The era (2025-11-25 "legacy" or 2026-07-28 "modern") is negotiated once per server by
 * the "catalog" connection (`protocol: auto` probes with server/discover and falls back to
 * initialize) and the verdict is handed to every later connection as the SDK's `prior`, so
 * they connect without probing. The verdict is dropped when the server crashes or
 * restarts: the next catalog connection probes again.
 *
 * Connections:
 * - the catalog connection stays open while Airlock runs: status, the tool list (for the
 *   UI, pinning and policy) without any agent connected; restarted with backoff;
 * - each legacy downstream session gets its own connection (for stdio: its own process),
 *   declaring that client's capabilities, so server→client requests reach the right client;
 * - modern downstream requests have no session: they share connections from the pool
 *   (see upstream-pool.ts).
 */
import { EventEmitter } from 'node:events';
import type { WriteStream } from 'node:fs';
import {
  Client,
  type ClientCapabilities,
  type Implementation,
  type PriorDiscovery,
  type Progress,
  type ServerCapabilities,
  type Tool,
  type VersionNegotiationOptions,
} from '@modelcontextprotocol/client';
import {
  isStdioServer,
  LEGACY_PROTOCOL_VERSION,
  MODERN_PROTOCOL_VERSION,
  remoteTransport,
  type ProtocolEra,
  type ServerConfig,
  type UpstreamState,
} from '../../../shared/config.ts';
import type { SelfCommand } from './command-resolver.ts';
import { createUpstreamTransport, openServerLog, type TransportHandle } from './upstream-transport.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { isSignInError, SignInRequiredError } from './oauth/sign-in-errors.ts';
import type { SignIn } from './oauth/sign-in.ts';
import type { SignInStatus } from '../../../shared/api/contract.ts';

export interface UpstreamStatus {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  state: UpstreamState;
  error?: string;
  since: number;
  restarts: number;
  serverInfo?: Implementation;
  /** The era and revision the catalog connection negotiated (absent until it connected). */
  era?: ProtocolEra;
  protocolVersion?: string;
  /** Remote servers that use OAuth sign-in. */
  signIn?: SignInStatus;
  tools: Tool[];
}

export interface UpstreamEvents {
  status: [UpstreamStatus];
  tools: [Tool[]];
  /** A list the server publishes changed (seen on the catalog connection). */
  listChanged: ['tools' | 'prompts' | 'resources'];
}

export interface UpstreamOptions {
  self: SelfCommand;
  logDir: string;
  version: string;
  /** Milliseconds before the first restart; doubles per failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
  /** A remote server's sign-in (OAuth): its tokens authenticate every connection. */
  signIn?: SignIn;
}

/** A live connection to the upstream plus how to end it. */
export interface UpstreamConnection {
  client: Client;
  era: ProtocolEra;
  pid: number | undefined;
  close(): Promise<void>;
  /** Why the connection ended, when it ended on its own. */
  readonly closedReason: string | undefined;
  onUnexpectedClose?: (reason: string) => void;
  /**
   * A progress token of Airlock's own for one upstream request, routed to `onProgress`.
   * The SDK dispatches notifications a microtask after a response read in the same chunk
   * and drops progress whose request has ended, so the last progress of a call would be
   * lost; these routes live until `done()` and one tick after, which lets it arrive.
   */
  progressRoute(onProgress: (progress: Progress) => void): { token: string; done(): void };
}

/** What a downstream endpoint needs to know to present the upstream as its own. */
export interface UpstreamProfile {
  era: ProtocolEra;
  protocolVersion: string;
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions?: string;
}

const STABLE_AFTER_MS = 60_000;

export class Upstream extends EventEmitter<UpstreamEvents> {
  readonly name: string;
  readonly config: ServerConfig;
  /** Shared connections for modern downstream traffic. */
  readonly pool: UpstreamPool;
  private readonly options: UpstreamOptions;
  private readonly log: WriteStream;
  private readonly live = new Set<UpstreamConnection>();
  /** Connections being closed: a stdio server that ignores the end of its stdin takes seconds. */
  private readonly closing = new Set<Promise<void>>();
  private catalog: UpstreamConnection | undefined;
  private verdict: PriorDiscovery | undefined;
  /** Whether a modern server also accepts a 2025 initialize (undefined: not tried yet). */
  private acceptsLegacy: boolean | undefined;
  private profileValue: UpstreamProfile | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readyAt = 0;
  private stopped = false;
  private statusValue: UpstreamStatus;
  /** Bumped by reconnect(): a catalog connection still opening for an older one is dropped. */
  private catalogGeneration = 0;

  constructor(name: string, config: ServerConfig, options: UpstreamOptions) {
    super();
    this.name = name;
    this.config = config;
    this.options = options;
    this.log = openServerLog(options.logDir, name);
    this.pool = new UpstreamPool(this);
    this.statusValue = {
      name,
      transport: isStdioServer(config) ? 'stdio' : remoteTransport(config),
      state: 'stopped',
      since: Date.now(),
      restarts: 0,
      tools: [],
    };
    const signIn = options.signIn;
    if (signIn) {
      signIn.on('changed', (signInStatus) => this.setStatus({ signIn: signInStatus }));
      signIn.on('signedIn', () => this.reconnect());
      signIn.on('signedOut', () => this.reconnect());
    }
  }

  /** Whether agents' requests are answered by Airlock alone: sign-in is needed and there is no token. */
  get needsSignIn(): boolean {
    return this.options.signIn?.blocking === true;
  }

  /** Drops every connection and connects afresh (after signing in or out). */
  reconnect(): void {
    if (this.stopped) return;
    this.catalogGeneration++;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.failures = 0;
    this.verdict = undefined;
    this.profileValue = undefined;
    this.pool.clear();
    const old = this.catalog;
    this.catalog = undefined;
    void old?.close();
    void this.startCatalog();
  }

  get status(): UpstreamStatus {
    return this.statusValue;
  }

  /** The negotiated era, capabilities and identity; undefined until the catalog connected. */
  get profile(): UpstreamProfile | undefined {
    return this.profileValue;
  }

  /** Pids of every stdio process this upstream runs now (catalog, sessions, pool). */
  pids(): number[] {
    return [...this.live].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  start(): void {
    this.stopped = false;
    void this.startCatalog();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.pool.clear();
    // Closes already under way are awaited too, or their processes would outlive Airlock.
    await Promise.allSettled([...[...this.live].map((c) => c.close()), ...this.closing]);
    this.setStatus({ state: 'stopped', error: undefined });
    if (!this.log.writableEnded) await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** Waits (bounded) for the catalog connection's verdict, so a new connection need not probe. */
  async ready(timeoutMs = 15_000): Promise<UpstreamProfile> {
    const deadline = Date.now() + timeoutMs;
    while (!this.profileValue) {
      if (this.stopped) throw new Error(`upstream server "${this.name}" is stopped`);
      if (this.needsSignIn) throw new SignInRequiredError(this.name);
      if (Date.now() > deadline) {
        throw new Error(`upstream server "${this.name}" is not ready${this.statusValue.error ? `: ${this.statusValue.error}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.profileValue;
  }

  /**
   * A new connection for one legacy downstream session, declaring that client's capabilities.
   * A server that serves both eras is spoken to in the legacy one here: session-scoped
   * features (logging/setLevel, resources/subscribe, server→client requests) then map one
   * to one. A modern-only server answers the legacy initialize with -32022, which is
   * remembered until the server restarts.
   */
  async connectSession(clientInfo: Implementation, capabilities: ClientCapabilities): Promise<UpstreamConnection> {
    if (this.stopped) throw new Error(`upstream server "${this.name}" is stopped`);
    let conn: UpstreamConnection | undefined;
    const tryLegacy = this.verdict?.kind === 'modern' && (this.config.protocol ?? 'auto') === 'auto' && this.acceptsLegacy !== false;
    if (tryLegacy) {
      try {
        conn = await this.open(clientInfo, capabilities, { kind: 'legacy' });
        this.acceptsLegacy = true;
      } catch (err) {
        if (!/-32022|unsupported protocol version/i.test(String((err as Error).message))) throw err;
        this.acceptsLegacy = false;
      }
    }
    conn ??= await this.open(clientInfo, capabilities, this.verdict);
    conn.onUnexpectedClose = (reason) => this.crashed(reason);
    return conn;
  }

  private negotiation(): VersionNegotiationOptions {
    const protocol = this.config.protocol ?? 'auto';
    if (protocol === MODERN_PROTOCOL_VERSION) return { mode: { pin: MODERN_PROTOCOL_VERSION } };
    if (protocol === LEGACY_PROTOCOL_VERSION) return { mode: 'legacy' };
    return { mode: 'auto' };
  }

  async open(clientInfo: Implementation, capabilities: ClientCapabilities, prior?: PriorDiscovery, role: 'catalog' | 'agent' = 'agent'): Promise<UpstreamConnection> {
    let handle: TransportHandle;
    try {
      const signIn = this.options.signIn;
      handle = createUpstreamTransport(this.name, this.config, {
        self: this.options.self,
        log: this.log,
        ...(signIn && { authProvider: signIn.authProvider(role), fetch: signIn.fetchFor(role) }),
      });
    } catch (err) {
      throw new Error(`cannot start upstream server "${this.name}": ${(err as Error).message}`, { cause: err });
    }
    const client = new Client(clientInfo, { capabilities, versionNegotiation: this.negotiation() });
    let closing = false;
    let closedReason: string | undefined;
    const routes = new Map<string, (progress: Progress) => void>();
    let nextToken = 0;
    client.setNotificationHandler('notifications/progress', (notification) => {
      const { progressToken, ...progress } = notification.params;
      routes.get(String(progressToken))?.(progress);
    });
    const conn: UpstreamConnection = {
      client,
      era: 'legacy',
      pid: undefined,
      progressRoute: (onProgress) => {
        const token = `airlock-${++nextToken}`;
        routes.set(token, onProgress);
        return { token, done: () => void setImmediate(() => routes.delete(token)) };
      },
      get closedReason() {
        return closedReason;
      },
      close: async () => {
        closing = true;
        this.live.delete(conn);
        const done = client.close().catch(() => undefined);
        this.closing.add(done);
        await done;
        this.closing.delete(done);
      },
    };
    client.onclose = () => {
      this.live.delete(conn);
      if (closing) return;
      closing = true;
      const stderr = handle.lastStderr();
      closedReason = isStdioServer(this.config)
        ? `server process ${conn.pid ?? ''} exited${stderr ? `: ${stderr}` : ''}`.replace('  ', ' ')
        : 'connection closed by the server';
      this.note(closedReason);
      conn.onUnexpectedClose?.(closedReason);
    };
    client.onerror = (err) => this.note(err.message);
    this.live.add(conn);
    try {
      await client.connect(handle.transport, { timeout: this.options.connectTimeoutMs ?? 30_000, ...(prior && { prior }) });
    } catch (err) {
      closing = true;
      this.live.delete(conn);
      await client.close().catch(() => undefined);
      if (isSignInError(err)) throw err instanceof SignInRequiredError ? err : new SignInRequiredError(this.name);
      const stderr = handle.lastStderr();
      throw new Error(`cannot connect to upstream server "${this.name}": ${(err as Error).message}${stderr ? ` (stderr: ${stderr})` : ''}`, {
        cause: err,
      });
    }
    conn.era = client.getProtocolEra() ?? 'legacy';
    conn.pid = handle.pid();
    return conn;
  }

  private async startCatalog(): Promise<void> {
    if (this.stopped) return;
    const generation = this.catalogGeneration;
    this.setStatus({ state: 'starting', error: undefined });
    try {
      // The catalog negotiates afresh: a cached verdict is only as good as the process it came from.
      this.verdict = undefined;
      this.acceptsLegacy = undefined;
      const conn = await this.open({ name: 'airlock', version: this.options.version }, {}, undefined, 'catalog');
      // Stopped, or a reconnect (signed in or out) started a newer catalog meanwhile.
      if (this.stopped || generation !== this.catalogGeneration) return void (await conn.close());
      this.catalog = conn;
      conn.onUnexpectedClose = (reason) => this.crashed(reason);
      const { client } = conn;
      const discover = client.getDiscoverResult();
      this.verdict = discover ? { kind: 'modern', discover } : { kind: 'legacy' };
      const tools = await this.listTools(client);
      this.watchLists(client);
      const serverInfo = client.getServerVersion();
      const instructions = client.getInstructions();
      this.profileValue = {
        era: conn.era,
        protocolVersion: client.getNegotiatedProtocolVersion() ?? (conn.era === 'modern' ? MODERN_PROTOCOL_VERSION : LEGACY_PROTOCOL_VERSION),
        capabilities: client.getServerCapabilities() ?? {},
        serverInfo: serverInfo ?? { name: this.name, version: '0' },
        ...(instructions !== undefined && { instructions }),
      };
      this.readyAt = Date.now();
      this.setStatus({
        state: 'ready',
        error: undefined,
        ...(serverInfo && { serverInfo }),
        era: this.profileValue.era,
        protocolVersion: this.profileValue.protocolVersion,
        tools,
      });
      this.emit('tools', tools);
    } catch (err) {
      if (generation !== this.catalogGeneration) return;
      // Waiting for a person to sign in is no crash: no restarts until the tokens arrive.
      if (this.options.signIn && (isSignInError(err) || this.needsSignIn)) {
        this.setStatus({ state: 'failed', error: new SignInRequiredError(this.name).message, ...this.signInPatch() });
        return;
      }
      this.crashed((err as Error).message);
    }
  }

  private signInPatch(): Partial<UpstreamStatus> {
    const signIn = this.options.signIn?.status();
    return signIn ? { signIn } : {};
  }

  /** List changes seen by the catalog: a legacy server notifies, a modern one on a listen stream. */
  private watchLists(client: Client): void {
    const caps = client.getServerCapabilities() ?? {};
    const onTools = async () => {
      const next = await this.listTools(client).catch(() => undefined);
      if (next) {
        this.setStatus({ tools: next });
        this.emit('tools', next);
      }
      this.emit('listChanged', 'tools');
    };
    if (client.getProtocolEra() === 'modern') {
      const filter = {
        ...(caps.tools?.listChanged && { toolsListChanged: true }),
        ...(caps.prompts?.listChanged && { promptsListChanged: true }),
        ...(caps.resources?.listChanged && { resourcesListChanged: true }),
      };
      if (Object.keys(filter).length === 0) return;
      client.setNotificationHandler('notifications/tools/list_changed', onTools);
      client.setNotificationHandler('notifications/prompts/list_changed', () => void this.emit('listChanged', 'prompts'));
      client.setNotificationHandler('notifications/resources/list_changed', () => void this.emit('listChanged', 'resources'));
      void client.listen(filter).catch((err: Error) => this.note(`cannot listen for list changes: ${err.message}`));
      return;
    }
    client.setNotificationHandler('notifications/tools/list_changed', onTools);
    client.setNotificationHandler('notifications/prompts/list_changed', () => void this.emit('listChanged', 'prompts'));
    client.setNotificationHandler('notifications/resources/list_changed', () => void this.emit('listChanged', 'resources'));
  }

  private async listTools(client: Client): Promise<Tool[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    // The no-cursor call walks every page; a list change must be fetched, not served from cache.
    return (await client.listTools(undefined, { cacheMode: 'refresh' })).tools;
  }

  /** Any crash (catalog or a session's process) marks the server failed and restarts it. */
  crashed(reason: string): void {
    if (this.stopped) return;
    if (this.readyAt && Date.now() - this.readyAt > STABLE_AFTER_MS) this.failures = 0;
    this.readyAt = 0;
    this.verdict = undefined;
    this.profileValue = undefined;
    this.pool.clear();
    this.setStatus({ state: 'failed', error: reason });
    if (this.restartTimer) return;
    const old = this.catalog;
    this.catalog = undefined;
    void old?.close();
    const base = this.options.initialBackoffMs ?? 1000;
    const delay = Math.min(base * 2 ** this.failures, this.options.maxBackoffMs ?? 30_000);
    this.failures++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.statusValue.restarts++;
      void this.startCatalog();
    }, delay);
  }

  /** The verdict for new connections (undefined: they negotiate on their own). */
  get prior(): PriorDiscovery | undefined {
    return this.verdict;
  }

  /** Airlock's own lines in the server's log, beside what the server writes to stderr. */
  note(line: string): void {
    if (!this.log.writableEnded) this.log.write(`[airlock] ${new Date().toISOString()} ${line}\n`);
  }

  private setStatus(patch: Partial<UpstreamStatus>): void {
    const next = { ...this.statusValue, ...patch };
    if (patch.state && patch.state !== this.statusValue.state) next.since = Date.now();
    this.statusValue = next;
    this.emit('status', next);
  }
}
