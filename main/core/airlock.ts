/**
 * The Airlock engine: one object that both shells (the desktop app and `airlock serve`)
 * start. It owns the home (config, tokens, lock, runtime file), the upstream servers, the
 * policy, the approval queue, the history, the local endpoint and the control API that
 * UIs follow. Plain Node: no Electron below this line.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import type { AirlockEvent, DecisionInput, PendingCall } from '../../shared/api/contract.ts';
import { isStdioServer, SettingsSchema, type Config, type ServerConfig } from '../../shared/config.ts';
import { HistoryExportFormatSchema, HistoryFilterSchema } from '../../shared/history.ts';
import { ApprovalQueue } from './approvals/approval-queue.ts';
import { MissedCalls } from './approvals/missed-calls.ts';
import { ControlApi } from './control/control-api.ts';
import { clientsHandlers, connectHandlers,
  grantsHandlers, historyHandlers, missedHandlers, pendingHandlers, policyHandlers, serversHandlers, statusHandlers } from './control/handlers.ts';
import { createHttpApi } from './control/http-api.ts';
import { InvalidInput } from './errors.ts';
import { AccessGuard, withAccessGuard } from './guard/access-guard.ts';
import { CallGuard, noHistory } from './guard/call-guard.ts';
import { Limiter } from './guard/limiter.ts';
import { PolicyManager } from './guard/policy-manager.ts';
import { ToolCatalog } from './guard/tool-catalog.ts';
import { loadOrCreateAuth, type AuthTokens } from './home/auth.ts';
import { ensureHome, homePaths, loadConfig, type HomePaths } from './home/home.ts';
import { acquireInstanceLock, type InstanceLock } from './home/instance-lock.ts';
import { assertPortFree, isAddressInUse, PortInUseError } from './home/port-check.ts';
import { identityProofs, newInstanceId } from './home/instance-proof.ts';
import { removeRuntimeInfo, writeRuntimeInfo } from './home/runtime-file.ts';
import { silentLogger, type Logger } from './logger.ts';
import { HttpServer, sendJson, type HttpLimits } from './proxy/http-server.ts';
import { hookAdapter } from './hooks/adapters.ts';
import { HookDesk } from './hooks/hook-desk.ts';
import { IdleMemoryTrim } from './idle-memory.ts';
import { createHookEndpoint } from './hooks/hook-endpoint.ts';
import { proxiedServerNames } from './hooks/proxied-servers.ts';
import { McpEndpoint } from './proxy/mcp-endpoint.ts';
import { DEFAULT_REDACT_KEYS } from './store/redact.ts';
import { openStores, type Stores } from './store/stores.ts';
import { LoginCodes } from './ui/login-codes.ts';
import { createUiServer } from './ui/ui-server.ts';
import type { SelfCommand } from './upstream/command-resolver.ts';
import { Upstream, type UpstreamStatus } from './upstream/upstream.ts';
import { MemorySecretStore } from './home/memory-secret-store.ts';
import { openSecretStore } from './home/open-secret-store.ts';
import type { SecretStore } from './home/secret-store.ts';
import { CredentialStore } from './upstream/oauth/credential-store.ts';
import { moveClientSecrets } from './upstream/oauth/move-client-secrets.ts';
import { createOAuthCallback, OAUTH_CALLBACK_PATH } from './upstream/oauth/oauth-callback.ts';
import { SignIn } from './upstream/oauth/sign-in.ts';
import { SignInFlows } from './upstream/oauth/sign-in-flows.ts';
import { formatZodError } from './util/zod-format.ts';

export interface AirlockOptions {
  home: string;
  /** Overrides config.json's port (0 = any free port). */
  port?: number;
  /** How to run this Airlock as a child process (for `airlock` commands in config.json). */
  self: SelfCommand;
  version: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** The built web UI to serve at `/` (dist/renderer). */
  uiRoot?: string;
  /** Backoff of upstream restarts; tests shorten it. */
  restartBackoffMs?: number;
  /** Overrides of config.json's `airlock` settings (tests). */
  settings?: Partial<Config['airlock']>;
  /** Socket limits of the local port (tests shorten them). */
  httpLimits?: Partial<HttpLimits>;
  /**
   * Where sign-in tokens and client secrets are kept. The desktop app passes Electron's
   * safeStorage; without it: the OS keyring when it works, else a 0600 file in the home.
   */
  secrets?: SecretStore;
}

/** Remote servers sign in unless config.json already gives them an Authorization header. */
function usesSignIn(server: ServerConfig): server is Exclude<ServerConfig, { command: string }> {
  if (isStdioServer(server)) return false;
  if (server.oauth) return true;
  return !Object.keys(server.headers ?? {}).some((h) => h.toLowerCase() === 'authorization');
}

export interface AirlockEvents {
  event: [AirlockEvent];
  'servers.changed': [UpstreamStatus];
}

const DAY_MS = 86_400_000;

export class Airlock extends EventEmitter<AirlockEvents> {
  readonly paths: HomePaths;
  readonly config: Config;
  readonly tokens: AuthTokens;
  readonly version: string;
  /** How to run this Airlock as a command (client configs, `airlock` entries in config.json). */
  readonly self: SelfCommand;
  readonly upstreams = new Map<string, Upstream>();
  readonly stores: Stores;
  readonly policy: PolicyManager;
  readonly catalog: ToolCatalog;
  readonly queue: ApprovalQueue;
  readonly guard: CallGuard;
  readonly missed: MissedCalls;
  readonly control: ControlApi;
  readonly mcp: McpEndpoint;
  readonly secrets: SecretStore;
  readonly signIns = new Map<string, SignIn>();
  private readonly flows = new SignInFlows();
  private readonly loginCodes = new LoginCodes();
  /** Written to runtime.json; `airlock connect` checks the port knows it before sending a token. */
  private readonly instanceId = newInstanceId();
  private readonly logger: Logger;
  private readonly lock: InstanceLock;
  private readonly http: HttpServer;
  private readonly timers: NodeJS.Timeout[] = [];
  private idleMemory: IdleMemoryTrim | undefined;
  private historyFlush: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(options: AirlockOptions, paths: HomePaths, config: Config, tokens: AuthTokens, lock: InstanceLock, secrets: SecretStore) {
    super();
    this.secrets = secrets;
    this.paths = paths;
    this.config = { ...config, airlock: { ...config.airlock, ...options.settings } };
    this.tokens = tokens;
    this.lock = lock;
    this.version = options.version;
    this.self = options.self;
    this.logger = options.logger ?? silentLogger;
    const settings = () => this.config.airlock;

    this.stores = openStores(paths.history, { redaction: { keys: [...DEFAULT_REDACT_KEYS, ...this.config.airlock.redactKeys] } });
    this.stores.history.closeInterrupted();
    this.stores.grants.revokeAllSessions();
    this.policy = new PolicyManager(paths.policy, this.logger);
    this.catalog = new ToolCatalog(this.stores.pins);
    const validator = new AjvJsonSchemaValidator();
    this.queue = new ApprovalQueue((pending, input) => this.checkEditedArguments(validator, pending, input));
    this.guard = new CallGuard({
      policy: this.policy,
      limiter: new Limiter(this.stores.counters),
      history: this.config.airlock.history ? this.stores.history : noHistory(),
      grants: this.stores.grants,
      catalog: this.catalog,
      queue: this.queue,
      settings,
      // Alone, a call commits at once; among others, it shares their commit at the end of the turn.
      transaction: (fn, options) => (options?.alone ? { result: this.stores.db.transaction(fn), committed: Promise.resolve() } : this.stores.db.groupTransaction(fn)),
      uiCount: () => this.control.uiCount,
      logger: this.logger,
    });
    this.missed = new MissedCalls({
      queue: this.queue,
      gate: (call, expiresAt, historyId) => this.guard.allowRetry(call, expiresAt, historyId),
      passMs: () => settings().retryGraceSeconds * 1000,
    });
    // Each group of control methods gets the services it uses, nothing more.
    this.control = new ControlApi({
      ...clientsHandlers({ home: paths.dir, self: options.self, endpoint: () => ({ url: this.url, token: this.tokens.mcpToken }) }),
      ...statusHandlers({ version: options.version, home: paths.dir, url: () => this.url, pause: this.guard, emit: (event) => this.control.emit(event) }),
      ...pendingHandlers(this.queue),
      ...missedHandlers(this.missed),
      ...historyHandlers(this.stores.history),
      ...policyHandlers({ policy: this.policy, history: this.stores.history, catalog: this.catalog }),
      ...serversHandlers({ catalog: this.catalog, statuses: () => this.serverStatuses(), signIn: (server) => this.signIns.get(server) }),
      ...grantsHandlers(this.stores.grants),
      ...connectHandlers({
        url: () => this.url,
        port: () => this.port,
        configuredPort: this.config.airlock.port,
        home: paths.dir,
        self: options.self,
        mcpToken: () => this.tokens.mcpToken,
      }),
    });

    const credentials = new CredentialStore(secrets);
    for (const [name, server] of Object.entries(this.config.mcpServers)) {
      if (server.disabled) continue;
      let signIn: SignIn | undefined;
      if (usesSignIn(server)) {
        signIn = new SignIn({
          server: name,
          url: server.url,
          config: server.oauth,
          credentials,
          secrets,
          flows: this.flows,
          redirectUrl: () => `${this.url}${OAUTH_CALLBACK_PATH}`,
          version: options.version,
          note: (line) => this.upstreams.get(name)?.note(line),
        });
        signIn.on('changed', (status) => {
          if (status.state === 'needs_sign_in') this.logger.warn(`upstream ${name} needs sign-in: ${status.reason ?? ''}`);
          if (status.state === 'sign_in_failed') this.logger.warn(`upstream ${name}: sign-in failed: ${status.error ?? ''}`);
        });
        this.signIns.set(name, signIn);
      }
      const upstream = new Upstream(name, server, {
        self: options.self,
        logDir: paths.logs,
        version: options.version,
        ...(options.restartBackoffMs !== undefined && { initialBackoffMs: options.restartBackoffMs }),
        ...(signIn && { signIn }),
      });
      upstream.on('tools', (tools) => this.catalog.observe(name, tools));
      let logged = '';
      upstream.on('status', (status) => {
        // A status is published for every change (tools, sign-in); the log says each state once.
        const line = status.state === 'failed' ? `upstream ${name} failed: ${status.error}` : status.state === 'ready' ? `upstream ${name} ready (${status.tools.length} tools)` : '';
        if (line && line !== logged) {
          if (status.state === 'failed') this.logger.warn(line);
          else this.logger.info(line);
        }
        logged = line;
        this.emit('servers.changed', status);
        this.publish({ type: 'servers.changed', server: this.catalog.describe(status) });
      });
      this.upstreams.set(name, upstream);
    }
    this.catalog.on('changed', (server) => {
      const upstream = this.upstreams.get(server);
      if (upstream) this.publish({ type: 'servers.changed', server: this.catalog.describe(upstream.status) });
    });
    this.queue.on('added', (pending) => this.publish({ type: 'pending.added', pending }));
    this.queue.on('resolved', (resolution) => this.publish({ type: 'pending.resolved', resolution }));
    this.queue.on('updated', (pending) => this.publish({ type: 'pending.updated', pending }));
    this.missed.on('changed', () => this.publish({ type: 'missed.changed' }));
    this.policy.on('changed', (policy) => {
      this.guard.redecidePending();
      this.publish({ type: 'policy.changed', policy });
    });
    this.stores.history.onChange((change) => this.historyChanged(change.type === 'removed' ? undefined : change.id));

    const access = new AccessGuard({ policy: this.policy, queue: this.queue, settings, isPaused: () => this.guard.isPaused, logger: this.logger });
    const hooks = withAccessGuard(this.guard, access);
    this.mcp = new McpEndpoint({
      upstreams: (name) => this.upstreams.get(name),
      hooks: () => hooks,
      earlyAnswerSeconds: () => settings().earlyAnswerSeconds,
      retryGraceSeconds: () => settings().retryGraceSeconds,
      maxBodyBytes: this.config.airlock.maxBodyBytes,
      sessionIdleMinutes: () => settings().sessionIdleMinutes,
    });
    const api = createHttpApi({
      api: this.control,
      maxBodyBytes: this.config.airlock.maxBodyBytes,
      streams: {
        'GET /history/export': (req, res, url) => this.exportHistory(req, res, url),
        'POST /ui/code': async (_req, res) => sendJson(res, 200, { url: this.loginUrl() }),
      },
    });
    const hookDesk = new HookDesk({ guard: this.guard, queue: this.queue, proxiedServers: (client) => proxiedServerNames(paths.dir, client), port: () => this.port });
    const hooksEndpoint = createHookEndpoint({ desk: hookDesk, maxBodyBytes: this.config.airlock.maxBodyBytes });
    const ui = options.uiRoot ? createUiServer({ root: options.uiRoot, codes: this.loginCodes, adminToken: () => this.tokens.adminToken }) : undefined;
    this.http = new HttpServer({
      port: options.port ?? this.config.airlock.port,
      ...(options.httpLimits && { limits: options.httpLimits }),
      tokens,
      maxBodyBytes: this.config.airlock.maxBodyBytes,
      mcp: this.mcp,
      api,
      ui: ui ?? (async (_req: IncomingMessage, res: ServerResponse) => sendJson(res, 404, { error: 'not_found', message: 'this Airlock serves no UI' })),
      onError: (err) => this.logger.error(`request failed: ${(err as Error).stack ?? err}`),
      identity: (nonce) => identityProofs(this.tokens, this.instanceId, nonce),
      oauthCallback: createOAuthCallback({ flows: this.flows, signIn: (server) => this.signIns.get(server) }),
      hooks: hooksEndpoint,
    });
  }

  /** Takes the home's lock, reads its files, starts the upstreams and the local endpoint. */
  static async start(options: AirlockOptions): Promise<Airlock> {
    const paths = homePaths(options.home);
    // A home is created only once its port is known to be free (a taken port leaves nothing behind).
    if (!existsSync(paths.config)) await assertPortFree(options.port ?? options.settings?.port ?? SettingsSchema.parse({}).port, paths.config);
    const { created } = ensureHome(paths);
    const lock = acquireInstanceLock(paths.lock, paths.dir);
    let airlock: Airlock | undefined;
    try {
      const loaded = loadConfig(paths.config);
      // The keyring is asked only when a server may sign in (on macOS it may ask the person).
      // Disabled entries count: their client secret is moved into the store too.
      const signsIn = Object.values(loaded.mcpServers).some((server) => usesSignIn(server));
      const secrets = options.secrets ?? (signsIn ? await openSecretStore(paths.dir) : new MemorySecretStore());
      const { config, moved } = await moveClientSecrets(paths.config, loaded, new CredentialStore(secrets));
      const tokens = loadOrCreateAuth(paths.auth, options.env);
      airlock = new Airlock(options, paths, config, tokens, lock, secrets);
      if (created) airlock.logger.info(`created a new home at ${paths.dir}`);
      if (secrets.warning && airlock.signIns.size > 0) airlock.logger.warn(secrets.warning);
      for (const name of moved) airlock.logger.info(`moved the client secret of "${name}" from config.json into the ${secrets.kind} secret store`);
      await Promise.all([...airlock.signIns.values()].map((s) => s.init()));
      airlock.policy.watch();
      airlock.startRetention();
      airlock.idleMemory = new IdleMemoryTrim({ logger: airlock.logger }).start();
      const port = await airlock.http.listen().catch((err: unknown) => {
        throw isAddressInUse(err) ? new PortInUseError(options.port ?? airlock!.config.airlock.port, paths.config) : err;
      });
      writeRuntimeInfo(paths.runtime, { pid: process.pid, port, url: airlock.url, version: options.version, startedAt: Date.now(), instanceId: airlock.instanceId });
      for (const upstream of airlock.upstreams.values()) upstream.start();
      return airlock;
    } catch (err) {
      if (airlock) await airlock.stop();
      else lock.release();
      throw err;
    }
  }

  get port(): number {
    return this.http.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.http.port}`;
  }

  /** A one-time link that signs a browser into the web UI (the code is in the fragment). */
  loginUrl(): string {
    return `${this.url}/#code=${this.loginCodes.issue()}`;
  }

  /** The secret store changed where it keeps secrets: each sign-in status is announced again with its kind and warning. */
  secretStoreChanged(): void {
    for (const signIn of this.signIns.values()) signIn.secretsChanged();
  }

  issueLoginCode(): string {
    return this.loginCodes.issue();
  }

  serverStatuses(): UpstreamStatus[] {
    return [...this.upstreams.values()].map((u) => u.status);
  }

  /** Resolves when every upstream has left `starting` (ready or failed). */
  async whenSettled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.upstreams.values()].some((u) => u.status.state === 'starting' || u.status.state === 'stopped')) {
      if (Date.now() > deadline) throw new Error('upstreams did not start in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // First: a bridge's proof of this Airlock lasts as long as this file (bridge/verify-airlock.ts).
      removeRuntimeInfo(this.paths.runtime);
      for (const timer of this.timers) clearInterval(timer);
      this.idleMemory?.stop();
      clearTimeout(this.historyFlush);
      this.policy.stop();
      this.queue.cancelAll('shutdown');
      await this.mcp.closeAll();
      await Promise.allSettled([...this.upstreams.values()].map((u) => u.stop()));
      await this.http.close();
      this.stores.close();
      this.lock.release();
    })();
    return this.stopping;
  }

  private publish(event: AirlockEvent): void {
    this.control.emit(event);
    this.emit('event', event);
  }

  /** History changes arrive several per call; a UI needs one nudge per moment, not each. */
  private historyChanged(id: string | undefined): void {
    if (this.control.uiCount === 0 && this.listenerCount('event') === 0) return;
    if (this.historyFlush) return;
    this.historyFlush = setTimeout(() => {
      this.historyFlush = undefined;
      this.publish({ type: 'history.changed', ...(id && { id }) });
    }, 50);
  }

  private startRetention(): void {
    const { historyMaxAgeDays, historyMaxEntries } = this.config.airlock;
    const prune = () => {
      this.stores.counters.prune(Date.now() - 2 * DAY_MS);
      this.stores.grants.pruneExpired();
      if (historyMaxAgeDays || historyMaxEntries) {
        void this.stores.history
          .prune({ ...(historyMaxAgeDays && { maxAgeDays: historyMaxAgeDays }), ...(historyMaxEntries && { maxEntries: historyMaxEntries }) })
          .catch((err: Error) => this.logger.warn(`history retention failed: ${err.message}`));
      }
    };
    prune();
    const timer = setInterval(prune, DAY_MS);
    timer.unref();
    this.timers.push(timer);
  }

  /** Edited arguments must still fit the tool's input schema. */
  private checkEditedArguments(validator: AjvJsonSchemaValidator, pending: PendingCall, input: DecisionInput): string | undefined {
    if (!input.arguments) return undefined;
    if (pending.editable === false) return `"${pending.client.id}" cannot run edited arguments: approve or deny the call as it is`;
    const hookProblem = pending.hook && hookAdapter(pending.hook.client)?.editProblem?.(pending.arguments, input.arguments);
    if (hookProblem) return hookProblem;
    const schema = pending.toolDefinition?.inputSchema;
    if (!schema) return undefined;
    const result = validator.getValidator(schema as never)(input.arguments);
    return result.valid ? undefined : `the edited arguments do not match the input schema of "${pending.tool}": ${result.errorMessage}`;
  }

  private async exportHistory(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = Object.fromEntries(url.searchParams);
    const format = HistoryExportFormatSchema.safeParse(params.format ?? 'jsonl');
    delete params.format;
    const filter = HistoryFilterSchema.safeParse(params);
    if (!format.success) throw new InvalidInput('format must be jsonl or csv');
    if (!filter.success) throw new InvalidInput(formatZodError(filter.error));
    const csv = format.data === 'csv';
    res.writeHead(200, {
      'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="airlock-history.${format.data}"`,
      'cache-control': 'no-store',
    });
    for await (const chunk of this.stores.history.exportStream(format.data, filter.data)) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
}
