/**
 * Client entries in each client's dialect, and how they map to Airlock: an entry becomes a
 * server in config.json (import), and a server becomes the entry a client uses to reach it
 * through Airlock (protect). Also recognises entries that already go through Airlock.
 */
import { basename } from 'node:path';
import { RemoteServerSchema, StdioServerSchema, ServerNameSchema, type ServerConfig } from '../../../shared/config.ts';
import { CLIENT_NAMES, type ClientId, type ClientScope, type Via } from '../../../shared/clients.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import type { SelfCommand } from '../upstream/command-resolver.ts';

/** Where a protected entry leads: this Airlock's home, program and endpoint. */
export interface AirlockTarget {
  home: string;
  self: SelfCommand;
  /** `http://127.0.0.1:<port>` with the configured port (config.json `airlock.port`), when it is fixed. */
  baseUrl?: string;
  /** Set when no HTTP entry may be written now, saying why (see resolveTarget in clients.ts). */
  httpRefusal?: string;
}

/**
 * The environment variable a project file's HTTP entry takes the token from, in each
 * client's syntax: a committed file must not carry the token itself. (It is also the
 * variable that sets Airlock's own MCP token, so one export serves both sides.)
 */
export const TOKEN_VARIABLE = 'AIRLOCK_MCP_TOKEN';
const TOKEN_REFERENCE: Record<ClientId, string> = {
  'claude-desktop': `\${${TOKEN_VARIABLE}}`,
  'claude-code': `\${${TOKEN_VARIABLE}}`,
  cursor: `\${env:${TOKEN_VARIABLE}}`,
  vscode: `\${env:${TOKEN_VARIABLE}}`,
};

export interface EntrySource {
  client: ClientId;
  scope: ClientScope;
  path: string;
  project?: string;
}

const STDIO_KEYS = new Set(['type', 'command', 'args', 'env', 'cwd', 'disabled']);
const REMOTE_KEYS = new Set(['type', 'transport', 'url', 'headers', 'disabled']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown, what: string): Record<string, string> | string {
  if (!isRecord(value)) return `${what} must be an object of strings`;
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') return `${what}.${k} must be a string`;
  return value as Record<string, string>;
}

/** A short description of an entry for listings (no env values, no headers). */
export function summarizeEntry(value: unknown): { transport?: 'stdio' | 'http' | 'sse'; command?: string; args?: string[]; url?: string; error?: string } {
  if (!isRecord(value)) return { error: 'not an object' };
  if (typeof value.command === 'string') {
    const args = Array.isArray(value.args) ? value.args.filter((a): a is string => typeof a === 'string') : [];
    return { transport: 'stdio', command: value.command, args };
  }
  if (typeof value.url === 'string') {
    const sse = value.type === 'sse' || value.transport === 'sse';
    return { transport: sse ? 'sse' : 'http', url: value.url };
  }
  return { error: 'has neither "command" nor "url"' };
}

export interface Conversion {
  config?: ServerConfig;
  error?: string;
  notes: string[];
}

/**
 * A client entry as an Airlock server (config.json format), with its env and headers.
 * Project entries run in their project folder, as the client would run them.
 */
export function toAirlockServer(value: unknown, source: EntrySource): Conversion {
  const notes: string[] = [];
  if (!isRecord(value)) return { error: 'the entry is not an object', notes };
  const where = `${CLIENT_NAMES[source.client]} (${source.path})`;
  const variables = JSON.stringify(value).match(/\$\{[^}]*\}/g);
  if (variables?.some((v) => v.startsWith('${input:'))) {
    return { error: `uses VS Code input variables (${variables.join(', ')}) whose values only VS Code knows; put the values in Airlock's config.json by hand`, notes };
  }
  if (variables) notes.push(`uses variables Airlock does not expand: ${[...new Set(variables)].join(', ')}`);
  if (value.envFile !== undefined) return { error: '"envFile" is not supported: copy its variables into "env" first', notes };
  if (typeof value.command === 'string') {
    const ignored = Object.keys(value).filter((k) => !STDIO_KEYS.has(k));
    if (ignored.length) notes.push(`ignored keys: ${ignored.join(', ')}`);
    const config: Record<string, unknown> = { command: value.command, args: value.args ?? [] };
    if (value.env !== undefined) {
      const env = stringRecord(value.env, 'env');
      if (typeof env === 'string') return { error: env, notes };
      if (Object.keys(env).length) config.env = env;
    }
    if (value.cwd !== undefined) config.cwd = value.cwd;
    else if (source.scope === 'project' && source.project) config.cwd = source.project;
    if (value.disabled === true) config.disabled = true;
    config.description = `Imported from ${where}`;
    const parsed = StdioServerSchema.safeParse(config);
    if (!parsed.success) return { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; '), notes };
    return { config: parsed.data, notes };
  }
  if (typeof value.url === 'string') {
    const ignored = Object.keys(value).filter((k) => !REMOTE_KEYS.has(k));
    if (ignored.length) notes.push(`ignored keys: ${ignored.join(', ')}`);
    const config: Record<string, unknown> = { url: value.url };
    if (value.headers !== undefined) {
      const headers = stringRecord(value.headers, 'headers');
      if (typeof headers === 'string') return { error: headers, notes };
      if (Object.keys(headers).length) config.headers = headers;
    }
    // A remote entry that carries no credentials of its own is one the client signs in to
    // (MCP authorization): Airlock becomes the one that signs in, or the server would only
    // answer 401 once Airlock stands in front of it.
    if (config.headers === undefined) {
      config.oauth = {};
      notes.push('sends no credentials: imported as a server Airlock signs in to ("oauth": {}); sign in from the Servers view or with `airlock login <server>`');
    }
    if (value.type === 'sse' || value.transport === 'sse') config.transport = 'sse';
    if (value.disabled === true) config.disabled = true;
    config.description = `Imported from ${where}`;
    const parsed = RemoteServerSchema.safeParse(config);
    if (!parsed.success) return { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; '), notes };
    return { config: parsed.data, notes };
  }
  return { error: 'the entry has neither "command" nor "url"', notes };
}

function normalizeUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** What makes two server definitions the same server (descriptions and flags aside). */
function definitionKey(config: ServerConfig): string {
  if ('command' in config) {
    return canonicalJson({ command: config.command, args: config.args, env: config.env ?? {}, cwd: config.cwd ?? null });
  }
  const sse = config.transport === 'sse' || config.type === 'sse';
  return canonicalJson({ url: normalizeUrl(config.url), headers: config.headers ?? {}, transport: sse ? 'sse' : 'http' });
}

export function sameDefinition(a: ServerConfig, b: ServerConfig): boolean {
  return definitionKey(a) === definitionKey(b);
}

function programName(command: string): string {
  return basename(command.replaceAll('\\', '/')).replace(/\.(exe|cmd|bat)$/i, '').toLowerCase();
}

/**
 * The same program: equal, or the same name when either side is a bare name found on
 * PATH (`npx` and `/opt/homebrew/bin/npx` run the same thing for the person who wrote them).
 */
function sameProgram(a: string, b: string): boolean {
  if (a === b) return true;
  const bare = (c: string) => !c.includes('/') && !c.includes('\\');
  return (bare(a) || bare(b)) && programName(a) === programName(b);
}

/** Does a client entry start the same server as this Airlock server (command line or URL)? */
export function entryMatchesServer(value: unknown, config: ServerConfig): 'command' | 'url' | undefined {
  if (!isRecord(value)) return undefined;
  if ('command' in config) {
    if (typeof value.command !== 'string' || !sameProgram(value.command, config.command)) return undefined;
    const args = Array.isArray(value.args) ? value.args : [];
    return canonicalJson(args) === canonicalJson(config.args) ? 'command' : undefined;
  }
  if (typeof value.url !== 'string') return undefined;
  return normalizeUrl(value.url) === normalizeUrl(config.url) ? 'url' : undefined;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The Airlock server an entry already goes to (and how), or undefined when it is not an
 * Airlock entry: `airlock connect <name>` run by this program or an `airlock` on PATH, or
 * this Airlock's `/mcp/<name>` endpoint on the loopback address.
 */
export function airlockServerOf(value: unknown, target: AirlockTarget): { server: string; via: Via } | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.command === 'string') {
    const args = Array.isArray(value.args) ? value.args.map(String) : [];
    const i = args.indexOf('connect');
    const server = args[i + 1];
    if (i < 0 || !server) return undefined;
    const prefix = args.slice(0, i);
    const ours =
      (value.command === target.self.command && canonicalJson(prefix) === canonicalJson(target.self.args)) ||
      (programName(value.command) === 'airlock' && prefix.length === 0);
    if (!ours) return undefined;
    const homeAt = args.indexOf('--home', i);
    if (homeAt >= 0 && args[homeAt + 1] !== target.home) return undefined;
    return { server, via: 'stdio' };
  }
  if (typeof value.url === 'string') {
    let url: URL;
    try {
      url = new URL(value.url);
    } catch {
      return undefined;
    }
    const match = /^\/mcp\/([^/]+)\/?$/.exec(url.pathname);
    if (!match?.[1] || !LOOPBACK.has(url.hostname) || url.protocol !== 'http:') return undefined;
    if (target.baseUrl && new URL(target.baseUrl).port !== url.port) return undefined;
    return { server: decodeURIComponent(match[1]), via: 'http' };
  }
  return undefined;
}

/**
 * The entry a client uses to reach Airlock's server `server`, in that client's dialect.
 * `project`: the file is a project's (often committed), so the entry names no path of this
 * machine and no token: the bridge is the `airlock` command on PATH with the default home,
 * and an HTTP entry reads the token from the environment.
 */
export function airlockEntry(client: ClientId, server: string, via: Via, target: AirlockTarget, token: string | undefined, project = false): Record<string, unknown> {
  // Claude Code and VS Code name the transport; Claude Desktop and Cursor infer it.
  const typed = client === 'claude-code' || client === 'vscode';
  if (via === 'stdio') {
    const command = project ? 'airlock' : target.self.command;
    // `--client`: the bridge sends this client's own token (auth.json `clients`), so its calls carry its name.
    const args = project ? ['connect', server] : [...target.self.args, 'connect', server, '--home', target.home, '--client', client];
    return typed ? { type: 'stdio', command, args } : { command, args };
  }
  if (target.httpRefusal) throw new Error(target.httpRefusal);
  if (!target.baseUrl || (!token && !project)) throw new Error('the HTTP endpoint of Airlock is unknown');
  const url = `${target.baseUrl}/mcp/${encodeURIComponent(server)}`;
  const headers = { Authorization: `Bearer ${project ? TOKEN_REFERENCE[client] : token}` };
  return typed ? { type: 'http', url, headers } : { url, headers };
}

/** A valid, free Airlock server name for an entry name (config.json names are URL segments). */
export function serverNameFor(name: string): string {
  if (ServerNameSchema.safeParse(name).success) return name;
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned || 'server';
}

/** `<base>-<client>`, then `-2`, `-3`...: kept within the 64 characters a name may have. */
export function renamedCandidates(base: string, client: ClientId): string[] {
  const out: string[] = [];
  for (let n = 1; n <= 50; n++) {
    const suffix = n === 1 ? `-${client}` : `-${client}-${n}`;
    out.push(base.slice(0, 64 - suffix.length) + suffix);
  }
  return out;
}
