/**
 * Where each client keeps its MCP servers, per platform, at the documented locations.
 * Everything that depends on the machine (home folder, platform, env, project folders)
 * comes in through ClientEnvironment, so tests use temporary folders and never the real ~.
 */
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import type { ClientId, ClientScope } from '../../../shared/clients.ts';

export interface ClientEnvironment {
  /** The user's home folder. */
  homedir: string;
  platform: NodeJS.Platform;
  /** APPDATA (Windows), XDG_CONFIG_HOME (Linux), CLAUDE_CONFIG_DIR (Claude Code). */
  env: Record<string, string | undefined>;
  /** Project or workspace folders whose project-scoped files are looked at. */
  projects: string[];
}

export function defaultClientEnvironment(projects: string[] = [process.cwd()]): ClientEnvironment {
  return { homedir: homedir(), platform: process.platform, env: process.env, projects };
}

/** One place a client keeps servers: a file and the JSON path of the servers object in it. */
export interface ClientLocation {
  client: ClientId;
  scope: ClientScope;
  path: string;
  project?: string;
  location: string[];
}

export interface ClientDefinition {
  id: ClientId;
  /** Only spawns commands (no remote servers from its config file): always the stdio bridge. */
  stdioOnly: boolean;
  /** VS Code allows comments and trailing commas in mcp.json; the others read strict JSON. */
  jsonc: boolean;
}

export const CLIENTS: readonly ClientDefinition[] = [
  { id: 'claude-desktop', stdioOnly: true, jsonc: false },
  { id: 'claude-code', stdioOnly: false, jsonc: false },
  { id: 'cursor', stdioOnly: false, jsonc: false },
  { id: 'vscode', stdioOnly: false, jsonc: true },
];

export function clientDefinition(id: ClientId): ClientDefinition {
  const def = CLIENTS.find((c) => c.id === id);
  if (!def) throw new Error(`unknown client ${id}`);
  return def;
}

export function pathApi(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** The folder desktop apps keep their settings in (Electron's `appData`). */
function appDataDir(env: ClientEnvironment): string {
  const { join } = pathApi(env.platform);
  if (env.platform === 'darwin') return join(env.homedir, 'Library', 'Application Support');
  if (env.platform === 'win32') return env.env.APPDATA || join(env.homedir, 'AppData', 'Roaming');
  return env.env.XDG_CONFIG_HOME || join(env.homedir, '.config');
}

/** The user-scope files, one per client (Claude Code's also holds its `local` entries). */
export function userConfigPath(client: ClientId, env: ClientEnvironment): string {
  const { join } = pathApi(env.platform);
  switch (client) {
    case 'claude-desktop':
      return join(appDataDir(env), 'Claude', 'claude_desktop_config.json');
    case 'claude-code':
      return join(env.env.CLAUDE_CONFIG_DIR || env.homedir, '.claude.json');
    case 'cursor':
      return join(env.homedir, '.cursor', 'mcp.json');
    case 'vscode':
      return join(appDataDir(env), 'Code', 'User', 'mcp.json');
  }
}

/** The project-scope file of a client in one project folder (Claude Desktop has none). */
export function projectConfigPath(client: ClientId, project: string, env: ClientEnvironment): string | undefined {
  const { join } = pathApi(env.platform);
  switch (client) {
    case 'claude-desktop':
      return undefined;
    case 'claude-code':
      return join(project, '.mcp.json');
    case 'cursor':
      return join(project, '.cursor', 'mcp.json');
    case 'vscode':
      return join(project, '.vscode', 'mcp.json');
  }
}

/** VS Code names the servers object `servers`; the others follow Claude Desktop's `mcpServers`. */
export function serversKey(client: ClientId): string {
  return client === 'vscode' ? 'servers' : 'mcpServers';
}

/**
 * The fixed locations of a client: its user file and one file per project folder. Claude
 * Code's `local` entries are found inside its user file when it is read (see discovery).
 * A project file that is also the user file (a project opened at ~) is listed once.
 */
export function clientLocations(client: ClientId, env: ClientEnvironment): ClientLocation[] {
  const api = pathApi(env.platform);
  // Resolve against the cwd only on the platform we run on (tests describe other platforms' paths).
  const resolve = (p: string) => (env.platform === process.platform ? api.resolve(p) : api.normalize(p));
  const key = serversKey(client);
  const user = resolve(userConfigPath(client, env));
  const out: ClientLocation[] = [{ client, scope: 'user', path: user, location: [key] }];
  const seen = new Set([user]);
  for (const project of env.projects) {
    const dir = resolve(project);
    const file = projectConfigPath(client, dir, env);
    if (!file || seen.has(resolve(file))) continue;
    seen.add(resolve(file));
    out.push({ client, scope: 'project', path: resolve(file), project: dir, location: [key] });
  }
  return out;
}
