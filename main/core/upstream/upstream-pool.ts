/**
 * Upstream connections for modern downstream traffic, which has no sessions.
 *
 * - A modern upstream has no server→client requests (it answers `input_required`), so one
 *   connection serves every modern request; each request carries its own client
 *   capabilities in its `_meta` envelope.
 * - A legacy upstream sends server→client requests (elicitation, sampling, roots) on the
 *   connection, and over stdio nothing says which call they belong to. Requests that cannot
 *   lead to one (lists, reads, calls from clients that declared none of those capabilities)
 *   share one connection that declares no client capabilities. A call from a client that
 *   can answer them leases a connection of its own for the call's duration, declaring that
 *   client's capabilities; it goes back to an idle list afterwards and is ended when unused.
 * - The shared connection is ended too once nothing has used it for a while (for stdio its
 *   process goes with it), and opened again by the next request.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import type { Upstream, UpstreamConnection } from './upstream.ts';

const IDLE_MS = 30_000;
const MAX_IDLE_PER_KIND = 4;

export interface Lease {
  conn: UpstreamConnection;
  /** The connection serves this one call alone (so whatever the server sends on it is the call's). */
  forCall?: boolean;
  release(): void;
}

interface Idle {
  conn: UpstreamConnection;
  timer: NodeJS.Timeout;
}

/** Requests in flight on the shared connection, and when it was last used. */
interface SharedUse {
  inflight: number;
  lastUsed: number;
}

export class UpstreamPool {
  private readonly upstream: Upstream;
  private shared: Promise<UpstreamConnection> | undefined;
  private sharedUse: SharedUse = { inflight: 0, lastUsed: 0 };
  private sharedTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly idle = new Map<string, Idle[]>();
  private generation = 0;

  constructor(upstream: Upstream, options: { idleMs?: number } = {}) {
    this.upstream = upstream;
    this.idleMs = options.idleMs ?? IDLE_MS;
  }

  /** Whether a call with these client capabilities needs a connection of its own. */
  needsLease(capabilities: ClientCapabilities): boolean {
    if (this.upstream.profile?.era === 'modern') return false;
    return Boolean(capabilities.elicitation || capabilities.sampling || capabilities.roots);
  }

  /** The connection every non-interactive modern request uses. */
  async sharedConnection(): Promise<UpstreamConnection> {
    await this.upstream.ready();
    this.sharedUse.lastUsed = Date.now();
    this.shared ??= this.openShared();
    return this.shared;
  }

  private async openShared(): Promise<UpstreamConnection> {
    const generation = this.generation;
    const modern = this.upstream.profile?.era === 'modern';
    const pending = this.upstream.open(
      { name: 'airlock', version: '1' },
      // A modern upstream reads each request's own capabilities from its envelope.
      modern ? { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} } : {},
      this.upstream.prior,
    );
    try {
      const conn = await pending;
      conn.onUnexpectedClose = (reason) => {
        if (generation === this.generation) this.shared = undefined;
        this.upstream.crashed(reason);
      };
      this.watchShared(conn, generation);
      return conn;
    } catch (err) {
      if (generation === this.generation) this.shared = undefined;
      throw err;
    }
  }

  /**
   * Counts the requests on the shared connection (every use goes through client.request)
   * and ends it once it has been unused for `idleMs` with none in flight.
   */
  private watchShared(conn: UpstreamConnection, generation: number): void {
    const use: SharedUse = { inflight: 0, lastUsed: Date.now() };
    this.sharedUse = use;
    const client = conn.client as unknown as { request: (...args: unknown[]) => Promise<unknown> };
    const request = client.request.bind(client);
    client.request = (...args: unknown[]) => {
      use.inflight++;
      use.lastUsed = Date.now();
      return request(...args).finally(() => {
        use.inflight--;
        use.lastUsed = Date.now();
      });
    };
    clearInterval(this.sharedTimer);
    this.sharedTimer = setInterval(() => {
      if (generation !== this.generation || this.sharedUse !== use) return clearInterval(this.sharedTimer);
      if (use.inflight > 0 || Date.now() - use.lastUsed < this.idleMs) return;
      clearInterval(this.sharedTimer);
      this.shared = undefined;
      conn.onUnexpectedClose = undefined;
      void conn.close();
    }, Math.max(50, Math.min(10_000, this.idleMs / 3)));
    this.sharedTimer.unref();
  }

  /** A connection for one interactive call on a legacy upstream; release it when the call ends. */
  async lease(capabilities: ClientCapabilities): Promise<Lease> {
    await this.upstream.ready();
    const kind = JSON.stringify(capabilities);
    const waiting = this.idle.get(kind);
    const reused = waiting?.pop();
    let conn: UpstreamConnection;
    if (reused) {
      clearTimeout(reused.timer);
      conn = reused.conn;
    } else {
      conn = await this.upstream.open({ name: 'airlock', version: '1' }, capabilities, this.upstream.prior);
    }
    const generation = this.generation;
    let released = false;
    let broken = false;
    conn.onUnexpectedClose = (reason) => {
      broken = true;
      this.removeIdle(kind, conn);
      this.upstream.crashed(reason);
    };
    return {
      conn,
      forCall: true,
      release: () => {
        if (released) return;
        released = true;
        const list = this.idle.get(kind) ?? [];
        if (broken || generation !== this.generation || list.length >= MAX_IDLE_PER_KIND) return void conn.close();
        const timer = setTimeout(() => {
          this.removeIdle(kind, conn);
          void conn.close();
        }, IDLE_MS);
        timer.unref();
        list.push({ conn, timer });
        this.idle.set(kind, list);
      },
    };
  }

  private removeIdle(kind: string, conn: UpstreamConnection): void {
    const list = this.idle.get(kind);
    if (!list) return;
    const index = list.findIndex((i) => i.conn === conn);
    if (index >= 0) {
      clearTimeout(list[index]!.timer);
      list.splice(index, 1);
    }
  }

  /** Forgets every pooled connection (the server crashed, restarts or stops). */
  clear(): void {
    this.generation++;
    clearInterval(this.sharedTimer);
    const shared = this.shared;
    this.shared = undefined;
    void shared?.then((c) => c.close()).catch(() => undefined);
    for (const list of this.idle.values()) {
      for (const { conn, timer } of list) {
        clearTimeout(timer);
        void conn.close();
      }
    }
    this.idle.clear();
  }
}
