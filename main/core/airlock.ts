/**
 * The Airlock engine: one object that both shells (the desktop app and `airlock serve`)
 * start. It owns the home (config, tokens, lock, runtime file), the upstream servers,
 * the local endpoint and the events UIs follow. Plain Node: no Electron below this line.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../../shared/config.ts';
import { loadOrCreateAuth, type AuthTokens } from './home/auth.ts';
import { ensureHome, homePaths, loadConfig, type HomePaths } from './home/home.ts';
import { acquireInstanceLock, type InstanceLock } from './home/instance-lock.ts';
import { removeRuntimeInfo, writeRuntimeInfo } from './home/runtime-file.ts';
import { silentLogger, type Logger } from './logger.ts';
import { HttpServer, sendJson } from './proxy/http-server.ts';
import { McpEndpoint } from './proxy/mcp-endpoint.ts';
import type { ForwardCall, ProxyHooks, ToolCall } from './proxy/tool-call.ts';
import type { SelfCommand } from './upstream/command-resolver.ts';
import { Upstream, type UpstreamStatus } from './upstream/upstream.ts';

export interface AirlockOptions {
  home: string;
  /** Overrides config.json's port (0 = any free port). */
  port?: number;
  /** How to run this Airlock as a child process (for `airlock` commands in config.json). */
  self: SelfCommand;
  version: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Serves `/` (the web UI); the headless shell passes the built bundle. */
  ui?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** Backoff of upstream restarts; tests shorten it. */
  restartBackoffMs?: number;
}

/** A finished tools/call, as recorded at the interception point. */
export interface CallRecord {
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  client: ToolCall['client'];
  sessionId: string;
  receivedAt: number;
  durationMs: number;
  outcome: 'ok' | 'tool_error' | 'error' | 'cancelled';
  error?: string;
}

export interface AirlockEvents {
  'servers.changed': [UpstreamStatus];
  call: [CallRecord];
}

export class Airlock extends EventEmitter<AirlockEvents> {
  readonly paths: HomePaths;
  readonly config: Config;
  readonly tokens: AuthTokens;
  readonly version: string;
  readonly upstreams = new Map<string, Upstream>();
  private readonly logger: Logger;
  private readonly lock: InstanceLock;
  private readonly http: HttpServer;
  readonly mcp: McpEndpoint;
  private hooks: ProxyHooks;
  private stopping: Promise<void> | undefined;

  private constructor(options: AirlockOptions, paths: HomePaths, config: Config, tokens: AuthTokens, lock: InstanceLock) {
    super();
    this.paths = paths;
    this.config = config;
    this.tokens = tokens;
    this.lock = lock;
    this.version = options.version;
    this.logger = options.logger ?? silentLogger;
    this.hooks = this.recordingHooks();
    for (const [name, server] of Object.entries(config.mcpServers)) {
      if (server.disabled) continue;
      const upstream = new Upstream(name, server, {
        self: options.self,
        logDir: paths.logs,
        version: options.version,
        ...(options.restartBackoffMs !== undefined && { initialBackoffMs: options.restartBackoffMs }),
      });
      upstream.on('status', (status) => {
        if (status.state === 'failed') this.logger.warn(`upstream ${name} failed: ${status.error}`);
        if (status.state === 'ready') this.logger.info(`upstream ${name} ready (${status.tools.length} tools)`);
        this.emit('servers.changed', status);
      });
      this.upstreams.set(name, upstream);
    }
    this.mcp = new McpEndpoint({ upstreams: (name) => this.upstreams.get(name), hooks: () => this.hooks });
    const ui = options.ui;
    this.http = new HttpServer({
      port: options.port ?? config.airlock.port,
      tokens,
      maxBodyBytes: config.airlock.maxBodyBytes,
      mcp: this.mcp,
      api: (req, res, path) => this.handleApi(req, res, path),
      ui: ui ? (req, res, path) => ui(req, res, path) : async (_req, res) => sendJson(res, 404, { error: 'not_found' }),
      onError: (err) => this.logger.error(`request failed: ${(err as Error).stack ?? err}`),
    });
  }

  /** Takes the home's lock, reads its files, starts the upstreams and the local endpoint. */
  static async start(options: AirlockOptions): Promise<Airlock> {
    const paths = homePaths(options.home);
    const { created } = ensureHome(paths);
    const lock = acquireInstanceLock(paths.lock, paths.dir);
    let airlock: Airlock | undefined;
    try {
      const config = loadConfig(paths.config);
      const tokens = loadOrCreateAuth(paths.auth, options.env);
      airlock = new Airlock(options, paths, config, tokens, lock);
      if (created) airlock.logger.info(`created a new home at ${paths.dir}`);
      const port = await airlock.http.listen();
      writeRuntimeInfo(paths.runtime, { pid: process.pid, port, url: airlock.url, version: options.version, startedAt: Date.now() });
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

  /** Replaces the interception hooks (the policy layer installs itself here). */
  setHooks(hooks: ProxyHooks): void {
    this.hooks = hooks;
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
      await this.mcp.closeAll();
      await Promise.allSettled([...this.upstreams.values()].map((u) => u.stop()));
      await this.http.close();
      removeRuntimeInfo(this.paths.runtime);
      this.lock.release();
    })();
    return this.stopping;
  }

  /** Until the policy layer is installed: let every call through, but record it. */
  private recordingHooks(): ProxyHooks {
    return {
      filterTools: (_server, tools) => tools,
      onToolCall: async (call: ToolCall, forward: ForwardCall): Promise<CallToolResult> => {
        const record = (outcome: CallRecord['outcome'], error?: string) =>
          this.emit('call', {
            server: call.server,
            tool: call.tool,
            arguments: call.arguments,
            client: call.client,
            sessionId: call.sessionId,
            receivedAt: call.receivedAt,
            durationMs: Date.now() - call.receivedAt,
            outcome,
            ...(error !== undefined && { error }),
          });
        try {
          const result = await forward(call.arguments);
          record(result.isError ? 'tool_error' : 'ok');
          return result;
        } catch (err) {
          record(call.signal.aborted ? 'cancelled' : 'error', (err as Error).message);
          throw err;
        }
      },
    };
  }

  private async handleApi(_req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/servers') return sendJson(res, 200, this.serverStatuses());
    sendJson(res, 404, { error: 'not_found', message: `no API method ${path}` });
  }
}
