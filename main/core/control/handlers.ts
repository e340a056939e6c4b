/** The control API's methods, each a thin call into the core's parts. */
import type { Grant, Status } from '../../../shared/api/contract.ts';
import type { Airlock } from '../airlock.ts';
import { evaluate, limitChanges, NO_COUNTERS, type CompiledPolicy } from '../policy/index.ts';
import type { HistoryEntry } from '../../../shared/history.ts';
import { ApiFailure, type Handlers } from './control-api.ts';
import { importServers, listClients, protect, unprotect, type ClientsContext } from '../clients/clients.ts';
import { defaultClientEnvironment } from '../clients/locations.ts';

function status(airlock: Airlock): Status {
  return { version: airlock.version, home: airlock.paths.dir, url: airlock.url, pid: process.pid, paused: airlock.guard.isPaused };
}

function actionOf(policy: CompiledPolicy, entry: HistoryEntry, airlock: Airlock) {
  const annotations = airlock.catalog.tool(entry.server, entry.tool)?.annotations;
  // Limits are left out: a replay cannot know the counters each call met.
  return evaluate(policy, { server: entry.server, tool: entry.tool, args: entry.arguments, client: entry.client, sessionId: entry.sessionId, annotations }, NO_COUNTERS, entry.receivedAt);
}

/** Client configs are edited for the person running Airlock, pointing at this Airlock. */
function clientsContext(airlock: Airlock, projects?: string[]): ClientsContext {
  return {
    home: airlock.paths.dir,
    self: airlock.self,
    env: defaultClientEnvironment(projects ?? [process.cwd()]),
    endpoint: { url: airlock.url, token: airlock.tokens.mcpToken },
  };
}

export function createControlHandlers(airlock: Airlock): Handlers {
  return {
    'clients.list': (input) => listClients(clientsContext(airlock, input?.projects), input ?? {}),
    'clients.import': (input) => importServers(clientsContext(airlock, input.projects), input),
    'clients.protect': (input) => protect(clientsContext(airlock, input.projects), input),
    'clients.unprotect': (input) => unprotect(clientsContext(airlock, input.projects), input),
    'status.get': () => status(airlock),
    'pending.list': () => airlock.queue.list(),
    'pending.decide': ({ id, ...decision }) => airlock.queue.decide(id, decision),
    'history.query': (query) => airlock.stores.history.query(query),
    'history.get': ({ id }) => {
      const entry = airlock.stores.history.get(id);
      if (!entry) throw new ApiFailure(404, 'not_found', `no history entry ${id}`);
      return entry;
    },
    'policy.get': () => airlock.policy.state(),
    'policy.put': ({ text }) => airlock.policy.put(text),
    'policy.validate': ({ text }) => airlock.policy.validate(text),
    'policy.simulate': ({ text, limit }) => {
      const parsed = airlock.policy.validate(text);
      if (!parsed.ok) return { checked: 0, changes: [], problems: parsed.problems, limitChanges: [] };
      const draft = airlock.policy.compile(text);
      const current = airlock.policy.current;
      const entries = airlock.stores.history.query({ limit: Math.min(limit, 500) }).entries;
      let page = entries;
      let cursor = airlock.stores.history.query({ limit: Math.min(limit, 500) }).nextCursor;
      while (page.length < limit && cursor) {
        const next = airlock.stores.history.query({ limit: Math.min(limit - page.length, 500), cursor });
        page = [...page, ...next.entries];
        cursor = next.nextCursor;
      }
      const changes = [];
      for (const entry of page) {
        const before = actionOf(current, entry, airlock);
        const after = actionOf(draft, entry, airlock);
        if (before.action !== after.action) {
          changes.push({ historyId: entry.id, server: entry.server, tool: entry.tool, receivedAt: entry.receivedAt, before: before.action, after: after.action, rule: after.rule });
        }
      }
      return { checked: page.length, changes, problems: [], limitChanges: limitChanges(airlock.policy.state().text, text) };
    },
    'servers.list': () => airlock.serverStatuses().map((s) => airlock.catalog.describe(s)),
    'tools.changes': () => airlock.catalog.changes(),
    'tools.accept': ({ server, tool }) => {
      if (!airlock.catalog.accept(server, tool)) throw new ApiFailure(404, 'not_changed', `tool "${tool}" on "${server}" has no changed definition to accept`);
      return { ok: true as const };
    },
    'grants.list': () =>
      airlock.stores.grants.list().map(
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
      if (!airlock.stores.grants.revoke(id)) throw new ApiFailure(404, 'not_found', `no grant ${id}`);
      return { ok: true as const };
    },
    'approvals.pause': ({ paused }) => {
      airlock.guard.setPaused(paused);
      const s = status(airlock);
      airlock.control.emit({ type: 'status.changed', status: s });
      return s;
    },
  };
}
