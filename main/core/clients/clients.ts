/**
 * Putting Airlock in front of the clients people already use: find their MCP configs,
 * import their servers into config.json, rewrite their entries to go through Airlock
 * (protect) and back (unprotect), and spot servers an agent can still reach around Airlock.
 *
 * Synchronous on purpose: each operation reads, decides and writes a file with nothing
 * interleaved in this process. Fatal problems (a broken config.json or protected.json)
 * throw; problems with one client file or entry are reported in the result and leave that
 * file untouched.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNodeValue, applyEdits, modify, type Node } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import {
  CLIENT_NAMES,
  type Bypass,
  type ClientConfigFile,
  type ClientFileStatus,
  type ClientId,
  type ClientServer,
  type ClientsList,
  type ClientsListInput,
  type ClientsResult,
  type DiscoveredClient,
  type FileOutcome,
  type ImportInput,
  type ProtectInput,
  type ServerOutcome,
  type UnprotectInput,
  type Via,
} from '../../../shared/clients.ts';
import { ConfigSchema, type ServerConfig } from '../../../shared/config.ts';
import { ensureClientToken } from '../home/auth.ts';
import { ensureHome, homePaths, loadConfig, platformAppDataDir } from '../home/home.ts';
import { readRuntimeInfo } from '../home/runtime-file.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import type { SelfCommand } from '../upstream/command-resolver.ts';
import {
  ConcurrentChangeError,
  detectLayout,
  entryNode,
  readClientFile,
  renderValueAt,
  replaceValues,
  rewriteFile,
  serverEntries,
  writeBackup,
  type ClientFileRead,
  type RawEntry,
} from './client-file.ts';
import {
  airlockEntry,
  airlockServerOf,
  entryMatchesServer,
  renamedCandidates,
  sameDefinition,
  serverNameFor,
  summarizeEntry,
  toAirlockServer,
  TOKEN_VARIABLE,
  type AirlockTarget,
} from './entries.ts';
import { CLIENTS, clientDefinition, clientLocations, defaultClientEnvironment, pathApi, type ClientEnvironment, type ClientLocation } from './locations.ts';
import { backupsDir, loadProtected, sameSlot, saveProtected, type ProtectedEntry } from './protected-record.ts';

export interface ClientsContext {
  /** The Airlock home (config.json, auth.json, protected.json, backups/). */
  home: string;
  /** How a client spawns this Airlock (for the stdio bridge entries). */
  self: SelfCommand;
  /** The machine: home folder, platform, env, project folders. */
  env: ClientEnvironment;
  /**
   * The running Airlock, when the caller is it: its URL (else runtime.json tells whether one
   * runs, and on which port). HTTP entries always name the configured port, and are refused
   * while Airlock runs on another. `token` (the shared MCP token) is not written into any
   * entry: each client gets its own named token from auth.json (see clientToken).
   */
  endpoint?: { url: string; token: string };
  /** Consulted for AIRLOCK_MCP_TOKEN; process.env by default. */
  processEnv?: NodeJS.ProcessEnv;
  now?: () => number;
}

// ---------------------------------------------------------------------------------------
// Scanning

interface ScannedLocation extends ClientLocation {
  status: ClientFileStatus;
  error?: string;
  entries: RawEntry[];
}

function scanClient(client: ClientId, env: ClientEnvironment): ScannedLocation[] {
  const { jsonc } = clientDefinition(client);
  const reads = new Map<string, ClientFileRead>();
  const read = (path: string) => {
    let r = reads.get(path);
    if (!r) reads.set(path, (r = readClientFile(path, jsonc)));
    return r;
  };
  const out: ScannedLocation[] = [];
  const scan = (loc: ClientLocation, r: ClientFileRead): void => {
    if (r.status !== 'ok') {
      out.push({ ...loc, status: r.status, ...('error' in r && { error: r.error }), entries: [] });
      return;
    }
    const entries = serverEntries(r.text, r.root, loc.location);
    if (typeof entries === 'string') out.push({ ...loc, status: 'malformed', error: entries, entries: [] });
    else out.push({ ...loc, status: 'ok', entries: entries ?? [] });
  };
  for (const loc of clientLocations(client, env)) {
    const r = read(loc.path);
    scan(loc, r);
    // Claude Code keeps per-project ("local") servers in the user file, under projects.<path>.
    if (client === 'claude-code' && loc.scope === 'user' && r.status === 'ok' && r.root) {
      const projects = r.root.children?.find((p) => p.children?.[0]?.value === 'projects')?.children?.[1];
      for (const prop of projects?.type === 'object' ? (projects.children ?? []) : []) {
        const project = prop.children?.[0]?.value;
        if (typeof project !== 'string') continue;
        const location = ['projects', project, 'mcpServers'];
        const entries = serverEntries(r.text, r.root, location);
        if (entries === undefined || (Array.isArray(entries) && entries.length === 0)) continue;
        scan({ client, scope: 'local', path: loc.path, project, location }, r);
      }
    }
  }
  return out;
}

/**
 * HTTP entries name the configured port (config.json `airlock.port`), never the port this
 * run happens to use: after `--port 0` the next start listens elsewhere and every entry
 * written with the old port would break. When the running Airlock is on another port than
 * the configured one, an entry would be wrong either now or after the next start, so none
 * is written and the refusal says why.
 */
function resolveTarget(ctx: ClientsContext): AirlockTarget {
  const target: AirlockTarget = { home: ctx.home, self: ctx.self };
  const paths = homePaths(ctx.home);
  let configured: number;
  try {
    configured = loadConfig(paths.config).airlock.port;
  } catch (err) {
    return { ...target, httpRefusal: `cannot read the configured port: ${(err as Error).message}` };
  }
  const running = runningPort(ctx);
  if (configured === 0) {
    return {
      ...target,
      httpRefusal:
        'airlock.port in config.json is 0 (any free port), so there is no port an entry could keep; set airlock.port to a fixed port (7323 is the default) and restart Airlock, or use the stdio bridge (--via stdio)',
    };
  }
  const baseUrl = `http://127.0.0.1:${configured}`;
  if (running !== undefined && running !== configured) {
    return {
      ...target,
      baseUrl,
      httpRefusal: `Airlock runs on port ${running}, not on its configured port ${configured} (airlock.port in config.json): an entry with port ${running} breaks when Airlock restarts, one with ${configured} does not work until then; restart Airlock without --port (or set airlock.port to the port you want), or use the stdio bridge (--via stdio)`,
    };
  }
  return { ...target, baseUrl };
}

/** The port of the Airlock running for this home, if one runs. */
function runningPort(ctx: ClientsContext): number | undefined {
  const url = ctx.endpoint?.url ?? readRuntimeInfo(homePaths(ctx.home).runtime)?.url;
  if (!url) return undefined;
  try {
    return Number(new URL(url).port);
  } catch {
    return undefined;
  }
}

/**
 * The client's own named token (auth.json `clients.<client>`, created on first protect and
 * the same after), so policy, limits and history know which client called. The running
 * Airlock accepts a new one at its first use (home/auth.ts).
 */
function clientToken(ctx: ClientsContext, client: ClientId): string {
  ensureHome(homePaths(ctx.home));
  return ensureClientToken(homePaths(ctx.home).auth, client, ctx.processEnv ?? process.env);
}

function recordFor(records: ProtectedEntry[], loc: ClientLocation, name: string): ProtectedEntry | undefined {
  return records.find((r) => sameSlot(r, { path: loc.path, location: loc.location, name }));
}

/** The Airlock server an entry goes to: recognised by shape, or because Airlock wrote exactly this. */
function protectedAs(value: unknown, record: ProtectedEntry | undefined, target: AirlockTarget): { server: string; via: Via } | undefined {
  const recognised = airlockServerOf(value, target);
  if (recognised) return recognised;
  if (record && canonicalJson(record.written) === canonicalJson(value)) return { server: record.server, via: record.via };
  return undefined;
}

function describeServer(entry: RawEntry, loc: ClientLocation, records: ProtectedEntry[], target: AirlockTarget): ClientServer {
  const { error, ...summary } = summarizeEntry(entry.value);
  const record = recordFor(records, loc, entry.name);
  const ours = protectedAs(entry.value, record, target);
  return {
    name: entry.name,
    ...summary,
    protected: ours !== undefined,
    ...(ours && { airlockServer: ours.server, via: ours.via }),
    restorable: ours !== undefined && record !== undefined,
    ...((entry.error ?? error) !== undefined && { error: entry.error ?? error }),
  };
}

function loadRecordsForListing(home: string): ProtectedEntry[] {
  try {
    return loadProtected(home);
  } catch {
    return []; // listing still works; protect/unprotect report the damaged record
  }
}

/** A context for this machine (real home folder, platform and env). */
export function defaultClientsContext(home: string, self: SelfCommand, projects: string[] = [process.cwd()]): ClientsContext {
  return { home, self, env: defaultClientEnvironment(projects) };
}

/** Every client's config files at their documented locations, and the servers in them. */
export function discoverClients(ctx: ClientsContext, input: ClientsListInput = {}): DiscoveredClient[] {
  const target = resolveTarget(ctx);
  const records = loadRecordsForListing(ctx.home);
  const env = environment(ctx, input.projects);
  return CLIENTS.map((def) => ({
    id: def.id,
    name: CLIENT_NAMES[def.id],
    stdioOnly: def.stdioOnly,
    files: scanClient(def.id, env).map(
      (loc): ClientConfigFile => ({
        client: loc.client,
        scope: loc.scope,
        path: loc.path,
        ...(loc.project !== undefined && { project: loc.project }),
        location: loc.location,
        status: loc.status,
        ...(loc.error !== undefined && { error: loc.error }),
        servers: loc.entries.map((e) => describeServer(e, loc, records, target)),
      }),
    ),
  }));
}

/**
 * Servers Airlock guards that an agent can reach without it: an unprotected client entry
 * that runs the same command line, or points at the same URL.
 */
export function findBypasses(ctx: ClientsContext, input: ClientsListInput = {}): Bypass[] {
  const paths = homePaths(ctx.home);
  const config = loadConfig(paths.config);
  const target = resolveTarget(ctx);
  const env = environment(ctx, input.projects);
  const out: Bypass[] = [];
  for (const def of CLIENTS) {
    for (const loc of scanClient(def.id, env)) {
      for (const entry of loc.entries) {
        if (airlockServerOf(entry.value, target)) continue;
        for (const [server, cfg] of Object.entries(config.mcpServers)) {
          if (cfg.disabled) continue;
          const match = entryMatchesServer(entry.value, cfg);
          if (!match) continue;
          out.push({
            server,
            client: loc.client,
            scope: loc.scope,
            path: loc.path,
            ...(loc.project !== undefined && { project: loc.project }),
            entry: entry.name,
            match,
          });
        }
      }
    }
  }
  return out;
}

/** What a Clients view shows: every client's files and servers, and the bypasses. */
export function listClients(ctx: ClientsContext, input: ClientsListInput = {}): ClientsList {
  const clients = discoverClients(ctx, input);
  try {
    return { clients, bypasses: findBypasses(ctx, input) };
  } catch (err) {
    return { clients, bypasses: [], bypassError: (err as Error).message };
  }
}

// ---------------------------------------------------------------------------------------
// Selecting what an operation applies to

interface Chosen {
  loc: ScannedLocation;
  entry: RawEntry;
}

interface Selection {
  locations: ScannedLocation[];
  chosen: Chosen[];
  wanted: Set<string> | undefined;
  /** Files named in the input that are not this client's. */
  unknownFiles: string[];
}

function normalizeFile(ctx: ClientsContext, file: string): string {
  const api = pathApi(ctx.env.platform);
  return ctx.env.platform === process.platform ? api.resolve(file) : api.normalize(file);
}

/** The machine as the context describes it, plus the project folders an input names. */
function environment(ctx: ClientsContext, projects: string[] | undefined): ClientEnvironment {
  return projects?.length ? { ...ctx.env, projects: [...new Set([...ctx.env.projects, ...projects])] } : ctx.env;
}

function select(ctx: ClientsContext, input: ImportInput): Selection {
  const all = scanClient(input.client, environment(ctx, input.projects));
  const files = input.files?.length ? new Set(input.files.map((f) => normalizeFile(ctx, f))) : undefined;
  const locations = files ? all.filter((l) => files.has(l.path)) : all;
  const unknownFiles = files ? [...files].filter((f) => !all.some((l) => l.path === f)) : [];
  const wanted = input.servers?.length ? new Set(input.servers) : undefined;
  const chosen: Chosen[] = [];
  for (const loc of locations) {
    for (const entry of loc.entries) if (!wanted || wanted.has(entry.name)) chosen.push({ loc, entry });
  }
  return { locations, chosen, wanted, unknownFiles };
}

function locKey(loc: ClientLocation): string {
  return `${loc.path}\0${loc.location.join('\0')}`;
}

/** Collects one FileOutcome per location, in the order locations were met. */
class Outcomes {
  private readonly byLoc = new Map<string, FileOutcome>();
  readonly notes: string[] = [];

  file(loc: ClientLocation): FileOutcome {
    const key = locKey(loc);
    let outcome = this.byLoc.get(key);
    if (!outcome) {
      outcome = { client: loc.client, scope: loc.scope, path: loc.path, ...(loc.project !== undefined && { project: loc.project }), status: 'unchanged', servers: [] };
      this.byLoc.set(key, outcome);
    }
    return outcome;
  }

  server(loc: ClientLocation, outcome: ServerOutcome): void {
    this.file(loc).servers.push(outcome);
  }

  fail(loc: ClientLocation, error: string): void {
    const file = this.file(loc);
    file.status = 'error';
    file.error = error;
  }

  /** Problems with the selected files themselves (malformed, unreadable, not this client's). */
  reportFiles(selection: Selection, client: ClientId): void {
    for (const loc of selection.locations) {
      if (loc.status === 'malformed' || loc.status === 'unreadable') {
        this.fail(loc, `${loc.status === 'malformed' ? 'malformed' : 'unreadable'}: ${loc.error ?? ''}; the file was left untouched`);
      }
    }
    for (const path of selection.unknownFiles) {
      this.fail({ client, scope: 'project', path, location: [] }, `not one of ${CLIENT_NAMES[client]}'s config files here (for a project file, pass its folder as a project)`);
    }
  }

  result(notFound: string[], configChanged: boolean): ClientsResult {
    const files = [...this.byLoc.values()];
    const ok = notFound.length === 0 && files.every((f) => f.status !== 'error' && f.servers.every((s) => s.status !== 'error'));
    return { ok, files, notFound, configChanged, notes: this.notes };
  }
}

function notFoundNames(selection: Selection, alsoKnown: Iterable<string> = []): string[] {
  if (!selection.wanted) return [];
  const known = new Set([...selection.chosen.map((c) => c.entry.name), ...alsoKnown]);
  return [...selection.wanted].filter((n) => !known.has(n));
}

// ---------------------------------------------------------------------------------------
// Import

interface ImportItem extends Chosen {
  config: ServerConfig;
}

interface ImportPlanEntry {
  server: string;
  status: 'added' | 'renamed' | 'reused';
  message?: string;
}

/** Decides each item's Airlock name: reuse a server with the same definition, else add, renaming on a clash. */
function planImports(existing: Record<string, ServerConfig>, items: ImportItem[]): { plan: ImportPlanEntry[]; additions: { name: string; config: ServerConfig }[] } {
  const servers = { ...existing };
  const additions: { name: string; config: ServerConfig }[] = [];
  const plan = items.map(({ entry, loc, config }): ImportPlanEntry => {
    const base = serverNameFor(entry.name);
    const same = servers[base] && sameDefinition(servers[base], config) ? base : Object.keys(servers).find((n) => sameDefinition(servers[n]!, config));
    if (same) return { server: same, status: 'reused', ...(same !== entry.name && { message: `same server as "${same}" in config.json` }) };
    let name = base;
    let message: string | undefined;
    if (servers[base]) {
      name = renamedCandidates(base, loc.client).find((c) => !servers[c]) ?? base;
      message = `config.json already has a different "${base}"; imported as "${name}"`;
    } else if (base !== entry.name) {
      message = `"${entry.name}" is not a valid server name; imported as "${name}"`;
    }
    servers[name] = config;
    additions.push({ name, config });
    return { server: name, status: name === entry.name ? 'added' : 'renamed', ...(message !== undefined && { message }) };
  });
  return { plan, additions };
}

/** Adds servers to config.json, keeping its formatting; the file stays private (it holds secrets). */
function addToConfig(home: string, additions: { name: string; config: ServerConfig }[]): void {
  if (!additions.length) return;
  const paths = homePaths(home);
  let text = readFileSync(paths.config, 'utf8');
  const layout = detectLayout(text);
  const formattingOptions = { insertSpaces: layout.unit !== '\t', tabSize: layout.unit === '\t' ? 4 : layout.unit.length, eol: layout.eol };
  for (const { name, config } of additions) {
    text = applyEdits(text, modify(text, ['mcpServers', name], config, { formattingOptions }));
  }
  const check = ConfigSchema.safeParse(JSON.parse(text));
  if (!check.success) throw new Error(`${paths.config}: adding servers would make it invalid (${check.error.issues[0]?.message ?? 'invalid'}); nothing was written`);
  writeFileAtomic.sync(paths.config, text, { mode: 0o600 });
  if (process.platform !== 'win32') chmodSync(paths.config, 0o600);
}

/**
 * Sorts chosen entries into those to import and those to report, then imports. Returns the
 * Airlock server of each imported item (same order as `items`).
 */
function importChosen(
  ctx: ClientsContext,
  chosen: Chosen[],
  outcomes: Outcomes,
  records: ProtectedEntry[],
  target: AirlockTarget,
  reportImport: boolean,
): { items: ImportItem[]; plan: ImportPlanEntry[]; configChanged: boolean } {
  const items: ImportItem[] = [];
  for (const { loc, entry } of chosen) {
    if (loc.status !== 'ok') continue;
    if (entry.error) {
      outcomes.server(loc, { name: entry.name, status: 'error', message: entry.error });
      continue;
    }
    const ours = protectedAs(entry.value, recordFor(records, loc, entry.name), target);
    if (ours) {
      outcomes.server(loc, { name: entry.name, server: ours.server, status: 'unchanged', message: 'already goes through Airlock' });
      continue;
    }
    const conversion = toAirlockServer(entry.value, loc);
    for (const note of conversion.notes) outcomes.notes.push(`${entry.name} (${loc.path}): ${note}`);
    if (!conversion.config) {
      outcomes.server(loc, { name: entry.name, status: 'error', message: conversion.error ?? 'cannot be imported' });
      continue;
    }
    items.push({ loc, entry, config: conversion.config });
  }
  if (!items.length) return { items, plan: [], configChanged: false };
  const paths = homePaths(ctx.home);
  ensureHome(paths);
  const config = loadConfig(paths.config);
  const { plan, additions } = planImports(config.mcpServers, items);
  addToConfig(ctx.home, additions);
  if (reportImport) {
    items.forEach((item, i) => {
      const p = plan[i]!;
      outcomes.server(item.loc, { name: item.entry.name, server: p.server, status: p.status, ...(p.message !== undefined && { message: p.message }) });
    });
  }
  if (additions.length && readRuntimeInfo(paths.runtime)) {
    outcomes.notes.push(`Airlock is running: restart it to start ${additions.map((a) => `"${a.name}"`).join(', ')}`);
  }
  return { items, plan, configChanged: additions.length > 0 };
}

/** Adds the servers of a client's files to Airlock's config.json (client files are not changed). */
export function importServers(ctx: ClientsContext, input: ImportInput): ClientsResult {
  const selection = select(ctx, input);
  const outcomes = new Outcomes();
  outcomes.reportFiles(selection, input.client);
  const { configChanged } = importChosen(ctx, selection.chosen, outcomes, loadRecordsForListing(ctx.home), resolveTarget(ctx), true);
  return outcomes.result(notFoundNames(selection), configChanged);
}

// ---------------------------------------------------------------------------------------
// Protect

function groupByPath<T extends { loc: ClientLocation }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.loc.path) ?? [];
    list.push(item);
    groups.set(item.loc.path, list);
  }
  return groups;
}

function defaultVia(client: ClientId, loc: ClientLocation): Via {
  // Project files are often committed: the bridge keeps the token out of them.
  return clientDefinition(client).stdioOnly || loc.scope === 'project' ? 'stdio' : 'http';
}

/**
 * Rewrites the chosen entries of a client's files to go through Airlock, importing their
 * servers first. A backup of each file is written before it changes; entries already going
 * through Airlock are left as they are, so protecting twice changes nothing.
 */
export function protect(ctx: ClientsContext, input: ProtectInput): ClientsResult {
  const selection = select(ctx, input);
  const outcomes = new Outcomes();
  outcomes.reportFiles(selection, input.client);
  let records = loadProtected(ctx.home);
  const target = resolveTarget(ctx);
  const { items, plan, configChanged } = importChosen(ctx, selection.chosen, outcomes, records, target, false);
  const def = clientDefinition(input.client);
  if (def.stdioOnly && input.via === 'http') outcomes.notes.push(`${CLIENT_NAMES[input.client]} only spawns commands: its entries use the stdio bridge`);
  let token: string | undefined;
  const now = ctx.now?.() ?? Date.now();
  const projectVia = new Set<Via>();

  const planned = items.map((item, i) => ({ ...item, server: plan[i]!.server, importMessage: plan[i]!.message }));
  for (const [path, group] of groupByPath(planned)) {
    const read = readClientFile(path, def.jsonc);
    if (read.status !== 'ok') {
      for (const item of group) outcomes.fail(item.loc, `${read.status}${'error' in read ? `: ${read.error}` : ''}; the file was left untouched`);
      continue;
    }
    const replacements: { node: Node; content: string }[] = [];
    const added: ProtectedEntry[] = [];
    const done: { item: (typeof planned)[number]; via: Via }[] = [];
    for (const item of group) {
      const { loc, entry, server } = item;
      const node = entryNode(read.root, loc.location, entry.name);
      if (!node || canonicalJson(getNodeValue(node)) !== canonicalJson(entry.value)) {
        outcomes.server(loc, { name: entry.name, server, status: 'error', message: 'the entry changed while Airlock was reading it; try again' });
        continue;
      }
      const via = def.stdioOnly ? 'stdio' : (input.via ?? defaultVia(input.client, loc));
      let written: Record<string, unknown>;
      try {
        const project = loc.scope === 'project';
        if (via === 'http' && !project && !target.httpRefusal) token ??= clientToken(ctx, input.client);
        // A bridge entry names the client (`--client`); its token must exist for the bridge to send it.
        if (via === 'stdio' && !project) clientToken(ctx, input.client);
        written = airlockEntry(input.client, server, via, target, token, project);
        if (project) projectVia.add(via);
      } catch (err) {
        outcomes.server(loc, { name: entry.name, server, status: 'error', message: (err as Error).message });
        continue;
      }
      replacements.push({ node, content: renderValueAt(read.text, node.offset, written) });
      added.push({
        client: loc.client,
        scope: loc.scope,
        path: loc.path,
        ...(loc.project !== undefined && { project: loc.project }),
        location: loc.location,
        name: entry.name,
        server,
        via,
        originalText: entry.text,
        original: entry.value,
        written,
        protectedAt: now,
      });
      done.push({ item, via });
    }
    if (!replacements.length) continue;
    const after = replaceValues(read.text, replacements);
    const backup = writeBackup(backupsDir(ctx.home), input.client, read.text, now);
    for (const a of added) a.backup = backup;
    // The record is written before the file: after a crash in between, unprotect finds the
    // entry still original and simply drops the record.
    const before = records;
    records = [...records.filter((r) => !added.some((a) => sameSlot(a, r))), ...added];
    saveProtected(ctx.home, records);
    try {
      rewriteFile(path, read.text, after);
    } catch (err) {
      records = before;
      saveProtected(ctx.home, records);
      for (const { item } of done) outcomes.fail(item.loc, err instanceof ConcurrentChangeError ? err.message : `cannot write: ${(err as Error).message}`);
      continue;
    }
    for (const { item, via } of done) {
      const file = outcomes.file(item.loc);
      file.status = 'written';
      file.backup = backup;
      const how = via === 'http' ? 'HTTP endpoint' : 'stdio bridge';
      outcomes.server(item.loc, {
        name: item.entry.name,
        server: item.server,
        status: 'protected',
        message: [`via the ${how}`, item.importMessage].filter(Boolean).join('; '),
      });
    }
  }
  const wrote = outcomes.result([], false).files.some((f) => f.status === 'written');
  if (projectVia.has('stdio')) {
    const note = `project files name no path of this machine: their entries run \`airlock connect\`, so the \`airlock\` command must be on PATH`;
    // Where `airlock connect` looks without --home or AIRLOCK_HOME.
    const defaultHome = join(platformAppDataDir(process.platform, ctx.processEnv ?? process.env), 'Airlock');
    outcomes.notes.push(ctx.home === defaultHome ? note : `${note}, and find this home (${ctx.home}) through AIRLOCK_HOME in the environment the client runs in`);
  }
  if (projectVia.has('http')) {
    outcomes.notes.push(`project files carry no token: their HTTP entries read it from ${TOKEN_VARIABLE}; set it to the MCP token (mcpToken in auth.json) in the environment the client runs in`);
  }
  if (wrote && !ctx.endpoint && !readRuntimeInfo(homePaths(ctx.home).runtime)) {
    outcomes.notes.push('Airlock is not running: start it (the app or `airlock serve`), then restart the client; protected entries never reach the servers without it');
  }
  return outcomes.result(notFoundNames(selection), configChanged);
}

// ---------------------------------------------------------------------------------------
// Unprotect

/**
 * Puts the original entries back, from Airlock's record, for the chosen entries of a
 * client. Only our entries are touched: the person's other edits stay. An entry the
 * person removed or replaced since is left as it is (and its record dropped).
 */
export function unprotect(ctx: ClientsContext, input: UnprotectInput): ClientsResult {
  const selection = select(ctx, input);
  let records = loadProtected(ctx.home);
  // A recorded file is known even when it is not among the files discovered here.
  selection.unknownFiles = selection.unknownFiles.filter((f) => !records.some((r) => r.client === input.client && r.path === f));
  const outcomes = new Outcomes();
  outcomes.reportFiles(selection, input.client);
  const target = resolveTarget(ctx);
  const def = clientDefinition(input.client);
  const files = input.files?.length ? new Set(input.files.map((f) => normalizeFile(ctx, f))) : undefined;
  const chosen = records.filter((r) => r.client === input.client && (!files || files.has(r.path)) && (!selection.wanted || selection.wanted.has(r.name)));

  for (const { loc, entry } of selection.chosen) {
    if (loc.status !== 'ok' || recordFor(records, loc, entry.name)) continue;
    const ours = airlockServerOf(entry.value, target);
    if (ours) {
      // Goes through Airlock with no record: we cannot know what it was.
      outcomes.server(loc, {
        name: entry.name,
        server: ours.server,
        status: 'error',
        message: `goes through Airlock but Airlock has no record of the original entry; restore it by hand (backups: ${backupsDir(ctx.home)})`,
      });
    } else if (selection.wanted) {
      outcomes.server(loc, { name: entry.name, status: 'unchanged', message: 'not protected' });
    }
  }

  const now = ctx.now?.() ?? Date.now();
  const asItems = chosen.map((r) => ({ loc: r as ClientLocation, record: r }));
  for (const [path, group] of groupByPath(asItems)) {
    const read = readClientFile(path, def.jsonc);
    if (read.status === 'missing') {
      for (const { record } of group) {
        outcomes.server(record, { name: record.name, server: record.server, status: 'skipped', message: `the file is gone${record.backup ? ` (its last copy: ${record.backup})` : ''}` });
      }
      records = records.filter((r) => !group.some((g) => g.record === r));
      continue;
    }
    if (read.status !== 'ok') {
      // Keep the records: with the backups, they are the only copy of the originals.
      for (const { loc } of group) outcomes.fail(loc, `${read.status}: ${read.error}; nothing was restored`);
      continue;
    }
    const replacements: { node: Node; content: string }[] = [];
    const restored: ProtectedEntry[] = [];
    const dropped: ProtectedEntry[] = [];
    for (const { record } of group) {
      const node = entryNode(read.root, record.location, record.name);
      const base = { name: record.name, server: record.server };
      if (!node) {
        outcomes.server(record, { ...base, status: 'skipped', message: 'no longer in the file; nothing to restore' });
        dropped.push(record);
        continue;
      }
      const value: unknown = getNodeValue(node);
      if (canonicalJson(value) === canonicalJson(record.original)) {
        outcomes.server(record, { ...base, status: 'unchanged', message: 'already the original entry' });
        dropped.push(record);
        continue;
      }
      if (protectedAs(value, record, target)?.server !== record.server) {
        outcomes.server(record, { ...base, status: 'skipped', message: 'changed since Airlock protected it; left as it is' });
        dropped.push(record);
        continue;
      }
      replacements.push({ node, content: record.originalText });
      restored.push(record);
    }
    if (replacements.length) {
      const after = replaceValues(read.text, replacements);
      let backup: string;
      try {
        backup = writeBackup(backupsDir(ctx.home), input.client, read.text, now);
        rewriteFile(path, read.text, after);
      } catch (err) {
        for (const r of restored) outcomes.fail(r, err instanceof ConcurrentChangeError ? err.message : `cannot write: ${(err as Error).message}`);
        records = records.filter((r) => !dropped.includes(r));
        continue;
      }
      for (const r of restored) {
        const file = outcomes.file(r);
        file.status = 'written';
        file.backup = backup;
        outcomes.server(r, { name: r.name, server: r.server, status: 'restored' });
      }
    }
    records = records.filter((r) => !dropped.includes(r) && !restored.includes(r));
  }
  if (chosen.length) saveProtected(ctx.home, records);
  return outcomes.result(notFoundNames(selection, chosen.map((r) => r.name)), false);
}
