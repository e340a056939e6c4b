/**
 * The control API's methods, in groups by concern. Each group takes only the services it
 * uses (the composition root, airlock.ts, wires them), and raises domain errors
 * (../errors.ts), never transport statuses.
 */
import type { AirlockEvent, Grant, MethodName, Status } from '../../../shared/api/contract.ts';
import type { HistoryEntry } from '../../../shared/history.ts';
import type { ApprovalQueue } from '../approvals/approval-queue.ts';
import type { MissedCalls } from '../approvals/missed-calls.ts';
import { importServers, listClients, protect, unprotect, type ClientsContext } from '../clients/clients.ts';
import { defaultClientEnvironment } from '../clients/locations.ts';
import { NotFound, NothingToAccept, SignInFailed } from '../errors.ts';
import type { PolicyManager } from '../guard/policy-manager.ts';
import type { ToolCatalog } from '../guard/tool-catalog.ts';
import { policyInputOfEntry } from '../guard/call-context.ts';
import { evaluate, limitChanges, NO_COUNTERS, type CompiledPolicy } from '../policy/index.ts';
import type { GrantStore } from '../store/grant-store.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { SelfCommand } from '../upstream/command-resolver.ts';
import type { UpstreamStatus } from '../upstream/upstream.ts';
import { SignInFailedError, type SignIn } from '../upstream/oauth/sign-in.ts';
import type { Handlers } from './control-api.ts';

type Group<M extends MethodName> = Pick<Handlers, M>;

export interface ClientsServices {
  /** The Airlock home. */
  home: string;
  self: SelfCommand;
  /** Where protected clients are pointed: this Airlock's URL and MCP token (known once it listens). */
  endpoint: () => { url: string; token: string };
}

/** Client configs are edited for the person running Airlock, pointing at this Airlock. */
export function clientsHandlers(services: ClientsServices): Group<'clients.list' | 'clients.import' | 'clients.protect' | 'clients.unprotect'> {
  const context = (projects?: string[]): ClientsContext => ({
    home: services.home,
    self: services.self,
    env: defaultClientEnvironment(projects ?? [process.cwd()]),
    endpoint: services.endpoint(),
  });
  return {
    'clients.list': (input) => listClients(context(input?.projects), input ?? {}),
    'clients.import': (input) => importServers(context(input.projects), input),
    'clients.protect': (input) => protect(context(input.projects), input),
    'clients.unprotect': (input) => unprotect(context(input.projects), input),
  };
}

/** "Pause all": the call guard's switch. */
export interface PauseSwitch {
  readonly isPaused: boolean;
  setPaused(paused: boolean): void;
}

export interface StatusServices {
  version: string;
  home: string;
  url: () => string;
  pause: PauseSwitch;
  /** Tells every UI (the control API's events). */
  emit: (event: AirlockEvent) => void;
}

export function statusHandlers(services: StatusServices): Group<'status.get' | 'approvals.pause'> {
  const status = (): Status => ({ version: services.version, home: services.home, url: services.url(), pid: process.pid, paused: services.pause.isPaused });
  return {
    'status.get': status,
    'approvals.pause': ({ paused }) => {
      services.pause.setPaused(paused);
      const s = status();
      services.emit({ type: 'status.changed', status: s });
      return s;
    },
  };
}

/** Calls that timed out while nobody answered, and the pass that lets their retry through. */
export function missedHandlers(missed: Pick<MissedCalls, 'list' | 'allowRetry'>): Group<'missed.list' | 'missed.allowRetry'> {
  return {
    'missed.list': () => missed.list(),
    'missed.allowRetry': ({ id }) => missed.allowRetry(id),
  };
}

export function pendingHandlers(queue: Pick<ApprovalQueue, 'list' | 'decide'>): Group<'pending.list' | 'pending.decide'> {
  return {
    'pending.list': () => queue.list(),
    'pending.decide': ({ id, ...decision }) => queue.decide(id, decision),
  };
}

export function historyHandlers(history: Pick<HistoryStore, 'query' | 'get'>): Group<'history.query' | 'history.get'> {
  return {
    'history.query': (query) => history.query(query),
    'history.get': ({ id }) => {
      const entry = history.get(id);
      if (!entry) throw new NotFound(`no history entry ${id}`);
      return entry;
    },
  };
}

export interface PolicyServices {
  policy: Pick<PolicyManager, 'state' | 'put' | 'validate' | 'compile' | 'current'>;
  /** The calls a draft is simulated against. */
  history: Pick<HistoryStore, 'query'>;
  /** Tool annotations, which policy conditions may read. */
  catalog: Pick<ToolCatalog, 'tool'>;
}

export function policyHandlers({ policy, history, catalog }: PolicyServices): Group<'policy.get' | 'policy.put' | 'policy.validate' | 'policy.simulate'> {
  const actionOf = (compiled: CompiledPolicy, entry: HistoryEntry) => {
    const annotations = catalog.tool(entry.server, entry.tool)?.annotations;
    // Limits are left out: a replay cannot know the counters each call met.
    return evaluate(compiled, policyInputOfEntry(entry, annotations), NO_COUNTERS, entry.receivedAt);
  };
  return {
    'policy.get': () => policy.state(),
    'policy.put': ({ text }) => policy.put(text),
    'policy.validate': ({ text }) => policy.validate(text),
    'policy.simulate': ({ text, limit }) => {
      const parsed = policy.validate(text);
      if (!parsed.ok) return { checked: 0, changes: [], problems: parsed.problems, limitChanges: [] };
      const draft = policy.compile(text);
      const current = policy.current;
      const entries = history.query({ limit: Math.min(limit, 500) }).entries;
      let page = entries;
      let cursor = history.query({ limit: Math.min(limit, 500) }).nextCursor;
      while (page.length < limit && cursor) {
        const next = history.query({ limit: Math.min(limit - page.length, 500), cursor });
        page = [...page, ...next.entries];
        cursor = next.nextCursor;
      }
      const changes = [];
      for (const entry of page) {
        const before = actionOf(current, entry);
        const after = actionOf(draft, entry);
        if (before.action !== after.action) {
          changes.push({ historyId: entry.id, server: entry.server, tool: entry.tool, receivedAt: entry.receivedAt, before: before.action, after: after.action, rule: after.rule });
        }
      }
      return { checked: page.length, changes, problems: [], limitChanges: limitChanges(policy.state().text, text) };
    },
  };
}

export interface ServersServices {
  catalog: Pick<ToolCatalog, 'describe' | 'changes' | 'accept'>;
  statuses: () => UpstreamStatus[];
  /** The sign-in of a remote server that uses OAuth. */
  signIn: (server: string) => Pick<SignIn, 'login' | 'logout'> | undefined;
}

export function serversHandlers({ catalog, statuses, signIn }: ServersServices): Group<'servers.list' | 'servers.login' | 'servers.logout' | 'tools.changes' | 'tools.accept'> {
  const signInOf = (server: string) => {
    const found = signIn(server);
    if (found) return found;
    if (!statuses().some((s) => s.name === server)) throw new NotFound(`no server named "${server}"`);
    throw new NotFound(`server "${server}" does not use sign-in`);
  };
  return {
    'servers.list': () => statuses().map((s) => catalog.describe(s)),
    'servers.login': async ({ server }) => {
      try {
        return { authorizationUrl: await signInOf(server).login() };
      } catch (err) {
        if (err instanceof SignInFailedError) throw new SignInFailed(err.message);
        throw err;
      }
    },
    'servers.logout': async ({ server }) => {
      await signInOf(server).logout();
      return { ok: true as const };
    },
    'tools.changes': () => catalog.changes(),
    'tools.accept': ({ server, tool }) => {
      if (!catalog.accept(server, tool)) throw new NothingToAccept(`tool "${tool}" on "${server}" has no changed definition to accept`);
      return { ok: true as const };
    },
  };
}

export function grantsHandlers(grants: Pick<GrantStore, 'list' | 'revoke'>): Group<'grants.list' | 'grants.revoke'> {
  return {
    'grants.list': () =>
      grants
        .list()
        // Retry passes are not remembered choices (the store leaves them out already).
        .flatMap((g) => (g.scope === 'retry' ? [] : [{ ...g, scope: g.scope }]))
        .map(
        (g): Grant => ({
          id: g.id,
          server: g.server,
          tool: g.tool,
          effect: g.effect,
          scope: g.scope,
          ...(g.client !== undefined && { client: g.client }),
          ...(g.argsHash !== undefined && { argsHash: g.argsHash }),
          ...(g.sessionId !== undefined && { sessionId: g.sessionId }),
          policyVersion: g.policyVersion,
          createdAt: g.createdAt,
        }),
      ),
    'grants.revoke': ({ id }) => {
      if (!grants.revoke(id)) throw new NotFound(`no grant ${id}`);
      return { ok: true as const };
    },
  };
}

export interface ConnectServices {
  url: () => string;
  port: () => number;
  configuredPort: number;
  home: string;
  self: SelfCommand;
  mcpToken: () => string;
}

/** What the Connect view shows: endpoints, the bridge command, and the MCP token on request. */
export function connectHandlers(services: ConnectServices): Group<'connect.info' | 'connect.token'> {
  return {
    'connect.info': () => ({
      url: services.url(),
      port: services.port(),
      configuredPort: services.configuredPort,
      home: services.home,
      bridge: { command: services.self.command, args: services.self.args },
    }),
    'connect.token': () => ({ token: services.mcpToken() }),
  };
}
